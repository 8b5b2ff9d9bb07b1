import { describe, expect, it } from 'vitest';
import { CategoryInterner, NO_CATEGORIES } from '../../../src/stores/embedded/categoryInterner.js';

describe('CategoryInterner', () => {
  it('gives equal lists one frozen copy, and the shared empty list for none', () => {
    const interner = new CategoryInterner();
    const source = ['Drama', 'War'];
    const a = interner.intern(source);
    const b = interner.intern(['Drama', 'War']);
    expect(a).toBe(b);
    expect(a).toEqual(source);
    expect(a).not.toBe(source); // a copy: the caller's array may change later
    expect(Object.isFrozen(a)).toBe(true);
    expect(interner.intern(['War', 'Drama'])).not.toBe(a); // order matters
    // A separator inside a name cannot make two different lists one key.
    expect(interner.intern(['Drama\u0000War'])).toEqual(['Drama\u0000War']);
    expect(interner.intern(['a\u0000b', 'c'])).toEqual(['a\u0000b', 'c']);
    expect(interner.intern(['a', 'b\u0000c'])).toEqual(['a', 'b\u0000c']);
    expect(interner.intern([])).toBe(NO_CATEGORIES);
    expect(interner.intern(undefined)).toBe(NO_CATEGORIES);
  });

  it('codes each distinct list by its position in lists, 0 for none', () => {
    const interner = new CategoryInterner();
    expect(interner.code(undefined)).toBe(0);
    expect(interner.code([])).toBe(0);
    const drama = interner.code(['Drama']);
    const war = interner.code(['Drama', 'War']);
    expect([drama, war]).toEqual([1, 2]);
    expect(interner.code(['Drama'])).toBe(drama);
    expect(interner.lists).toEqual([[], ['Drama'], ['Drama', 'War']]);
    expect(interner.lists[0]).toBe(NO_CATEGORIES);
    expect(interner.intern(['Drama', 'War'])).toBe(interner.lists[war]);
  });
});
