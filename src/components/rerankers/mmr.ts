/**
 * Maximal marginal relevance (Carbonell & Goldstein, "The use of MMR,
 * diversity-based reranking for reordering documents and producing
 * summaries", SIGIR 1998). Greedily picks `k` of `n` items, each time the one
 * maximising λ·relevance − (1−λ)·(max cosine to the items already picked);
 * the first pick is the most relevant (the max over an empty set counts as 0).
 * Ties go to the lower index.
 * @param relevance n scores (any scale; callers normalise to 0..1 so λ means the same for every list).
 * @param embeddings n×d row-major, L2-normalised rows (a zero row is similar to nothing).
 * @param lambda 0..1; 1 = pure relevance order. Throws RangeError outside.
 * @param k picks, ≤ n.
 * @returns indices into the input, best first. O(k·n·d) time, O(n) extra memory.
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
  const maxSim = new Float64Array(n).fill(-Infinity);
  const taken = new Uint8Array(n);
  for (let step = 0; step < picks; step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const penalty = step === 0 ? 0 : maxSim[i]!;
      const value = lambda * relevance[i]! - (1 - lambda) * penalty;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    out[step] = best;
    taken[best] = 1;
    const o = best * d;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const s = dot(embeddings, o, i * d, d);
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return out;
}

/** Dot product of the d-vectors at offsets a and b of `x`, four lanes at a time. */
function dot(x: Float32Array, a: number, b: number, d: number): number {
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
