import { describe, expect, it } from 'vitest';
import { CounterColumns } from '../../../src/stores/memory/counterColumns.js';

const T0 = Date.UTC(2024, 0, 10);

/** Every position's counters as [popularity, trend, updatedAt]. */
const read = (c: CounterColumns) =>
  Array.from({ length: c.size }, (_, k) => [c.popularityAt(k), c.trendAt(k), c.updatedAtAt(k)]);

describe('CounterColumns (issue #6)', () => {
  // 2.5 blocks of 4096 positions: the last block is partial.
  const n = 10_240;
  const seedPopularity = Float32Array.from({ length: n }, (_, k) => (k % 13) / 3);
  const seedTrend = Float32Array.from({ length: n }, (_, k) => -((k % 7) / 9));

  it('reads unwritten positions as the seed values, float32 ones as the same numbers', () => {
    const c = new CounterColumns(n, { popularity: seedPopularity, trend: seedTrend, updatedAt: T0 });
    expect(read(c)).toEqual(Array.from({ length: n }, (_, k) => [seedPopularity[k], seedTrend[k], T0]));
    expect(c.popularityAt(1)).toBe(Math.fround(1 / 3));
    const zeros = new CounterColumns(3, { popularity: null, trend: null, updatedAt: 0 });
    expect(read(zeros)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('changes only the written position, keeps float64 precision, and never writes the seed arrays', () => {
    const popularity = seedPopularity.slice();
    const trend = seedTrend.slice();
    const c = new CounterColumns(n, { popularity, trend, updatedAt: T0 });
    const expected = read(c);
    // The first and last position of a block, the next block's first, and the last, partial block.
    const writes: [number, number, number, number][] = [
      [0, 0.1, 0.2, T0 + 1],
      [4095, 1 / 3, -1 / 7, T0 + 2],
      [4096, 1e-300, 1e300, T0 - 5],
      [n - 1, 7.25, -0, T0 + 0.5],
      [4095, 2 / 3, 5, T0 + 3], // a second write to a position
    ];
    for (const [k, p, t, u] of writes) {
      c.set(k, p, t, u);
      expected[k] = [p, t, u];
      expect(read(c)).toEqual(expected);
    }
    expect(c.popularityAt(4095)).toBe(2 / 3);
    expect(Math.fround(c.popularityAt(4095))).not.toBe(c.popularityAt(4095));
    expect(Object.is(c.trendAt(n - 1), -0)).toBe(true);
    expect(popularity).toEqual(seedPopularity);
    expect(trend).toEqual(seedTrend);
  });

  it('rejects a bad size, a short seed array and a write outside its positions', () => {
    expect(() => new CounterColumns(-1, { popularity: null, trend: null, updatedAt: 0 })).toThrow(RangeError);
    expect(() => new CounterColumns(1.5, { popularity: null, trend: null, updatedAt: 0 })).toThrow(
      RangeError,
    );
    expect(
      () => new CounterColumns(3, { popularity: new Float32Array(2), trend: null, updatedAt: 0 }),
    ).toThrow(/popularity has 2 values for 3 positions/);
    const c = new CounterColumns(3, { popularity: null, trend: new Float64Array(3), updatedAt: 0 });
    for (const k of [-1, 3, 1.5, NaN]) expect(() => c.set(k, 1, 1, 1)).toThrow(RangeError);
    expect(read(c)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});
