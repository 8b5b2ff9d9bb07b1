import { describe, expect, it } from 'vitest';
import { watBinaryBase64 } from '../../support/watBinary.js';
import { createRandom } from '../../../src/domain/random.js';
import { kthLargest } from '../../../src/stores/embedded/exactVectorIndex.js';
import { KERNEL_BASE64, RowScorer } from '../../../src/stores/embedded/rowScorer.js';

/** Fills `n` rows of `scorer` with standard normal values; returns them (row-major, `dimension` per row). */
function fill(scorer: RowScorer, n: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const d = scorer.dimension;
  const values = Float32Array.from({ length: n * d }, () => random.normal());
  scorer.reserve(n);
  for (let i = 0; i < n; i++) scorer.rows.set(values.subarray(i * d, (i + 1) * d), i * scorer.stride);
  return values;
}

describe('RowScorer kernel bytes', () => {
  it('are dotKernel.wat compiled by wabt (the shipped base64 matches its source)', async () => {
    expect(await watBinaryBase64('src/stores/embedded/dotKernel.wat')).toBe(KERNEL_BASE64);
  });
});

describe('RowScorer', () => {
  it('computes every row’s dot product with the query, for any dimension and row count', () => {
    for (const d of [1, 2, 3, 4, 5, 7, 8, 9, 65]) {
      for (const n of [1, 7, 8, 9, 37]) {
        const scorer = new RowScorer(d, 1);
        const values = fill(scorer, n, d * 100 + n);
        const q = Float32Array.from({ length: d }, (_, p) => Math.sin(p + 1));
        const scores = scorer.scores(q, n);
        expect(scores.length).toBe(n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let p = 0; p < d; p++) s += q[p]! * values[i * d + p]!;
          expect(Math.abs(scores[i]! - s)).toBeLessThan(1e-5 * d);
        }
      }
    }
  });

  it('keeps rows and zero padding when it grows over its old scratch areas', () => {
    const d = 6; // stride 8: two padding floats per row
    const scorer = new RowScorer(d, 8);
    const first = fill(scorer, 8, 1);
    // Leave non-zero values in the query and score areas, then grow over them.
    scorer.scores(
      Float32Array.from({ length: d }, () => 3),
      8,
    );
    scorer.reserve(100);
    expect(scorer.capacity).toBeGreaterThanOrEqual(100);
    expect(scorer.capacity % 8).toBe(0);
    for (let i = 0; i < 8; i++) {
      expect(Array.from(scorer.rows.subarray(i * 8, i * 8 + d))).toEqual(
        Array.from(first.subarray(i * d, (i + 1) * d)),
      );
    }
    expect(scorer.rows.subarray(8 * 8).every((x) => x === 0)).toBe(true);
    for (let i = 0; i < 8; i++)
      expect(scorer.rows.subarray(i * 8 + d, i * 8 + 8).every((x) => x === 0)).toBe(true);
    const q = Float32Array.from({ length: d }, () => 1);
    expect(Array.from(scorer.scores(q, 20).subarray(8))).toEqual(new Array(12).fill(0));
  });

  it('copies one row out without its padding (vectorOf of the exact and IVF indexes), unaffected by later growth or writes', () => {
    const d = 5; // stride 8: three padding floats per row
    const scorer = new RowScorer(d, 8);
    const values = fill(scorer, 3, 4);
    const row1 = scorer.vectorAt(1);
    expect(row1).toHaveLength(d);
    expect(Array.from(row1)).toEqual(Array.from(values.subarray(d, 2 * d)));
    scorer.rows.fill(7, 8, 16); // overwrite row 1, padding included
    scorer.reserve(1000); // and move the rows' view
    expect(Array.from(row1)).toEqual(Array.from(values.subarray(d, 2 * d)));
    expect(Array.from(scorer.vectorAt(1))).toEqual([7, 7, 7, 7, 7]);
    expect(Array.from(scorer.vectorAt(2))).toEqual(Array.from(values.subarray(2 * d, 3 * d)));
  });

  it('gives float64 scores bit for bit equal to a JavaScript loop over the float32 values', () => {
    const d = 65;
    const scorer = new RowScorer(d, 64);
    const values = fill(scorer, 64, 7);
    const q = Float32Array.from({ length: d }, (_, p) => Math.cos(p));
    const rows = Int32Array.from([63, 0, 5, 5, 17, 40, 2]);
    const exact = scorer.exactScores(q, rows, rows.length);
    rows.forEach((row, j) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += q[p]! * values[row * d + p]!;
      expect(exact[j]).toBe(s);
    });
  });

  it('scores row ranges one after the other, ranges of any length and start (IVF lists)', () => {
    for (const d of [3, 8, 65]) {
      const scorer = new RowScorer(d, 120);
      const values = fill(scorer, 100, d);
      const q = Float32Array.from({ length: d }, (_, p) => Math.sin(2 * p + 1));
      const starts = Int32Array.from([3, 40, 11, 0, 90]);
      const counts = Int32Array.from([5, 0, 17, 1, 10]); // the last ends at row 99
      const scores = scorer.scoreRanges(q, starts, counts, 5);
      const rows = [...starts].flatMap((s, i) => Array.from({ length: counts[i]! }, (_, j) => s + j));
      expect(scores.length).toBe(rows.length);
      rows.forEach((row, j) => {
        let s = 0;
        for (let p = 0; p < d; p++) s += q[p]! * values[row * d + p]!;
        expect(Math.abs(scores[j]! - s)).toBeLessThan(1e-5 * d);
      });
    }
  });
});

describe('kthLargest', () => {
  it('returns the k-th largest value, ties included, and leaves the input alone', () => {
    const random = createRandom(3);
    for (const n of [1, 2, 3, 10, 257]) {
      const values = Float32Array.from({ length: n }, () => Math.round(random.normal() * 3) / 4 + 0);
      const copy = values.slice();
      const sorted = Array.from(values).sort((a, b) => b - a);
      const scratch = new Float32Array(n);
      for (let k = 1; k <= n; k++) expect(kthLargest(values, n, k, scratch)).toBe(sorted[k - 1]);
      expect(values).toEqual(copy);
    }
  });
});
