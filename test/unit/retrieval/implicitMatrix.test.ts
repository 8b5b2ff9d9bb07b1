import { describe, expect, it } from 'vitest';
import { buildImplicitMatrix } from '../../../models/retrieval/implicitMatrix.js';
import type { MatrixEntry } from '../../../models/retrieval/implicitMatrix.js';

// 3 users × 4 items. After merging and dropping:
//   user 0: item 1 (1 + 0.5 = 1.5), item 3 (2)
//   user 1: nothing (its entries have weight 0, −1, NaN, Infinity)
//   user 2: item 0 (1), item 3 (4)
const ENTRIES: MatrixEntry[] = [
  { user: 0, item: 3, weight: 2 },
  { user: 0, item: 1, weight: 1 },
  { user: 2, item: 3, weight: 4 },
  { user: 1, item: 2, weight: 0 },
  { user: 1, item: 3, weight: -1 },
  { user: 1, item: 0, weight: NaN },
  { user: 1, item: 1, weight: Infinity },
  { user: 2, item: 0, weight: 1 },
  { user: 0, item: 1, weight: 0.5 },
];

describe('iALS: buildImplicitMatrix', () => {
  it('stores user rows in CSR form with items ascending', () => {
    const m = buildImplicitMatrix(ENTRIES, 3, 4);
    expect(m.nUsers).toBe(3);
    expect(m.nItems).toBe(4);
    expect(Array.from(m.userPtr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(m.userItems)).toEqual([1, 3, 0, 3]);
    expect(Array.from(m.userWeights)).toEqual([1.5, 2, 1, 4]);
  });

  it('stores the same entries as item rows (the transpose) with users ascending', () => {
    const m = buildImplicitMatrix(ENTRIES, 3, 4);
    // item 0: user 2 (1); item 1: user 0 (1.5); item 2: none; item 3: user 0 (2), user 2 (4)
    expect(Array.from(m.itemPtr)).toEqual([0, 1, 2, 2, 4]);
    expect(Array.from(m.itemUsers)).toEqual([2, 0, 0, 2]);
    expect(Array.from(m.itemWeights)).toEqual([1, 1.5, 2, 4]);
  });

  it('sums the weights of duplicate (user, item) entries into one entry', () => {
    const m = buildImplicitMatrix(
      [
        { user: 0, item: 0, weight: 1 },
        { user: 0, item: 0, weight: 2 },
        { user: 0, item: 0, weight: 0.25 },
      ],
      1,
      1,
    );
    expect(m.userItems.length).toBe(1);
    expect(m.userWeights[0]).toBeCloseTo(3.25, 6);
    expect(m.itemWeights[0]).toBeCloseTo(3.25, 6);
  });

  it('drops entries with a zero, negative or non-finite weight', () => {
    const m = buildImplicitMatrix(
      [
        { user: 0, item: 0, weight: 0 },
        { user: 0, item: 1, weight: -3 },
        { user: 1, item: 0, weight: NaN },
        { user: 1, item: 1, weight: Infinity },
      ],
      2,
      2,
    );
    expect(m.userItems.length).toBe(0);
    expect(m.itemUsers.length).toBe(0);
    expect(Array.from(m.userPtr)).toEqual([0, 0, 0]);
    expect(Array.from(m.itemPtr)).toEqual([0, 0, 0]);
  });

  it('builds an empty matrix with all-zero pointers when there are no entries', () => {
    const m = buildImplicitMatrix([], 2, 3);
    expect(Array.from(m.userPtr)).toEqual([0, 0, 0]);
    expect(Array.from(m.itemPtr)).toEqual([0, 0, 0, 0]);
  });

  it('accepts any iterable of entries, not only arrays', () => {
    function* entries(): Generator<MatrixEntry> {
      yield { user: 1, item: 0, weight: 1 };
      yield { user: 0, item: 1, weight: 2 };
    }
    const m = buildImplicitMatrix(entries(), 2, 2);
    expect(Array.from(m.userPtr)).toEqual([0, 1, 2]);
    expect(Array.from(m.userItems)).toEqual([1, 0]);
  });

  it.each([
    ['user = nUsers', { user: 3, item: 0, weight: 1 }],
    ['negative user', { user: -1, item: 0, weight: 1 }],
    ['item = nItems', { user: 0, item: 4, weight: 1 }],
    ['negative item', { user: 0, item: -1, weight: 1 }],
  ])('throws RangeError for an index out of range (%s)', (_label, entry) => {
    expect(() => buildImplicitMatrix([entry], 3, 4)).toThrow(RangeError);
  });

  it('names the offending entry and the matrix shape in the RangeError', () => {
    expect(() => buildImplicitMatrix([{ user: 0, item: 7, weight: 1 }], 3, 4)).toThrow(/\(0, 7\).*3×4/);
  });
});
