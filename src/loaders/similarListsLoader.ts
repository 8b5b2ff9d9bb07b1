import DataLoader from 'dataloader';
import type { RecommendationList, SimilarItemsRequest } from '../services/serviceTypes.js';

/**
 * Similar-item lists of one request, batched: every `Item.similar` resolved
 * in the same tick becomes one call of `run`, which computes the lists
 * together (so their store reads batch into one read per feature family).
 * `run` returns one list or Error per request, in order (DataLoader's contract).
 * Keys are compared by value (item, user, first, filter).
 */
export function createSimilarListsLoader(
  run: (requests: readonly SimilarItemsRequest[]) => Promise<(RecommendationList | Error)[]>,
): DataLoader<SimilarItemsRequest, RecommendationList, string> {
  return new DataLoader(run, {
    name: 'similarLists',
    cacheKeyFn: (r) => JSON.stringify([r.itemId, r.userId, r.first, r.filter ?? null]),
  });
}
