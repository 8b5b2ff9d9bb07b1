/** Options of {@link selectKthSmallest}. */
export interface SelectionOptions {
  /** Counters to increment (tests bound them; profiling reads them). */
  readonly work?: SelectionWork;
  /** Partition passes before the range left is sorted. @default 2·⌈log₂(n + 1)⌉ + 4 */
  readonly maxPasses?: number;
}

/** Work counted by {@link selectKthSmallest} (see {@link SelectionOptions.work}). */
export interface SelectionWork {
  /** Elements visited by partition passes (each pass visits its whole range once). */
  partitioned: number;
  /** Whether a range was sorted after the partition passes ran out (see the depth limit). */
  sortedFallback: boolean;
}

/**
 * The k-th smallest value (0-based) of `values`, as `Float64Array.prototype.sort`
 * would place it: ascending, every NaN after every number. Hoare's selection
 * algorithm (FIND; C. A. R. Hoare, "Algorithm 65: Find", CACM 4(7), 1961):
 * partition around the median of the first, middle and last elements, keep
 * the side that holds position k. Expected O(n) comparisons against O(n log n)
 * for sorting a copy. As in introselect (D. R. Musser, "Introspective sorting
 * and selection algorithms", Software: Practice and Experience 27(8), 1997),
 * after 2·⌈log₂(n + 1)⌉ + 4 partition passes the range left is sorted instead, so
 * inputs that defeat the pivot rule (an organ-pipe list: up, then down) cost
 * O(n log n), not O(n²).
 * (Exact search keeps its own float32 variant, `kthLargest` in
 * src/stores/embedded/exactVectorIndex.ts: descending, finite scores, a
 * caller's scratch buffer, one element type so its hot loop stays monomorphic.)
 *
 * `-0` and `+0` compare equal here (the typed-array sort puts `-0` first), so
 * the result may be either zero where the sort gives the other; they are equal
 * under `<` and `===`, the only ways callers compare with it.
 * @param values n numbers; reordered in place (pass a copy to keep the order).
 * @param k 0 ≤ k < n, an integer. Throws RangeError otherwise.
 * @param options counters and the pass budget ({@link SelectionOptions}).
 */
export function selectKthSmallest(values: Float64Array, k: number, options: SelectionOptions = {}): number {
  const n = values.length;
  if (!Number.isInteger(k) || k < 0 || k >= n)
    throw new RangeError(`k must be an integer in [0, ${n}), got ${k}`);
  let lo = 0;
  let hi = n - 1;
  const work = options.work;
  let passesLeft = options.maxPasses ?? 2 * Math.ceil(Math.log2(n + 1)) + 4;
  while (hi > lo) {
    if (passesLeft-- === 0) {
      // Typed-array sort orders numbers ascending with NaN last: the same order as `before`.
      values.subarray(lo, hi + 1).sort();
      if (work !== undefined) work.sortedFallback = true;
      return values[k]!;
    }
    if (work !== undefined) work.partitioned += hi - lo + 1;
    const pivot = medianOfThree(values[lo]!, values[(lo + hi) >>> 1]!, values[hi]!);
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

/** The median of three values in the order of {@link before}. */
function medianOfThree(a: number, b: number, c: number): number {
  if (before(b, a)) [a, b] = [b, a];
  if (before(c, b)) {
    b = c;
    if (before(b, a)) b = a;
  }
  return b;
}
