import { describe, expect, it } from 'vitest';
import { averagePrecisionAtK } from '../../../models/eval/metrics/averagePrecisionAtK.js';
import { hitRateAtK } from '../../../models/eval/metrics/hitRateAtK.js';
import { ndcgAtK } from '../../../models/eval/metrics/ndcgAtK.js';
import { precisionAtK } from '../../../models/eval/metrics/precisionAtK.js';
import { recallAtK } from '../../../models/eval/metrics/recallAtK.js';
import { reciprocalRank } from '../../../models/eval/metrics/reciprocalRank.js';

// Shared example: hits at ranks 1 and 3, one relevant item ('f') never ranked.
const RANKED = ['a', 'b', 'c', 'd', 'e'];
const RELEVANT = new Set(['a', 'c', 'f']);
const NONE = new Set<string>();

const ALL_METRICS = [ndcgAtK, recallAtK, precisionAtK, reciprocalRank, averagePrecisionAtK, hitRateAtK];

describe('Metric: NDCG@k', () => {
  it('is 1 when every relevant item is ranked first', () => {
    expect(ndcgAtK(['a', 'b', 'x'], new Set(['a', 'b']), 3)).toBeCloseTo(1, 4);
  });

  it('discounts a hit at rank 3 against an ideal of min(k, |relevant|) = 2 hits', () => {
    // DCG = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5; IDCG = 1 + 1/log2(3) = 1.6309; NDCG = 0.9197
    expect(ndcgAtK(['a', 'b', 'c'], new Set(['a', 'c']), 3)).toBeCloseTo(0.9197, 4);
  });

  it('counts relevant items that were not ranked in the ideal DCG', () => {
    // DCG = 1 + 1/log2(4) = 1.5; IDCG over min(5, 3) = 3: 1 + 0.63093 + 0.5 = 2.13093;
    // NDCG = 1.5 / 2.13093 = 0.70392
    expect(ndcgAtK(RANKED, RELEVANT, 5)).toBeCloseTo(0.70392, 4);
  });

  it('looks only at the top k', () => {
    // k = 2: DCG = 1 (rank 1); IDCG over min(2, 3) = 2: 1 + 1/log2(3) = 1.63093; NDCG = 0.61315
    expect(ndcgAtK(RANKED, RELEVANT, 2)).toBeCloseTo(0.61315, 4);
  });

  it('treats positions beyond a short list as misses when k is larger than the list', () => {
    // ranked ['a', 'x'], relevant {a, b}, k = 10: DCG = 1; IDCG over min(10, 2) = 2 = 1.63093;
    // NDCG = 1 / 1.63093 = 0.61315
    expect(ndcgAtK(['a', 'x'], new Set(['a', 'b']), 10)).toBeCloseTo(0.61315, 4);
  });

  it('is 0 with no hit and 0 with no relevant item', () => {
    expect(ndcgAtK(['x', 'y'], new Set(['a']), 2)).toBe(0);
    expect(ndcgAtK(RANKED, NONE, 5)).toBe(0);
    expect(ndcgAtK([], new Set(['a']), 5)).toBe(0);
  });

  it('counts a repeated relevant item only at its first position', () => {
    // ranked ['x', 'a', 'a'], relevant {a}: DCG = 1/log2(3) = 0.63093 (the repeat is a miss);
    // IDCG = 1; NDCG = 0.63093, not 0.63093 + 0.5
    expect(ndcgAtK(['x', 'a', 'a'], new Set(['a']), 3)).toBeCloseTo(0.63093, 4);
  });
});

describe('Metric: Recall@k', () => {
  it('is hits in the top k over all relevant items', () => {
    // hits@5 = 2 (a, c); |relevant| = 3; recall = 2/3 = 0.66667
    expect(recallAtK(RANKED, RELEVANT, 5)).toBeCloseTo(0.66667, 4);
    // hits@2 = 1; recall = 1/3 = 0.33333
    expect(recallAtK(RANKED, RELEVANT, 2)).toBeCloseTo(0.33333, 4);
  });

  it('is 1 when every relevant item is in the top k, even if k exceeds the list', () => {
    // ranked ['a', 'b'], relevant {a, b}, k = 10: 2/2 = 1
    expect(recallAtK(['a', 'b'], new Set(['a', 'b']), 10)).toBeCloseTo(1, 4);
  });

  it('is 0 with no relevant item', () => {
    expect(recallAtK(RANKED, NONE, 5)).toBe(0);
  });

  it('counts a repeated relevant item once', () => {
    // ranked ['a', 'a'], relevant {a, b}: hits = 1; recall = 1/2 = 0.5
    expect(recallAtK(['a', 'a'], new Set(['a', 'b']), 2)).toBeCloseTo(0.5, 4);
  });
});

describe('Metric: Precision@k', () => {
  it('is hits in the top k over k', () => {
    // hits@5 = 2; precision = 2/5 = 0.4
    expect(precisionAtK(RANKED, RELEVANT, 5)).toBeCloseTo(0.4, 4);
    // hits@2 = 1; precision = 1/2 = 0.5
    expect(precisionAtK(RANKED, RELEVANT, 2)).toBeCloseTo(0.5, 4);
  });

  it('divides by k even when k is larger than the list', () => {
    // ranked ['a', 'x'], relevant {a, b}, k = 10: hits = 1; precision = 1/10 = 0.1
    expect(precisionAtK(['a', 'x'], new Set(['a', 'b']), 10)).toBeCloseTo(0.1, 4);
  });

  it('is 0 with no relevant item', () => {
    expect(precisionAtK(RANKED, NONE, 5)).toBe(0);
  });

  it('counts a repeated relevant item once', () => {
    // ranked ['a', 'a', 'b'], relevant {a}: hits = 1; precision = 1/3 = 0.33333
    expect(precisionAtK(['a', 'a', 'b'], new Set(['a']), 3)).toBeCloseTo(0.33333, 4);
  });
});

describe('Metric: reciprocal rank at k (MRR@k per user)', () => {
  it('is 1 / the rank of the first hit', () => {
    // ranked ['x', 'y', 'a'], relevant {a}: first hit at rank 3; RR = 1/3 = 0.33333
    expect(reciprocalRank(['x', 'y', 'a'], new Set(['a']), 3)).toBeCloseTo(0.33333, 4);
    // shared example: first hit at rank 1; RR = 1
    expect(reciprocalRank(RANKED, RELEVANT, 5)).toBeCloseTo(1, 4);
  });

  it('is 0 when the first hit is below the cut-off k', () => {
    // first hit at rank 3 > k = 2
    expect(reciprocalRank(['x', 'y', 'a'], new Set(['a']), 2)).toBe(0);
  });

  it('handles k larger than the list and no relevant item', () => {
    // ranked ['x', 'a'], k = 10: first hit at rank 2; RR = 0.5
    expect(reciprocalRank(['x', 'a'], new Set(['a']), 10)).toBeCloseTo(0.5, 4);
    expect(reciprocalRank(RANKED, NONE, 5)).toBe(0);
  });
});

describe('Metric: AP@k (MAP@k per user)', () => {
  it('averages precision at each hit over min(k, |relevant|)', () => {
    // hits at ranks 1 and 3: P@1 = 1/1, P@3 = 2/3; sum = 1.66667; min(5, 3) = 3; AP = 0.55556
    expect(averagePrecisionAtK(RANKED, RELEVANT, 5)).toBeCloseTo(0.55556, 4);
  });

  it('normalises by k when there are more relevant items than k', () => {
    // k = 2: one hit at rank 1, P@1 = 1; min(2, 3) = 2; AP = 1/2 = 0.5
    expect(averagePrecisionAtK(RANKED, RELEVANT, 2)).toBeCloseTo(0.5, 4);
  });

  it('is 1 when every relevant item is ranked first', () => {
    // P@1 = 1, P@2 = 2/2 = 1; sum = 2; min(3, 2) = 2; AP = 1
    expect(averagePrecisionAtK(['a', 'b', 'x'], new Set(['a', 'b']), 3)).toBeCloseTo(1, 4);
  });

  it('handles k larger than the list, no relevant item and repeats', () => {
    // ranked ['x', 'a'], relevant {a, b}, k = 10: P@2 = 1/2; min(10, 2) = 2; AP = 0.5/2 = 0.25
    expect(averagePrecisionAtK(['x', 'a'], new Set(['a', 'b']), 10)).toBeCloseTo(0.25, 4);
    expect(averagePrecisionAtK(RANKED, NONE, 5)).toBe(0);
    // ranked ['a', 'a'], relevant {a}: P@1 = 1 (the repeat at rank 2 is a miss); AP = 1/1 = 1
    expect(averagePrecisionAtK(['a', 'a'], new Set(['a']), 2)).toBeCloseTo(1, 4);
  });
});

describe('Metric: HitRate@k', () => {
  it('is 1 when any relevant item is in the top k', () => {
    expect(hitRateAtK(['x', 'y', 'a'], new Set(['a']), 3)).toBe(1);
  });

  it('is 0 when no relevant item is in the top k', () => {
    expect(hitRateAtK(['x', 'y', 'a'], new Set(['a']), 2)).toBe(0);
    expect(hitRateAtK(RANKED, NONE, 5)).toBe(0);
  });

  it('handles k larger than the list', () => {
    expect(hitRateAtK(['x', 'a'], new Set(['a']), 10)).toBe(1);
    expect(hitRateAtK([], new Set(['a']), 10)).toBe(0);
  });
});

describe('Ranking metrics: cut-off validation', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects k = %s with a RangeError', (k) => {
    for (const metric of ALL_METRICS) {
      expect(() => metric(RANKED, RELEVANT, k)).toThrow(RangeError);
      expect(() => metric(RANKED, RELEVANT, k)).toThrow(`cut-off k must be a positive integer, got ${k}`);
    }
  });
});
