import { describe, expect, it } from 'vitest';
import { orderByScore } from '../../../src/pipeline/rankedList.js';
import { createRandom } from '../../../src/domain/random.js';

/** The reference: a comparator sort by score descending, ties (and NaN as −∞) by index. */
function reference(scores: readonly number[]): number[] {
  const key = (i: number): number => (Number.isNaN(scores[i]!) ? -Infinity : scores[i]!);
  return scores.map((_, i) => i).sort((a, b) => (key(a) > key(b) ? -1 : key(a) < key(b) ? 1 : a - b));
}

function patterns(n: number, seed: number): Record<string, number[]> {
  const random = createRandom(seed);
  const up = Array.from({ length: n }, (_, i) => i);
  return {
    random: Array.from({ length: n }, () => random.next()),
    fewValues: Array.from({ length: n }, () => random.int(0, 3)),
    allEqual: new Array<number>(n).fill(0.5),
    ascending: up,
    descending: up.map((i) => n - i),
    organPipe: up.map((i) => (i < n / 2 ? i : n - i)),
    sawtooth: up.map((i) => i % 7),
    withNaNAndInfinities: Array.from({ length: n }, (_, i) =>
      i % 11 === 0 ? NaN : i % 13 === 0 ? -Infinity : i % 17 === 0 ? Infinity : random.next() - 0.5,
    ),
  };
}

describe('orderByScore', () => {
  it('orders a hand-worked example: score descending, ties by lower index, NaN last', () => {
    expect(orderByScore([0.2, 0.9, NaN, 0.9, -1, 0.2])).toEqual([1, 3, 0, 5, 4, 2]);
    expect(orderByScore(new Float64Array([]))).toEqual([]);
    expect(orderByScore([3])).toEqual([0]);
  });

  for (const n of [2, 15, 16, 17, 64, 500, 3001]) {
    it(`matches the comparator sort on adversarial and random inputs of ${n}`, () => {
      for (const [name, scores] of Object.entries(patterns(n, n))) {
        expect(orderByScore(Float64Array.from(scores)), name).toEqual(reference(scores));
      }
    });
  }

  it('sorts correctly through the heapsort fallback (no quicksort level allowed)', () => {
    for (const [name, scores] of Object.entries(patterns(700, 3))) {
      expect(orderByScore(scores, 0), name).toEqual(reference(scores));
      expect(orderByScore(scores, 1), name).toEqual(reference(scores));
      // Out-of-range depths still end in the heapsort, not in an unbounded quicksort.
      expect(orderByScore(scores, -3), name).toEqual(reference(scores));
      expect(orderByScore(scores, 0.5), name).toEqual(reference(scores));
      expect(orderByScore(scores, NaN), name).toEqual(reference(scores));
    }
  });
});
