import type { ImplicitMatrix } from './implicitMatrix.js';

/**
 * Top-N neighbours of one item: parallel arrays, best first.
 * `items` are item indices, `scores` cosine similarities in (0, 1].
 */
export interface NeighbourList {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Options for {@link computeItemNeighbours}. */
export interface ItemNeighbourOptions {
  /** Neighbours kept per item. @default 50 */
  readonly topN?: number;
  /** Minimum number of common users for a pair to count. @default 2 */
  readonly minCoCount?: number;
  /**
   * Shrinkage added to the cosine denominator, damping pairs with little
   * support: co / (sqrt(n_i·n_j) + shrink). 0 is plain cosine. @default 0
   */
  readonly shrink?: number;
}

/**
 * Item-to-item neighbours by co-occurrence cosine: for items i and j seen by
 * user sets U_i and U_j, sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i|·|U_j|) (binary
 * cosine; weights are ignored). This is the item-based collaborative
 * filtering similarity of Sarwar et al. (WWW 2001) and Linden, Smith & York
 * (IEEE Internet Computing 2003, "Amazon.com recommendations").
 *
 * Cost: Σ_u n_u² accumulations plus a top-N selection per item; one dense
 * nItems-length accumulator is reused across items.
 * @returns one {@link NeighbourList} per item index (possibly empty).
 */
export function computeItemNeighbours(
  matrix: ImplicitMatrix,
  options: ItemNeighbourOptions = {},
): NeighbourList[] {
  const topN = options.topN ?? 50;
  const minCo = options.minCoCount ?? 2;
  const shrink = options.shrink ?? 0;
  const { nItems, itemPtr, itemUsers, userPtr, userItems } = matrix;
  const counts = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const result: NeighbourList[] = [];
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let k = itemPtr[i]!; k < itemPtr[i + 1]!; k++) {
      const u = itemUsers[k]!;
      for (let m = userPtr[u]!; m < userPtr[u + 1]!; m++) {
        const j = userItems[m]!;
        if (j === i) continue;
        if (counts[j] === 0) touched[nTouched++] = j;
        counts[j]!++;
      }
    }
    const ni = itemPtr[i + 1]! - itemPtr[i]!;
    const candidates: { j: number; s: number }[] = [];
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      const co = counts[j]!;
      counts[j] = 0;
      if (co < minCo) continue;
      const nj = itemPtr[j + 1]! - itemPtr[j]!;
      candidates.push({ j, s: co / (Math.sqrt(ni * nj) + shrink) });
    }
    candidates.sort((a, b) => b.s - a.s || a.j - b.j);
    const kept = candidates.slice(0, topN);
    result.push({ items: Int32Array.from(kept, (c) => c.j), scores: Float32Array.from(kept, (c) => c.s) });
  }
  return result;
}
