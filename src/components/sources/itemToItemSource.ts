import type { SourceHit } from '../../pipeline/candidate.js';
import type { CandidateSource } from '../../pipeline/candidateSource.js';
import { topK } from '../../../models/pipeline/topK.js';
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
  async fetch(q, limit) {
    if (q.recent.length === 0) return [];
    const ns = memoNeighbourScores(q, 'recent', () => q.recent.map((r) => r.row));
    return topNeighbours(q, ns, limit, userExclusion(q));
  },
};

/** The `limit` best-scored touched items of `ns` as hits, skipping `exclude`d ones. */
export function topNeighbours(
  q: RecommendationQuery,
  ns: NeighbourScores,
  limit: number,
  exclude: (itemId: string) => boolean,
): SourceHit[] {
  const ids = q.model.bundle.itemIds;
  const touched = ns.touched;
  return topK(ns.scores, limit, (k) => exclude(ids[touched[k]!]!)).map((k) => {
    const via = ns.via[k]!;
    return { itemId: ids[touched[k]!]!, score: ns.scores[k]!, via: via >= 0 ? ids[via]! : null };
  });
}
