import type { CandidateSource } from '../../pipeline/candidateSource.js';
import { memoNeighbourScores, sessionRows } from '../neighbourScores.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userExclusion } from '../userExclusion.js';
import { topNeighbours } from './itemToItemSource.js';

/**
 * SESSION: neighbours of the request's `sessionItemIds` (items the model does
 * not know contribute nothing), scored like ITEM_TO_ITEM; the session items
 * themselves are never proposed.
 */
export const sessionSource: CandidateSource<RecommendationQuery> = {
  name: 'session',
  kind: 'SESSION',
  param: 'session',
  usesSignal: false,
  async fetch(q, limit) {
    if (q.sessionItemIds.length === 0) return [];
    const ns = memoNeighbourScores(q, 'session', () => sessionRows(q));
    const session = new Set(q.sessionItemIds);
    const exclude = userExclusion(q);
    return topNeighbours(q, ns, limit, (id) => session.has(id) || exclude(id));
  },
};
