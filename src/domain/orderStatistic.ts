/**
 * The k-th smallest value (0-based) of `values`, as `Float64Array.prototype.sort`
 * would place it: ascending, every NaN after every number. Hoare's selection
 * algorithm (FIND; C. A. R. Hoare, "Algorithm 65: Find", CACM 4(7), 1961):
 * partition around the middle element, keep the side that holds position k.
 * Expected O(n) comparisons against O(n log n) for sorting a copy.
 * (Exact search keeps its own float32 variant, `kthLargest` in
 * src/stores/embedded/exactVectorIndex.ts: descending, finite scores, a
 * caller's scratch buffer, one element type so its hot loop stays monomorphic.)
 *
 * `-0` and `+0` compare equal here (the typed-array sort puts `-0` first), so
 * the result may be either zero where the sort gives the other; they are equal
 * under `<` and `===`, the only ways callers compare with it.
 * @param values n numbers; reordered in place (pass a copy to keep the order).
 * @param k 0 ≤ k < n, an integer. Throws RangeError otherwise.
 */
export function selectKthSmallest(values: Float64Array, k: number): number {
  const n = values.length;
  if (!Number.isInteger(k) || k < 0 || k >= n)
    throw new RangeError(`k must be an integer in [0, ${n}), got ${k}`);
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(values[i]!, pivot)) i++;
      while (before(pivot, values[j]!)) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    // Now values[lo..j] ≤ pivot ≤ values[i..hi], and positions strictly between j and i equal the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** Whether `a` sorts strictly before `b`: numbers ascending, NaN last (NaN is before nothing). */
function before(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}
