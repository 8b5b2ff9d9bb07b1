/**
 * The best `k` indices of `values` in the order a full sort by
 * `(values[i] descending, i ascending)` would put them, without sorting all of
 * them: a bounded binary min-heap of size k keeps the k best seen so far
 * (its root is the worst of them), then the k survivors are sorted. O(n log k)
 * time, O(k) extra memory (a textbook top-k selection, e.g. Cormen et al.,
 * "Introduction to Algorithms", §6.5, priority queues).
 *
 * The result equals `sortedIndices(values).subarray(0, k)` of a full sort with
 * the comparator `values[b] − values[a] || a − b` whenever no value is NaN
 * (callers store 0 for a non-finite counter).
 *
 * Work can be spread over several event-loop turns: {@link TopIndicesSelector.push}
 * takes any run of candidates in ascending index order, {@link TopIndicesSelector.result}
 * sorts the survivors.
 */
export class TopIndicesSelector {
  private readonly heap: Int32Array;
  private size = 0;

  /**
   * @param values the scores, indexed by item index (read, never written).
   * @param k how many indices to keep, an integer ≥ 0. Throws RangeError otherwise.
   */
  constructor(
    private readonly values: Float32Array,
    readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer ≥ 0, got ${k}`);
    this.heap = new Int32Array(k);
  }

  /**
   * Offers the indices `from .. to − 1` (ascending, all after any index pushed
   * before). A candidate enters only when strictly better than the current
   * worst kept: on equal values the earlier (lower) index wins, as in the sort.
   */
  pushRange(from: number, to: number): void {
    for (let i = from; i < to; i++) this.offer(i);
  }

  /** Offers `candidates[from .. to − 1]`: indices in ascending order, after any pushed before. */
  pushSubset(candidates: Int32Array, from: number, to: number): void {
    for (let j = from; j < to; j++) this.offer(candidates[j]!);
  }

  /** The kept indices, best first (at most k; fewer when fewer were offered). */
  result(): Int32Array {
    const out = this.heap.slice(0, this.size);
    const v = this.values;
    // -1/0/1 or an index difference (small integers: no heap number per comparison).
    return out.sort((a, b) => {
      const d = v[b]! - v[a]!;
      return d > 0 ? 1 : d < 0 ? -1 : a - b;
    });
  }

  private offer(i: number): void {
    const heap = this.heap;
    const v = this.values;
    if (this.size < this.k) {
      // Sift up: the root is the worst kept (smallest value; on ties the larger index).
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(v, i, heap[p]!)) break;
        heap[c] = heap[p]!;
        c = p;
      }
      heap[c] = i;
      return;
    }
    // Indices arrive in ascending order, so a tie with the root loses: only a strictly larger value enters.
    if (this.k === 0 || !(v[i]! > v[heap[0]!]!)) return;
    let c = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= n) break;
      const r = l + 1;
      const w = r < n && worse(v, heap[r]!, heap[l]!) ? r : l;
      if (!worse(v, heap[w]!, i)) break;
      heap[c] = heap[w]!;
      c = w;
    }
    heap[c] = i;
  }
}

/** Whether item a ranks after item b: a smaller value, or an equal value and a larger index. */
function worse(v: Float32Array, a: number, b: number): boolean {
  const va = v[a]!;
  const vb = v[b]!;
  return va < vb || (va === vb && a > b);
}

/**
 * The best `k` indices of `values` (or of `candidates`, ascending indices into
 * `values`, when given), best first by value then lower index: the first k of a
 * full sort, in O(n log k). See {@link TopIndicesSelector}.
 * @throws RangeError for a k that is not an integer ≥ 0.
 */
export function topIndices(values: Float32Array, k: number, candidates?: Int32Array): Int32Array {
  const s = new TopIndicesSelector(values, k);
  if (candidates === undefined) s.pushRange(0, values.length);
  else s.pushSubset(candidates, 0, candidates.length);
  return s.result();
}
