/**
 * Indices of the `k` largest finite `scores`, best first (ties: lower index
 * first), skipping indices for which `exclude(i)` is true. Uses a binary
 * min-heap of size k: O(n log k) time, O(k) memory.
 * @returns at most k indices (fewer when fewer qualify).
 */
export function topK(scores: ArrayLike<number>, k: number, exclude?: (index: number) => boolean): number[] {
  if (k <= 0) return [];
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  // "worse" = lower score, or equal score with a higher index.
  const worse = (va: number, ia: number, vb: number, ib: number): boolean =>
    va < vb || (va === vb && ia > ib);
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (!Number.isFinite(v) || (exclude && exclude(i))) continue;
    if (size < k) {
      let c = size++;
      heapIdx[c] = i;
      heapVal[c] = v;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heapVal[c]!, heapIdx[c]!, heapVal[p]!, heapIdx[p]!)) break;
        swap(heapIdx, heapVal, c, p);
        c = p;
      }
    } else if (worse(heapVal[0]!, heapIdx[0]!, v, i)) {
      heapIdx[0] = i;
      heapVal[0] = v;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        const r = l + 1;
        let m = c;
        if (l < size && worse(heapVal[l]!, heapIdx[l]!, heapVal[m]!, heapIdx[m]!)) m = l;
        if (r < size && worse(heapVal[r]!, heapIdx[r]!, heapVal[m]!, heapIdx[m]!)) m = r;
        if (m === c) break;
        swap(heapIdx, heapVal, c, m);
        c = m;
      }
    }
  }
  const out = Array.from(heapIdx.subarray(0, size));
  const val = new Map(out.map((idx, j) => [idx, heapVal[j]!]));
  return out.sort((a, b) => val.get(b)! - val.get(a)! || a - b);
}

function swap(idx: Int32Array, val: Float64Array, a: number, b: number): void {
  const ti = idx[a]!;
  idx[a] = idx[b]!;
  idx[b] = ti;
  const tv = val[a]!;
  val[a] = val[b]!;
  val[b] = tv;
}

const orderCache = new WeakMap<ArrayLike<number>, Int32Array>();

/**
 * The first `k` indices of `scores` in descending order (ties: lower index
 * first) that `exclude` does not reject. The full order is computed once per
 * scores array (O(n log n)) and cached, so repeated calls for many users with
 * the same global scores (popularity, trend) cost O(k + excluded) each.
 * Non-finite scores are never returned. Do not mutate `scores` after the first call.
 */
export function topKCached(
  scores: ArrayLike<number>,
  k: number,
  exclude?: (index: number) => boolean,
): number[] {
  let order = orderCache.get(scores);
  if (!order) {
    const idx: number[] = [];
    for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]!)) idx.push(i);
    idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
    order = Int32Array.from(idx);
    orderCache.set(scores, order);
  }
  const out: number[] = [];
  for (let j = 0; j < order.length && out.length < k; j++) {
    const i = order[j]!;
    if (!exclude || !exclude(i)) out.push(i);
  }
  return out;
}
