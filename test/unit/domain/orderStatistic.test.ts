import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { selectKthSmallest } from '../../../src/domain/orderStatistic.js';

/** The reference: the k-th entry of a sorted copy. */
function bySort(values: Float64Array, k: number): number {
  return values.slice().sort()[k]!;
}

describe('selectKthSmallest', () => {
  it('finds order statistics of a hand-worked list', () => {
    const v = [5, 1, 4, 1, 3, 9, 2];
    // sorted: 1 1 2 3 4 5 9
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => selectKthSmallest(Float64Array.from(v), k))).toEqual([
      1, 1, 2, 3, 4, 5, 9,
    ]);
  });

  it('agrees with sorting a copy on random lists with ties, infinities and NaN', () => {
    const rng = createRandom(20261201);
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + rng.int(0, 600);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const r = rng.next();
        values[i] =
          r < 0.2
            ? 0
            : r < 0.3
              ? rng.int(0, 3)
              : r < 0.33
                ? NaN
                : r < 0.35
                  ? -Infinity
                  : r < 0.37
                    ? Infinity
                    : rng.next() * 100 - 20;
      }
      for (const k of [0, n - 1, rng.int(0, n - 1), Math.floor(0.25 * n)]) {
        const got = selectKthSmallest(values.slice(), k);
        const want = bySort(values, k);
        if (Number.isNaN(want)) expect(got).toBeNaN();
        else expect(got).toBe(want);
      }
    }
  });

  it('handles sorted, reversed and constant inputs', () => {
    const up = Float64Array.from({ length: 500 }, (_, i) => i);
    const down = up.slice().reverse();
    const same = new Float64Array(500).fill(7);
    for (const k of [0, 123, 499]) {
      expect(selectKthSmallest(up.slice(), k)).toBe(k);
      expect(selectKthSmallest(down.slice(), k)).toBe(k);
      expect(selectKthSmallest(same.slice(), k)).toBe(7);
    }
  });

  it('rejects k outside the list', () => {
    expect(() => selectKthSmallest(new Float64Array(3), 3)).toThrow(RangeError);
    expect(() => selectKthSmallest(new Float64Array(3), -1)).toThrow(RangeError);
    expect(() => selectKthSmallest(new Float64Array(3), 1.5)).toThrow(RangeError);
    expect(() => selectKthSmallest(new Float64Array(0), 0)).toThrow(RangeError);
  });
});

describe('selectKthSmallest on inputs that defeat a fixed pivot rule', () => {
  /** Organ pipe (up, then down), saw-tooth and median-of-three-killer-like lists. */
  function adversarial(n: number): Record<string, Float64Array> {
    return {
      organPipe: Float64Array.from({ length: n }, (_, i) => (i < n / 2 ? i : n - i)),
      sawTooth: Float64Array.from({ length: n }, (_, i) => i % 17),
      alternating: Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : n - i)),
      pushFront: Float64Array.from({ length: n }, (_, i) => (i === 0 ? n : i)),
    };
  }

  it('stays O(n log n) in elements partitioned, and right', () => {
    const n = 20_000;
    const bound = n * (2 * Math.ceil(Math.log2(n + 1)) + 4);
    for (const [name, values] of Object.entries(adversarial(n))) {
      for (const k of [0, Math.floor(0.25 * n), n >> 1, n - 1]) {
        const work = { partitioned: 0, sortedFallback: false };
        const got = selectKthSmallest(values.slice(), k, { work });
        expect(got, `${name} k=${k}`).toBe(bySort(values, k));
        // A fixed middle pivot partitions ~n²/4 elements on the organ pipe (10⁸ here).
        expect(work.partitioned, `${name} k=${k}`).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('sorts the range left when the partition passes run out, with the same answer', () => {
    const rng = createRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + rng.int(0, 300);
      const values = Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : rng.int(0, 20)));
      const k = rng.int(0, n - 1);
      for (const maxPasses of [0, 1, 2]) {
        const work = { partitioned: 0, sortedFallback: false };
        const got = selectKthSmallest(values.slice(), k, { work, maxPasses });
        const want = bySort(values, k);
        if (Number.isNaN(want)) expect(got).toBeNaN();
        else expect(got).toBe(want);
        if (maxPasses === 0) expect(work.sortedFallback).toBe(true);
      }
    }
  });
});
