import { describe, expect, it } from 'vitest';
import { watBinaryBase64 } from '../../support/watBinary.js';
import { mmrOrder } from '../../../src/components/rerankers/mmr.js';
import { MMR_KERNEL_BASE64, MmrKernel } from '../../../src/components/rerankers/mmrKernel.js';
import { createRandom } from '../../../src/domain/random.js';

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

/**
 * Dot product of the d-vectors at offsets a and b of `x`: four lanes (p mod 4)
 * summed separately in p order, the components past the last whole group of
 * four added to lane 0, then ((lane 0 + lane 1) + lane 2) + lane 3 — the sum
 * mmrOrder's kernel computes for each pair.
 */
function laneDot(x: ArrayLike<number>, a: number, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = 0;
  for (; p + 3 < d; p += 4) {
    s0 += x[a + p]! * x[b + p]!;
    s1 += x[a + p + 1]! * x[b + p + 1]!;
    s2 += x[a + p + 2]! * x[b + p + 2]!;
    s3 += x[a + p + 3]! * x[b + p + 3]!;
  }
  for (; p < d; p++) s0 += x[a + p]! * x[b + p]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The plain form of the algorithm (as first written): float32 rows, one dot
 * product at a time, every free item updated after every pick. The optimised
 * {@link mmrOrder} must pick the same items in the same order.
 */
function referenceMmr(
  relevance: ArrayLike<number>,
  e: Float32Array,
  d: number,
  lambda: number,
  k: number,
): number[] {
  const n = relevance.length;
  const out: number[] = [];
  const maxSim = new Float64Array(n).fill(-Infinity);
  const taken = new Uint8Array(n);
  const dot = (a: number, b: number): number => laneDot(e, a, b, d);
  for (let step = 0; step < Math.min(k, n); step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const value = lambda * relevance[i]! - (1 - lambda) * (step === 0 ? 0 : maxSim[i]!);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    out.push(best);
    taken[best] = 1;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const s = dot(best * d, i * d);
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return out;
}

describe('Re-ranker: MMR, optimised form', () => {
  it('matches the plain algorithm on random inputs (clusters, duplicates, zero rows, tied relevance, any d)', () => {
    const rng = createRandom(11);
    for (let t = 0; t < 500; t++) {
      const n = rng.int(0, 60);
      const d = rng.int(1, 17);
      const clusters = Array.from({ length: 4 }, () => Array.from({ length: d }, () => rng.normal()));
      const e = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const kind = rng.int(0, 9);
        if (kind === 0) continue; // zero row: an item the model does not know
        if (kind === 1 && i > 0) {
          e.copyWithin(i * d, (i - 1) * d, i * d); // duplicate of the previous item
          continue;
        }
        const c = clusters[rng.int(0, 3)]!;
        const v = c.map((x) => 2 * x + rng.normal());
        const norm = Math.hypot(...v) || 1;
        for (let p = 0; p < d; p++) e[i * d + p] = v[p]! / norm;
      }
      // Half the lists have coarse relevance, so ties are common.
      const relevance = Array.from({ length: n }, () => (t % 2 === 0 ? rng.int(0, 4) / 4 : rng.next()));
      const lambda = [0, 0.3, 0.5, 0.8, 0.9, 1][t % 6]!;
      const k = t % 3 === 0 ? rng.int(0, n) : n;
      expect(Array.from(mmrOrder(relevance, e, d, lambda, k))).toEqual(
        referenceMmr(relevance, e, d, lambda, k),
      );
    }
  });
});

describe('Re-ranker: MMR kernel (mmrKernel.wat)', () => {
  it('is mmrKernel.wat compiled by wabt (the shipped base64 matches its source)', async () => {
    expect(await watBinaryBase64('src/components/rerankers/mmrKernel.wat')).toBe(MMR_KERNEL_BASE64);
  });

  it('raises each listed max similarity to the four-lane dot product (laneDot), bit for bit (every d mod 4, odd and even lists)', () => {
    const rng = createRandom(5);
    const kernel = new MmrKernel();
    for (let t = 0; t < 300; t++) {
      const n = rng.int(1, 40);
      const d = rng.int(1, 70);
      const { f64, i32, rowsAt, maxSimAt, freeAt } = kernel.reserve(n, d);
      const rows = Float64Array.from({ length: n * d }, () => Math.fround(rng.normal()));
      f64.set(rows, rowsAt / 8);
      // Earlier max similarities: some above every dot product, some below, some -Infinity, some NaN.
      const before = Float64Array.from(
        { length: n },
        (_, i) => [-Infinity, 1e9, -1e9, NaN, rng.normal() * d][i % 5]!,
      );
      f64.set(before, maxSimAt / 8);
      const pick = rng.int(0, n - 1);
      const listed = Array.from({ length: n }, (_, i) => i).filter((i) => i !== pick && rng.next() < 0.7);
      i32.set(listed, freeAt / 4);
      kernel.update(rowsAt, d, rowsAt + pick * d * 8, freeAt, listed.length, maxSimAt);
      const after = f64.slice(maxSimAt / 8, maxSimAt / 8 + n);
      for (let i = 0; i < n; i++) {
        let want = before[i]!;
        if (listed.includes(i)) {
          const s = laneDot(rows, pick * d, i * d, d);
          if (s > want) want = s;
        }
        expect(Object.is(after[i], want), `t=${t} n=${n} d=${d} item ${i}: ${after[i]} vs ${want}`).toBe(
          true,
        );
      }
    }
  });

  it('grows its memory past one page and still matches the plain algorithm (400 items × 64)', () => {
    const rng = createRandom(3);
    const n = 400;
    const d = 64; // 400 × 64 × 8 bytes = 200 KiB of rows: the kernel's memory grows from 64 KiB
    const e = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const v = Array.from({ length: d }, () => rng.normal());
      const norm = Math.hypot(...v);
      for (let p = 0; p < d; p++) e[i * d + p] = v[p]! / norm;
    }
    const relevance = Array.from({ length: n }, () => rng.next());
    expect(Array.from(mmrOrder(relevance, e, d, 0.7, 60))).toEqual(referenceMmr(relevance, e, d, 0.7, 60));
    // A small run after the large one reuses the grown memory.
    expect(Array.from(mmrOrder(rel, emb, 2, 0.5, 4))).toEqual([0, 2, 1, 3]);
  });
});
