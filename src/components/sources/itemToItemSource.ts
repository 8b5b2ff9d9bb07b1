import type { SourceHit } from '../../pipeline/candidate.js';
import type { CandidateSource } from '../../pipeline/candidateSource.js';
import { TopKHeap } from '../../stores/embedded/topKHeap.js';
import type { NeighbourScores } from '../neighbourScores.js';
import { memoNeighbourScores } from '../neighbourScores.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userExclusion } from '../userExclusion.js';

/**
 * ITEM_TO_ITEM: neighbours of the user's recent items (the served model's
 * co-occurrence neighbour lists), scored by the sum of similarities as in
 * training; `via` is the recent item contributing the largest similarity.
 */
export const itemToItemSource: CandidateSource<RecommendationQuery> = {
  name: 'itemToItem',
  kind: 'ITEM_TO_ITEM',
  param: 'itemToItem',
  usesSignal: false,
  async fetch(q, limit) {
    if (q.recent.length === 0) return [];
    const ns = memoNeighbourScores(q, 'recent', () => q.recent.map((r) => r.row));
    return topNeighbours(q, ns, limit, userExclusion(q));
  },
};

/**
 * The `limit` best-scored touched items of `ns` as hits, skipping `exclude`d
 * ones: best first, ties in discovery order (`ns.touched` order), non-finite
 * scores skipped — the same list as training's `topK` over the filtered
 * scores. `exclude` is only asked about items that would enter the current
 * best `limit` (a bounded min-heap, {@link TopKHeap}), not about every
 * touched item. O(touched · log limit). Each hit carries its model row
 * (`row`, the touched row: a row of `q.model.bundle`), so the ranking needs
 * no id → row lookup for it.
 */
export function topNeighbours(
  q: RecommendationQuery,
  ns: NeighbourScores,
  limit: number,
  exclude: (itemId: string) => boolean,
): SourceHit[] {
  const ids = q.model.bundle.itemIds;
  const touched = ns.touched;
  const size = Math.min(Math.floor(limit), touched.length);
  if (!(size > 0)) return [];
  const heap = new TopKHeap(size);
  for (let k = 0; k < touched.length; k++) {
    const s = ns.scores[k]!;
    // Indices arrive ascending: a score tying the worst kept one never enters.
    if (!Number.isFinite(s) || !heap.wouldAccept(s) || exclude(ids.at(touched[k]!)!)) continue;
    heap.push(s, k);
  }
  const { rows } = heap.sorted();
  return Array.from(rows, (k) => {
    const via = ns.via[k]!;
    const row = touched[k]!;
    return { itemId: ids.at(row)!, score: ns.scores[k]!, via: via >= 0 ? ids.at(via)! : null, row };
  });
}
