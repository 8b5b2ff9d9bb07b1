import { addCandidateSource } from '../../pipeline/candidate.js';
import type { Reranker } from '../../pipeline/reranker.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { selectKthSmallest } from '../../domain/orderStatistic.js';
import { fillExplorationSlots } from './explorationSlots.js';

/**
 * Exploration (issue #3 §2): a share `params.explorationShare` of the
 * positions (default 0.05, 1 in 20) goes to under-exposed or new items,
 * chosen reproducibly from the HTTP request id when there is one, else the
 * list id ({@link fillExplorationSlots}): replaying a request with the same
 * `x-request-id` gives the same slots. A seed, never a storage key.
 * Pool: items the served model does not know or created after its training
 * data ends (new), and items whose live popularity is in the lowest
 * `settings.explorationQuantile` of the list (under-exposed). Chosen items
 * get the source `EXPLORATION`. Only candidates that passed the filters can be chosen.
 */
export const explorationSlotsReranker: Reranker<RecommendationQuery> = {
  name: 'explorationSlots',
  rerank(q, list) {
    const share = q.params.explorationShare;
    const rows = q.rows;
    if (!(share > 0) || rows === null || list.order.length === 0) return;
    const n = list.candidates.length;
    const popularity = rows.popularity;
    // The quantile is selected from one copy (reordered by the selection; no sort).
    const rank = Math.min(n - 1, Math.floor(q.env.settings.explorationQuantile * n));
    const threshold = selectKthSmallest(popularity.slice(0, n), rank);
    const reference = q.model.bundle.referenceTime;
    // Pool membership per candidate index, decided once (not once per slot).
    const pool = new Uint8Array(n);
    for (let idx = 0; idx < n; idx++) {
      const isNew = isNewItem(rows.modelRows[idx]!, rows.createdAt[idx]!, reference);
      if (isNew || popularity[idx]! < threshold) pool[idx] = 1;
    }
    const { order, explored } = fillExplorationSlots(
      q.httpRequestId ?? q.requestId,
      list.order,
      share,
      (idx) => pool[idx] === 1,
    );
    list.order = order;
    for (const idx of explored) {
      addCandidateSource(list.candidates[idx]!, 'EXPLORATION', null);
    }
  },
};

/**
 * New: unknown to the served model, or created after its training data ends.
 * @param createdAt the catalog's `createdAt` (Unix ms); null or NaN when unknown.
 */
export function isNewItem(modelRow: number, createdAt: number | null, referenceTime: number): boolean {
  return modelRow < 0 || (createdAt !== null && createdAt > referenceTime);
}
