import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { topK } from '../../../models/pipeline/topK.js';

/** Reference: finite, non-excluded indices by full sort (score descending, index ascending), first k. */
function bySort(scores: ArrayLike<number>, k: number, exclude?: (i: number) => boolean): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]!) && !exclude?.(i)) idx.push(i);
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, Math.max(0, k));
}

describe('Pipeline: topK', () => {
  it('returns the k best indices, best first, on a hand example', () => {
    // Finite scores: 3 (0), 1 (1), 3 (2), 5 (4), 2 (6). Best 3: 4 (5), 0 (3), 2 (3).
    expect(topK([3, 1, 3, NaN, 5, -Infinity, 2], 3)).toEqual([4, 0, 2]);
  });

  it('matches a full sort on random arrays with many ties, for every k', () => {
    const random = createRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = random.int(1, 120);
      // Integer scores in 0..15 so that ties are common.
      const scores = Float64Array.from({ length: n }, () => random.int(0, 15));
      for (const k of [1, 2, 5, 17, n - 1, n, n + 3]) expect(topK(scores, k)).toEqual(bySort(scores, k));
    }
  });

  it('matches a full sort on random continuous scores with exclusions and non-finite values', () => {
    const random = createRandom(8);
    for (let trial = 0; trial < 20; trial++) {
      const n = 200;
      const scores = Float32Array.from({ length: n }, () => {
        const r = random.next();
        return r < 0.05 ? NaN : r < 0.1 ? -Infinity : r < 0.12 ? Infinity : random.normal();
      });
      const excluded = new Set(Array.from({ length: 30 }, () => random.int(0, n - 1)));
      const exclude = (i: number): boolean => excluded.has(i);
      expect(topK(scores, 25, exclude)).toEqual(bySort(scores, 25, exclude));
    }
  });

  it('breaks ties by the lower index', () => {
    expect(topK([1, 2, 2, 2, 1], 2)).toEqual([1, 2]);
    expect(topK([0, 0, 0, 0], 4)).toEqual([0, 1, 2, 3]);
  });

  it('skips NaN, -Infinity and +Infinity', () => {
    expect(topK([NaN, -Infinity, Infinity, -5], 4)).toEqual([3]);
  });

  it('skips excluded indices even when they score best', () => {
    expect(topK([9, 8, 7, 6], 2, (i) => i === 0 || i === 2)).toEqual([1, 3]);
  });

  it('returns every qualifying index, sorted, when k ≥ n', () => {
    expect(topK([0.5, -1, 2, 0.5], 10)).toEqual([2, 0, 3, 1]);
  });

  it('returns nothing for k ≤ 0 or empty scores', () => {
    expect(topK([1, 2, 3], 0)).toEqual([]);
    expect(topK([1, 2, 3], -1)).toEqual([]);
    expect(topK([], 3)).toEqual([]);
  });
});
