import { describe, expect, it } from 'vitest';
import {
  ItemIdRange,
  ItemIdRows,
  PackedIdList,
  idAtRowIs,
  sameIdsIn,
} from '../../../src/domain/itemIdList.js';

const IDS = ['tt0111161', '', 'é-ü', '猫', '🎬x', 'a-long-identifier-of-forty-characters-00', 'tt0111161'];

describe('PackedIdList', () => {
  it('reads back every id, in order, from one string: Latin-1, empty, two-byte, astral and long ids', () => {
    const packed = PackedIdList.from(IDS)!;
    expect(packed.length).toBe(IDS.length);
    for (let row = 0; row < IDS.length; row++) expect(packed.at(row)).toBe(IDS[row]);
    expect([...packed]).toEqual(IDS);
    expect(packed.units).toBe(IDS.join('').length);
  });

  it('answers undefined outside 0..length − 1 and for a non-integer row, as Array.at does not for negatives', () => {
    const packed = PackedIdList.from(['a', 'b'])!;
    for (const row of [-1, 2, 0.5, Number.NaN, Infinity]) expect(packed.at(row)).toBeUndefined();
    expect(PackedIdList.from([])!.length).toBe(0);
    expect([...PackedIdList.from([])!]).toEqual([]);
  });

  it('equalsAt compares a row with a string without making one: exact length and content only', () => {
    const packed = PackedIdList.from(['ab', 'abc', 'b'])!;
    expect(packed.equalsAt(0, 'ab')).toBe(true);
    expect(packed.equalsAt(0, 'a')).toBe(false); // a prefix of the row
    expect(packed.equalsAt(0, 'abc')).toBe(false); // the row and the next one's start
    expect(packed.equalsAt(1, 'abc')).toBe(true);
    expect(packed.equalsAt(2, 'b')).toBe(true);
    expect(packed.equalsAt(3, '')).toBe(false);
    expect(packed.equalsAt(-1, 'ab')).toBe(false);
    // idAtRowIs: the same answer for an array and a packed list.
    for (const list of [['ab', 'abc', 'b'], packed])
      expect([0, 1, 2, 3].map((r) => idAtRowIs(list, r, 'abc'))).toEqual([false, true, false, false]);
    // Rows that Array.prototype.at would read (truncated, or from the end) are not rows.
    for (const list of [['ab', 'abc', 'b'], packed])
      expect([1.5, -2, Number.NaN].map((r) => idAtRowIs(list, r, 'abc'))).toEqual([false, false, false]);
  });
});

describe('ItemIdRange and sameIdsIn', () => {
  it('reads rows start.. of its list and refuses a range outside it', () => {
    const list = PackedIdList.from(['a', 'b', 'c', 'd'])!;
    const range = new ItemIdRange(list, 1, 2);
    expect([range.at(0), range.at(1), range.at(2), range.at(-1)]).toEqual(['b', 'c', undefined, undefined]);
    expect([...range]).toEqual(['b', 'c']);
    expect(() => new ItemIdRange(list, 3, 2)).toThrow(RangeError);
    expect(() => new ItemIdRange(list, -1, 1)).toThrow(RangeError);
    expect(() => new ItemIdRange(list, 0.5, 1)).toThrow(RangeError);
  });

  it('compares positions id by id, recognising a range of the same list at the same offset without reading it', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const packed = PackedIdList.from(ids)!;
    expect(sameIdsIn(packed, new ItemIdRange(packed, 2, 2), 2, 4, 2)).toBe(true);
    expect(sameIdsIn(packed, new ItemIdRange(packed, 1, 2), 2, 4, 2)).toBe(false); // b, c against c, d
    expect(sameIdsIn(ids, new ItemIdRange(packed, 2, 2), 2, 4, 2)).toBe(true); // equal content, another list
    expect(sameIdsIn(ids, ['c', 'x'], 2, 4, 2)).toBe(false);
    expect(sameIdsIn(ids, ['c', 'd'], 2, 4, 2)).toBe(true);
    expect(sameIdsIn(packed, packed, 0, 4)).toBe(true);
    expect(sameIdsIn(packed, PackedIdList.from(['a', 'b', 'c', 'e'])!, 0, 4)).toBe(false);
    expect(sameIdsIn(ids, ['c'], 2, 4, 2)).toBe(false); // too short
  });
});

describe('ItemIdRows', () => {
  it('names ids by their rows in a list, several sharing one row array', () => {
    const list = PackedIdList.from(['x', 'y', 'z'])!;
    const rows = Int32Array.from([2, 0, 1, 1]);
    const first = new ItemIdRows(list, rows, 0, 2);
    const second = new ItemIdRows(list, rows, 2, 2);
    expect([...first]).toEqual(['z', 'x']);
    expect([...second]).toEqual(['y', 'y']);
    expect([first.at(1), first.at(2), second.at(-1)]).toEqual(['x', undefined, undefined]);
    expect(new Set(first)).toEqual(new Set(['z', 'x']));
  });
});
