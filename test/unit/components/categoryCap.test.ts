import { describe, expect, it } from 'vitest';
import { capCategories } from '../../../src/components/rerankers/categoryCap.js';

const cats: Record<number, string[]> = {
  0: ['drama'],
  1: ['drama', 'crime'],
  2: ['drama'],
  3: ['comedy'],
  4: ['crime'],
  5: ['comedy'],
  6: ['drama'],
};

describe('Re-ranker: category cap', () => {
  it('keeps at most N of a category in the top k, moving the rest down in order', () => {
    // cap 2 in the top 4: 0 (drama 1), 1 (drama 2, crime 1), 2 deferred (drama full), 3 (comedy), 4 (crime 2) → top full.
    expect(capCategories([0, 1, 2, 3, 4, 5, 6], (i) => cats[i]!, 2, 4)).toEqual([0, 1, 3, 4, 2, 5, 6]);
  });

  it('counts an item towards every one of its categories', () => {
    // cap 1 in the top 3: 0 drama; 1 blocked by drama; 2 blocked; 3 comedy; 4 crime.
    expect(capCategories([0, 1, 2, 3, 4], (i) => cats[i]!, 1, 3)).toEqual([0, 3, 4, 1, 2]);
  });

  it('fills the top with deferred items when too few fit, and is a no-op with cap 0', () => {
    expect(capCategories([0, 2, 6], (i) => cats[i]!, 1, 3)).toEqual([0, 2, 6]);
    expect(capCategories([2, 0, 1], (i) => cats[i]!, 0, 3)).toEqual([2, 0, 1]);
  });
});
