import { mmrKernel } from './mmrKernel.js';

/**
 * Maximal marginal relevance (Carbonell & Goldstein, "The use of MMR,
 * diversity-based reranking for reordering documents and producing
 * summaries", SIGIR 1998). Greedily picks `k` of `n` items, each time the one
 * maximising λ·relevance − (1−λ)·(max cosine to the items already picked);
 * the first pick is the most relevant (the max over an empty set counts as 0).
 * Ties go to the lower index.
 *
 * After each pick, the max cosine of every item still free is updated with
 * its cosine to the pick (every pair is computed once: with k = n, n(n−1)/2
 * dot products, the bulk of the cost). The rows are widened to float64 once,
 * into the WebAssembly memory of {@link mmrKernel}, whose SIMD kernel
 * (`mmrKernel.wat`) computes the dot products two items at a time; each still
 * sums four lanes (p mod 4) in p order, the components past the last
 * whole group of four into lane 0, then ((lane 0 + lane 1) + lane 2) + lane 3, as the
 * JavaScript loop it replaced did, with no fused
 * multiply-add, so results are the same to the bit (test/unit/components/mmr.test.ts
 * compares the picks with the plain algorithm). At 50 items × 64 dimensions
 * the kernel takes about a third of the time of the JavaScript loop it replaced
 * (BENCHMARKS.md, the session of 2026-12-05 14:01 UTC).
 * @param relevance n scores (any scale; callers normalise to 0..1 so λ means the same for every list).
 * @param embeddings n×d row-major, L2-normalised rows (a zero row is similar to nothing).
 * @param lambda 0..1; 1 = pure relevance order. Throws RangeError outside.
 * @param k picks, ≤ n.
 * @returns indices into the input, best first. O(k·n·d) time, O(n·d) extra memory (the float64 rows,
 *   kept in the kernel's memory, which grows to the largest n·d seen).
 * @throws RangeError for λ outside [0, 1], embeddings that are not n×d, or a run too large for
 *   WebAssembly memory (n·d above ~500M).
 */
export function mmrOrder(
  relevance: ArrayLike<number>,
  embeddings: Float32Array,
  d: number,
  lambda: number,
  k: number,
): Int32Array {
  const n = relevance.length;
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`MMR λ must be in [0, 1], got ${lambda}`);
  if (embeddings.length !== n * d)
    throw new RangeError(`expected ${n}×${d} embeddings, got ${embeddings.length} values`);
  const picks = Math.max(0, Math.min(k, n));
  const out = new Int32Array(picks);
  if (picks === 0) return out;
  const kernel = mmrKernel();
  const { f64, i32, rowsAt, maxSimAt, freeAt } = kernel.reserve(n, d);
  // float32 → float64 is exact; the products are then the same as on the float32 rows.
  f64.set(embeddings, rowsAt / 8);
  const maxSim = maxSimAt / 8; // index of item 0's max similarity in f64
  f64.fill(-Infinity, maxSim, maxSim + n);
  const free = freeAt / 4; // index of the free list in i32
  const taken = new Uint8Array(n);
  const mu = 1 - lambda;
  for (let step = 0; step < picks; step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const penalty = step === 0 ? 0 : f64[maxSim + i]!;
      const value = lambda * relevance[i]! - mu * penalty;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    out[step] = best;
    taken[best] = 1;
    if (step + 1 === picks) break; // no later step reads maxSim
    let m = 0;
    for (let i = 0; i < n; i++) if (taken[i] === 0) i32[free + m++] = i;
    kernel.update(rowsAt, d, rowsAt + best * d * 8, freeAt, m, maxSimAt);
  }
  return out;
}
