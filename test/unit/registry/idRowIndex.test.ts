import { describe, expect, it } from 'vitest';
import { PACKED_TITLES_MIN_ITEMS } from '../../../models/registry/catalogTable.js';
import { IdRowIndex, fnv1a, itemRowIndex } from '../../../models/registry/idRowIndex.js';
import { PackedIdList } from '../../../src/domain/itemIdList.js';
import { createRandom } from '../../../src/domain/random.js';

describe('IdRowIndex', () => {
  it('hashes with FNV-1a 32: the published test vectors', () => {
    // draft-eastlake-fnv, FNV-1a 32-bit of "", "a" and "foobar".
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it.each(['an array', 'packed (PackedIdList)'])(
    'over ids as %s, answers get, has, size and iteration as a Map built with set in order',
    (form) => {
      const random = createRandom(7);
      const alphabet = ['a', 'b', 'é', '猫', '🎬', '-', '0', '9'];
      const ids: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const len = random.int(0, 6);
        let s = '';
        for (let c = 0; c < len; c++) s += alphabet[random.int(0, alphabet.length - 1)]!;
        ids.push(s); // short ids from a small alphabet: many repeats and hash collisions
      }
      const map = new Map<string, number>();
      ids.forEach((id, i) => map.set(id, i));
      const index = new IdRowIndex(form === 'an array' ? ids : PackedIdList.from(ids)!);
      expect(map.size).toBeLessThan(ids.length); // the fixture has repeats
      expect(index.size).toBe(map.size);
      for (const id of [...ids, 'absent', 'ab-é0', '🎬🎬🎬🎬🎬🎬🎬']) {
        expect(index.get(id)).toBe(map.get(id));
        expect(index.has(id)).toBe(map.has(id));
      }
      expect([...index]).toEqual([...map]);
      expect([...index.keys()]).toEqual([...map.keys()]);
      expect([...index.values()]).toEqual([...map.values()]);
      const seen: [string, number][] = [];
      index.forEach((row, id, self) => {
        expect(self).toBe(index);
        seen.push([id, row]);
      });
      expect(seen).toEqual([...map.entries()]);
    },
  );

  it('finds ids equal in content but not the same string objects', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `item-${i}`);
    const index = new IdRowIndex(ids);
    expect(index.size).toBe(1000);
    for (let i = 0; i < 1000; i++)
      expect(index.get(JSON.parse(JSON.stringify(`item-${i}`)) as string)).toBe(i);
    expect([...index.entries()].slice(0, 2)).toEqual([
      ['item-0', 0],
      ['item-1', 1],
    ]);
  });

  it('is empty over no ids, and answers undefined for a key that is not a string', () => {
    const index = new IdRowIndex([]);
    expect(index.size).toBe(0);
    expect(index.get('x')).toBeUndefined();
    expect([...index]).toEqual([]);
    expect(new IdRowIndex(['1']).get(1 as unknown as string)).toBeUndefined();
  });
});

describe('itemRowIndex', () => {
  it('is a Map below the threshold and an IdRowIndex from it, answering alike over repeated ids', () => {
    const ids = ['a', 'b', 'a', 'c', 'b', 'd'];
    const small = itemRowIndex(ids, ids.length + 1);
    const large = itemRowIndex(ids, ids.length);
    expect(small).toBeInstanceOf(Map);
    expect(large).toBeInstanceOf(IdRowIndex);
    expect([...small]).toEqual([...large]);
    expect([...small]).toEqual([
      ['a', 2],
      ['b', 4],
      ['c', 3],
      ['d', 5],
    ]);
    for (const id of [...ids, 'absent']) expect(small.get(id)).toBe(large.get(id));
  });

  it('defaults to the packed-titles threshold: a Map for a catalog below 200,000 items', () => {
    expect(PACKED_TITLES_MIN_ITEMS).toBe(200_000);
    expect(itemRowIndex(['x'])).toBeInstanceOf(Map);
    expect(itemRowIndex([], 0)).toBeInstanceOf(IdRowIndex);
  });
});
