import { describe, expect, it } from 'vitest';
import { candidateFeatures, cosineFromIndexScore } from '../../../models/pipeline/candidateFeatures.js';
import { retrievalScores } from '../../../models/pipeline/generateCandidates.js';
import { createRandom } from '../../../src/domain/random.js';
import { RANKER_FEATURE_COUNT } from '../../../src/domain/rankerFeatures.js';
import { handBundle, T0 } from './pipelineFixtures.js';

const F = RANKER_FEATURE_COUNT;
const DAY = 86_400_000;
// y0 = [3, 4] (norm 5), y1 = [0, 2] (norm 2), y2 = [0, 0]; M = 5.
const FACTORS = Float32Array.of(3, 4, 0, 2, 0, 0);

describe('Candidates: cosineFromIndexScore', () => {
  it('recovers the plain cosine from the index score (hand example)', () => {
    // x = [0, 2]: index scores 0.8 and 0.4 (x·y / (‖x‖·M)).
    // Plain cosines: item 0: 8 / (2·5) = 0.8; item 1: 4 / (2·2) = 1.
    const bundle = handBundle(FACTORS, 2);
    expect(cosineFromIndexScore(bundle, 0, 0.8)).toBeCloseTo(0.8, 5);
    expect(cosineFromIndexScore(bundle, 1, 0.4)).toBeCloseTo(1, 5);
  });

  it('returns 0 for an item with a zero factor', () => {
    expect(cosineFromIndexScore(handBundle(FACTORS, 2), 2, 0.3)).toBe(0);
  });

  it('matches x·y / (‖x‖‖y‖) on random factors with norms between M/3 and M', () => {
    const random = createRandom(41);
    const n = 40;
    const d = 4;
    const factors = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const scale = 1 + (2 * i) / (n - 1); // norms spread over a factor of about 3
      for (let p = 0; p < d; p++) factors[i * d + p] = random.normal() * scale;
    }
    const bundle = handBundle(factors, d);
    const x = Float32Array.from({ length: d }, () => random.normal());
    const scores = retrievalScores(bundle, x);
    const xNorm = Math.hypot(...x);
    for (let i = 0; i < n; i++) {
      const y = factors.subarray(i * d, (i + 1) * d);
      let dot = 0;
      for (let p = 0; p < d; p++) dot += x[p]! * y[p]!;
      expect(cosineFromIndexScore(bundle, i, scores[i]!)).toBeCloseTo(dot / (xNorm * Math.hypot(...y)), 4);
    }
  });
});

describe('Candidates: candidateFeatures', () => {
  const bundle = handBundle(FACTORS, 2, {
    itemState: [
      { popularity: 3, trend: 1, firstSeen: T0 - 99 * DAY, categories: ['drama'] },
      { popularity: 0, trend: 0, firstSeen: null, categories: [] },
      { popularity: 0, trend: 0, firstSeen: null, categories: [] },
    ],
  });
  const user = {
    interactionCount: 9,
    categoryShare: new Map([['drama', 0.5]]),
    categoryLastSeen: new Map([['drama', T0 - 2 * DAY]]),
  };

  it('writes one row per candidate with retrieval, recovered cosine and item-to-item scores', () => {
    // Candidates [1, 0] with index scores 0.4 and 0.8 (x = [0, 2]) and item-to-item 0 and 1.5.
    const out = candidateFeatures(
      bundle,
      user,
      {
        items: Int32Array.of(1, 0),
        retrieval: Float32Array.of(0.4, 0.8),
        itemToItem: Float32Array.of(0, 1.5),
      },
      T0,
    );
    expect(out.length).toBe(2 * F);
    // Row 0 (item 1): retrieval 0.4, cosine 1, item-to-item ln 1 = 0, popularity 0, trend 0, ratio 0,
    // age default ln 366 = 5.902633, activity ln 10 = 2.302585, no categories → 0 and ln 3651 = 8.202756
    const row0 = [0.4, 1, 0, 0, 0, 0, 5.902633, 2.302585, 0, 8.202756];
    // Row 1 (item 0): 0.8, 0.8, ln 2.5 = 0.916291, ln 4 = 1.386294, ln 2 = 0.693147, −0.693147,
    // ln 100 = 4.605170, 2.302585, share 0.5, ln 3 = 1.098612
    const row1 = [0.8, 0.8, 0.916291, 1.386294, 0.693147, -0.693147, 4.60517, 2.302585, 0.5, 1.098612];
    row0.forEach((v, k) => expect(out[k]).toBeCloseTo(v, 5));
    row1.forEach((v, k) => expect(out[F + k]).toBeCloseTo(v, 5));
  });

  it('uses the defaults for retrieval and cosine when the index score is NaN, and an empty user when none', () => {
    const out = candidateFeatures(
      bundle,
      undefined,
      { items: Int32Array.of(0), retrieval: Float32Array.of(NaN), itemToItem: Float32Array.of(0) },
      T0,
    );
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(0);
    expect(out[7]).toBe(0); // user_activity ln(1 + 0)
    expect(out[8]).toBe(0);
    expect(out[9]).toBeCloseTo(8.202756, 5);
  });

  it('writes into a caller-provided buffer', () => {
    const buffer = new Float32Array(F).fill(-1);
    const out = candidateFeatures(
      bundle,
      user,
      { items: Int32Array.of(2), retrieval: Float32Array.of(0), itemToItem: Float32Array.of(0) },
      T0,
      buffer,
    );
    expect(out).toBe(buffer);
    expect(buffer[0]).toBe(0);
    expect(buffer[1]).toBe(0); // zero item: cosine 0
  });
});
