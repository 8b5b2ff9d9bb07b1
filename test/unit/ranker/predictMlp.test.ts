import { describe, expect, it } from 'vitest';
import { predictMlp } from '../../../models/ranker/mlpRanker.js';
import type { MlpRanker } from '../../../models/ranker/mlpRanker.js';

/** F = 2, H = 2, hand-picked weights; the expected scores are worked out in the tests. */
const tinyMlp: MlpRanker = {
  kind: 'mlp',
  nFeatures: 2,
  hidden: 2,
  mean: Float32Array.of(1, 2),
  std: Float32Array.of(2, 4),
  // F×H row-major: feature 0 → [0.5, -1], feature 1 → [2, 1].
  w1: Float32Array.of(0.5, -1, 2, 1),
  b1: Float32Array.of(1, 0.5),
  w2: Float32Array.of(2, 3),
  b2: -0.5,
};

const tinyLogistic: MlpRanker = {
  kind: 'logistic',
  nFeatures: 2,
  hidden: 0,
  mean: Float32Array.of(1, 2),
  std: Float32Array.of(2, 4),
  w1: new Float32Array(0),
  b1: new Float32Array(0),
  w2: Float32Array.of(1.5, -2),
  b2: 0.25,
};

describe('Ranker: forward pass', () => {
  it('matches a hand-worked one-hidden-layer example', () => {
    // Row 0: x = [3, 0] → z = [(3−1)/2, (0−2)/4] = [1, −0.5]
    //   hidden pre-activations: h0 = 1 + 1·0.5 + (−0.5)·2 = 0.5, h1 = 0.5 + 1·(−1) + (−0.5)·1 = −1 → relu 0
    //   logit = 2·0.5 + 3·0 − 0.5 = 0.5 → σ(0.5) = 0.6224593312…
    // Row 1: x = [1, 4] → z = [0, 0.5]
    //   h0 = 1 + 0 + 0.5·2 = 2, h1 = 0.5 + 0 + 0.5·1 = 1
    //   logit = 2·2 + 3·1 − 0.5 = 6.5 → σ(6.5) = 0.9984988177…
    const scores = predictMlp(tinyMlp, Float32Array.of(3, 0, 1, 4), 2);
    expect(scores).toBeInstanceOf(Float32Array);
    expect(scores.length).toBe(2);
    expect(scores[0]).toBeCloseTo(0.6224593312, 6);
    expect(scores[1]).toBeCloseTo(0.9984988177, 6);
  });

  it('treats hidden 0 as logistic regression on the standardised input', () => {
    // Row 0: z = [1, −0.5] → logit = 0.25 + 1.5·1 + (−2)·(−0.5) = 2.75 → σ = 0.9399133498…
    // Row 1: z = [0, 0.5]  → logit = 0.25 + 0 + (−2)·0.5 = −0.75 → σ = 0.3208213008…
    const scores = predictMlp(tinyLogistic, Float32Array.of(3, 0, 1, 4), 2);
    expect(scores[0]).toBeCloseTo(0.9399133498, 6);
    expect(scores[1]).toBeCloseTo(0.3208213008, 6);
  });

  it('returns an empty array for zero rows', () => {
    expect(predictMlp(tinyMlp, new Float32Array(0), 0)).toEqual(new Float32Array(0));
  });

  it('rejects x whose length is not n×F', () => {
    expect(() => predictMlp(tinyMlp, Float32Array.of(1, 2, 3), 2)).toThrow(RangeError);
    expect(() => predictMlp(tinyMlp, Float32Array.of(1, 2, 3), 2)).toThrow(/n×F = 2×2 = 4 values, got 3/);
  });

  it('rejects inconsistent models', () => {
    const cases: [Partial<MlpRanker>, RegExp][] = [
      [{ w1: Float32Array.of(1, 2, 3) }, /w1 must have length 4, got 3/],
      [{ std: Float32Array.of(1, 0) }, /std\[1\] must be > 0/],
      [{ kind: 'logistic' }, /kind 'logistic' requires hidden = 0/],
      [{ b2: Number.NaN }, /b2 must be finite/],
      [{ mean: Float32Array.of(1, Number.POSITIVE_INFINITY) }, /mean\[1\] must be finite/],
    ];
    for (const [patch, message] of cases) {
      expect(() => predictMlp({ ...tinyMlp, ...patch }, Float32Array.of(3, 0), 1)).toThrow(message);
    }
  });
});
