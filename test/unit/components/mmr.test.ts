import { describe, expect, it } from 'vitest';
import { mmrOrder } from '../../../src/components/rerankers/mmr.js';

/**
 * Hand-worked example (Carbonell & Goldstein 1998, MMR = argmax λ·rel − (1−λ)·max sim).
 * Items: A (1,0) rel 1.0; B (1,0) rel 0.9 (a duplicate of A); C (0,1) rel 0.8; D (0.6,0.8) rel 0.3.
 * λ = 0.5:
 *   step 1: A (0.5·1.0 = 0.50 is the largest; nothing picked yet)
 *   step 2: B 0.45 − 0.5·1 = −0.05; C 0.40 − 0 = 0.40; D 0.15 − 0.5·0.6 = −0.15 → C
 *   step 3: B 0.45 − 0.5·max(1, 0) = −0.05; D 0.15 − 0.5·max(0.6, 0.8) = −0.25 → B
 *   step 4: D
 * λ = 0.9: step 2: B 0.81 − 0.1 = 0.71; C 0.72 − 0 = 0.72; D 0.27 − 0.06 = 0.21 → C (just);
 *   step 3: B 0.71; D 0.27 − 0.08 = 0.19 → B; then D.
 */
const emb = Float32Array.from([1, 0, 1, 0, 0, 1, 0.6, 0.8]);
const rel = [1.0, 0.9, 0.8, 0.3];

describe('Re-ranker: MMR (Carbonell & Goldstein 1998)', () => {
  it('reorders the hand-worked 4-item example with λ = 0.5 to A, C, B, D', () => {
    expect(Array.from(mmrOrder(rel, emb, 2, 0.5, 4))).toEqual([0, 2, 1, 3]);
  });

  it('λ = 0.9 still prefers C over the near-duplicate B (0.72 > 0.71)', () => {
    expect(Array.from(mmrOrder(rel, emb, 2, 0.9, 4))).toEqual([0, 2, 1, 3]);
  });

  it('λ = 1 is pure relevance order', () => {
    expect(Array.from(mmrOrder(rel, emb, 2, 1, 4))).toEqual([0, 1, 2, 3]);
  });

  it('λ = 0 picks the most relevant first, then the least similar', () => {
    // After A: sims B 1, C 0, D 0.6 → C; then max sims B 1, D 0.8 → D; then B.
    expect(Array.from(mmrOrder(rel, emb, 2, 0, 4))).toEqual([0, 2, 3, 1]);
  });

  it('returns only k picks and rejects λ outside 0..1', () => {
    expect(Array.from(mmrOrder(rel, emb, 2, 0.5, 2))).toEqual([0, 2]);
    expect(() => mmrOrder(rel, emb, 2, 1.5, 4)).toThrow(RangeError);
  });
});
