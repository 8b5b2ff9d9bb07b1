import { decodeTableOf } from '../../src/domain/itemVectors.js';
import type { ModelBundle, UserState } from './modelBundle.js';
import { topK, topKCached } from './topK.js';
import type { TrainConfig } from './trainConfig.js';

/**
 * De-duplicated candidates of one user with their generation scores:
 * `items[j]` has retrieval cosine `retrieval[j]` (NaN without a user vector)
 * and item-to-item score `itemToItem[j]` (0 when no recent item points to it).
 */
export interface CandidateSet {
  readonly items: Int32Array;
  readonly retrieval: Float32Array;
  readonly itemToItem: Float32Array;
}

/**
 * Cosine between the query [userVector, 0] and every item vector (unit rows
 * of d+1 components, see `mipsToCosine`): the iALS dot product scaled by
 * 1/(‖x‖·M), so it ranks like the dot product and lies in [-1, 1].
 * @returns Float32Array of nItems; all NaN when `userVector` is null or zero.
 */
export function retrievalScores(bundle: ModelBundle, userVector: Float32Array | null): Float32Array {
  const n = bundle.itemIds.length;
  const d = bundle.dimension;
  const out = new Float32Array(n);
  let norm = 0;
  if (userVector) for (let p = 0; p < d; p++) norm += userVector[p]! * userVector[p]!;
  if (!userVector || norm === 0) return out.fill(NaN);
  norm = Math.sqrt(norm);
  const v = bundle.itemVectors;
  const table = decodeTableOf(v);
  const w = d + 1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * w;
    if (table === null) for (let p = 0; p < d; p++) s += userVector[p]! * v[o + p]!;
    else for (let p = 0; p < d; p++) s += userVector[p]! * table[v[o + p]!]!;
    out[i] = s / norm;
  }
  return out;
}

/**
 * Sum of neighbour similarities from the user's recent items to every item
 * (the item-based CF score). @returns Float32Array of nItems.
 */
export function itemToItemScores(bundle: ModelBundle, recentItems: readonly number[]): Float32Array {
  const out = new Float32Array(bundle.itemIds.length);
  for (const r of recentItems) {
    const list = bundle.neighbours[r];
    if (!list) continue;
    for (let k = 0; k < list.items.length; k++) out[list.items[k]!]! += list.scores[k]!;
  }
  return out;
}

/**
 * Candidate generation as the gateway's home surface does it: the union of
 * the top items by embedding cosine, by item-to-item score, by decayed
 * popularity and by trend, skipping seen and unavailable items.
 * @param retrieval output of {@link retrievalScores} for this user.
 */
export function generateCandidates(
  bundle: ModelBundle,
  state: UserState | undefined,
  retrieval: Float32Array,
  counts: TrainConfig['candidates'],
): CandidateSet {
  const seen = state?.seen;
  const exclude = (i: number): boolean => !bundle.available[i] || (seen?.has(i) ?? false);
  const i2i = itemToItemScores(bundle, state?.recentItems ?? []);
  const chosen = new Set<number>();
  if (!Number.isNaN(retrieval[0]!)) for (const i of topK(retrieval, counts.embedding, exclude)) chosen.add(i);
  if (state && state.recentItems.length > 0) {
    for (const i of topK(i2i, counts.itemToItem, (i) => i2i[i] === 0 || exclude(i))) chosen.add(i);
  }
  for (const i of topKCached(bundle.popularity, counts.popular, exclude)) chosen.add(i);
  for (const i of topKCached(bundle.trend, counts.trending, exclude)) chosen.add(i);
  const items = Int32Array.from(chosen);
  return {
    items,
    retrieval: Float32Array.from(items, (i) => retrieval[i]!),
    itemToItem: Float32Array.from(items, (i) => i2i[i]!),
  };
}
