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
 * dot products, the bulk of the cost). The rows are widened to float64 once
 * and the dot products run four items at a time (the pick's values are read
 * once for the four); each dot product still sums the same four lanes in the
 * same order as {@link dot}, so results are the same to the bit.
 * @param relevance n scores (any scale; callers normalise to 0..1 so λ means the same for every list).
 * @param embeddings n×d row-major, L2-normalised rows (a zero row is similar to nothing).
 * @param lambda 0..1; 1 = pure relevance order. Throws RangeError outside.
 * @param k picks, ≤ n.
 * @returns indices into the input, best first. O(k·n·d) time, O(n·d) extra memory (the float64 rows).
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
  // float32 → float64 is exact; the products are then the same as on the float32 rows.
  const x = new Float64Array(embeddings);
  const maxSim = new Float64Array(n).fill(-Infinity);
  const taken = new Uint8Array(n);
  const free = new Int32Array(n);
  const mu = 1 - lambda;
  for (let step = 0; step < picks; step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const penalty = step === 0 ? 0 : maxSim[i]!;
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
    for (let i = 0; i < n; i++) if (taken[i] === 0) free[m++] = i;
    const o = best * d;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const i1 = free[j]!;
      const i2 = free[j + 1]!;
      const i3 = free[j + 2]!;
      const i4 = free[j + 3]!;
      const b1 = i1 * d;
      const b2 = i2 * d;
      const b3 = i3 * d;
      const b4 = i4 * d;
      // Four dot products at once, each summed exactly as dot() does (same lanes, same order).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      let v0 = 0;
      let v1 = 0;
      let v2 = 0;
      let v3 = 0;
      let p = 0;
      for (; p + 3 < d; p += 4) {
        const a0 = x[o + p]!;
        const a1 = x[o + p + 1]!;
        const a2 = x[o + p + 2]!;
        const a3 = x[o + p + 3]!;
        s0 += a0 * x[b1 + p]!;
        s1 += a1 * x[b1 + p + 1]!;
        s2 += a2 * x[b1 + p + 2]!;
        s3 += a3 * x[b1 + p + 3]!;
        t0 += a0 * x[b2 + p]!;
        t1 += a1 * x[b2 + p + 1]!;
        t2 += a2 * x[b2 + p + 2]!;
        t3 += a3 * x[b2 + p + 3]!;
        u0 += a0 * x[b3 + p]!;
        u1 += a1 * x[b3 + p + 1]!;
        u2 += a2 * x[b3 + p + 2]!;
        u3 += a3 * x[b3 + p + 3]!;
        v0 += a0 * x[b4 + p]!;
        v1 += a1 * x[b4 + p + 1]!;
        v2 += a2 * x[b4 + p + 2]!;
        v3 += a3 * x[b4 + p + 3]!;
      }
      for (; p < d; p++) {
        const ap = x[o + p]!;
        s0 += ap * x[b1 + p]!;
        t0 += ap * x[b2 + p]!;
        u0 += ap * x[b3 + p]!;
        v0 += ap * x[b4 + p]!;
      }
      const sim1 = s0 + s1 + s2 + s3;
      const sim2 = t0 + t1 + t2 + t3;
      const sim3 = u0 + u1 + u2 + u3;
      const sim4 = v0 + v1 + v2 + v3;
      if (sim1 > maxSim[i1]!) maxSim[i1] = sim1;
      if (sim2 > maxSim[i2]!) maxSim[i2] = sim2;
      if (sim3 > maxSim[i3]!) maxSim[i3] = sim3;
      if (sim4 > maxSim[i4]!) maxSim[i4] = sim4;
    }
    for (; j < m; j++) {
      const i1 = free[j]!;
      const s = dot(x, o, i1 * d, d);
      if (s > maxSim[i1]!) maxSim[i1] = s;
    }
  }
  return out;
}

/** Dot product of the d-vectors at offsets a and b of `x`, four lanes (p mod 4) summed separately, then added. */
function dot(x: Float64Array, a: number, b: number, d: number): number {
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
