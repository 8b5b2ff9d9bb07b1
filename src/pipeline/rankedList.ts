import type { Candidate } from './candidate.js';
import type { FeatureMatrix } from './featureMatrix.js';

/**
 * A ranked list as re-rankers see it.
 * - `candidates`: the scored candidates (index = feature row); never changes.
 * - `order`: indices into `candidates`, best first: a permutation of 0..n-1.
 * - `scores`: per candidate index (not per position): the score reported for
 *   it; re-rankers may adjust it (boosts, demotions). Always finite.
 */
export interface RankedList {
  readonly candidates: readonly Candidate[];
  readonly features: FeatureMatrix;
  order: number[];
  readonly scores: Float64Array;
}

/** Ranges this short are finished by insertion sort. */
const INSERTION_MAX = 16;

/**
 * Indices 0..n-1 sorted by `scores` descending, ties (equal scores) by
 * lower index first; a NaN score sorts as −∞ (after every number, ties by
 * index). The result is the one permutation that order defines, whatever the
 * algorithm.
 *
 * Introsort (Musser, "Introspective sorting and selection algorithms",
 * Software: Practice and Experience 27(8), 1997): quicksort with a
 * median-of-three pivot, insertion sort below {@link INSERTION_MAX}
 * elements, and heapsort for a range once the recursion is 2·⌊log₂ n⌋ deep,
 * so O(n log n) on every input. The comparison is inlined: with
 * `Array.prototype.sort` and a comparator callback it cost ~2 % of a
 * `recommendations` call's CPU (issue #6; 500 candidates, ~4,500 calls of
 * the callback), 1.5–3× this. O(n) extra memory (the keys, as a Float64Array).
 * @param maxDepth quicksort levels before a range is heapsorted (floored; a
 *   negative or NaN value counts as 0); tests pass 0 to check the heapsort.
 *   @default 2·⌊log₂ n⌋
 */
export function orderByScore(scores: ArrayLike<number>, maxDepth?: number): number[] {
  const n = scores.length;
  const order = new Array<number>(n);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const s = scores[i]!;
    keys[i] = s === s ? s : -Infinity;
  }
  const depth = maxDepth === undefined ? 2 * Math.floor(Math.log2(n)) : Math.max(0, Math.floor(maxDepth));
  if (n > 1) introsort(order, keys, 0, n - 1, Number.isNaN(depth) ? 0 : depth);
  return order;
}

/** Whether index `a` goes before index `b`: higher key, then lower index. */
function before(keys: Float64Array, a: number, b: number): boolean {
  const ka = keys[a]!;
  const kb = keys[b]!;
  return ka > kb || (ka === kb && a < b);
}

/** Sorts `order[lo..hi]` (inclusive) by {@link before}. */
function introsort(order: number[], keys: Float64Array, lo: number, hi: number, depth: number): void {
  while (hi - lo >= INSERTION_MAX) {
    if (depth-- === 0) {
      heapsort(order, keys, lo, hi);
      return;
    }
    // Median of three to order[lo]; order[lo + 1] ≤ pivot ≤ order[hi] as sentinels.
    const mid = lo + ((hi - lo) >> 1);
    swap(order, mid, lo + 1);
    if (before(keys, order[hi]!, order[lo + 1]!)) swap(order, lo + 1, hi);
    if (before(keys, order[hi]!, order[lo]!)) swap(order, lo, hi);
    if (before(keys, order[lo]!, order[lo + 1]!)) swap(order, lo, lo + 1);
    const pivot = order[lo]!;
    let i = lo + 1;
    let j = hi;
    for (;;) {
      do i++;
      while (before(keys, order[i]!, pivot));
      do j--;
      while (before(keys, pivot, order[j]!));
      if (j < i) break;
      swap(order, i, j);
    }
    order[lo] = order[j]!;
    order[j] = pivot;
    // Recurse into the smaller side, loop on the larger: O(log n) stack.
    if (j - lo < hi - j) {
      introsort(order, keys, lo, j - 1, depth);
      lo = j + 1;
    } else {
      introsort(order, keys, j + 1, hi, depth);
      hi = j - 1;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= lo && before(keys, v, order[j]!)) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}

/** Heapsort of `order[lo..hi]` (inclusive) by {@link before}: the introsort fallback. */
function heapsort(order: number[], keys: Float64Array, lo: number, hi: number): void {
  const n = hi - lo + 1;
  for (let k = (n >> 1) - 1; k >= 0; k--) siftDown(order, keys, lo, k, n);
  for (let end = n - 1; end > 0; end--) {
    swap(order, lo, lo + end);
    siftDown(order, keys, lo, 0, end);
  }
}

/** Restores the heap property below node `k` of the heap `order[lo..lo+n-1]` (the "largest" is the last in sort order). */
function siftDown(order: number[], keys: Float64Array, lo: number, k: number, n: number): void {
  for (;;) {
    let child = 2 * k + 1;
    if (child >= n) return;
    if (child + 1 < n && before(keys, order[lo + child]!, order[lo + child + 1]!)) child++;
    if (!before(keys, order[lo + k]!, order[lo + child]!)) return;
    swap(order, lo + k, lo + child);
    k = child;
  }
}

function swap(order: number[], a: number, b: number): void {
  const t = order[a]!;
  order[a] = order[b]!;
  order[b] = t;
}
