/**
 * Ranks of `values` (1 = smallest), ties given the average of the ranks they
 * span ("fractional ranking"), as used by Spearman's ρ.
 * @returns a Float64Array of the same length.
 */
export function fractionalRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Spearman's rank correlation ρ of two score vectors over the same items:
 * the Pearson correlation of their fractional ranks (Spearman 1904; with ties,
 * e.g. Kendall & Gibbons, "Rank Correlation Methods", 5th ed., ch. 3).
 * 1 = same order, −1 = reversed.
 * @returns ρ in [−1, 1], or NaN when n < 2 or either vector is constant.
 * @throws RangeError when the lengths differ.
 */
export function spearmanRho(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new RangeError(`spearmanRho: lengths differ (${a.length} and ${b.length})`);
  const n = a.length;
  if (n < 2) return NaN;
  const ra = fractionalRanks(a);
  const rb = fractionalRanks(b);
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = ra[i]! - mean;
    const y = rb[i]! - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/**
 * Share of the top `k` items by `a` that are also in the top `k` by `b`
 * (ties broken by index), in [0, 1].
 * @throws RangeError when the lengths differ or k < 1.
 */
export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  if (a.length !== b.length)
    throw new RangeError(`topKOverlap: lengths differ (${a.length} and ${b.length})`);
  if (!(k >= 1)) throw new RangeError(`topKOverlap: k must be ≥ 1, got ${k}`);
  const top = (v: ArrayLike<number>) =>
    Array.from({ length: v.length }, (_, i) => i)
      .sort((x, y) => v[y]! - v[x]! || x - y)
      .slice(0, k);
  const ta = top(a);
  const tb = new Set(top(b));
  return ta.filter((i) => tb.has(i)).length / ta.length;
}
