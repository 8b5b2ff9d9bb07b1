import type { Selector } from '../../pipeline/selector.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { encodeCursor } from './pagingCursor.js';
import { toStoredList } from './storedRankedList.js';

/**
 * Top `first`, with cursor paging: when more items follow within the list's
 * first `settings.pagingMaxPositions` positions (default 200), those
 * positions of the final list (ids, scores, sources, reason data,
 * promotions, feature rows; see `StoredListColumns`) are stored in the
 * FeatureStore paging cache under the request id for `settings.pagingTtlMs`
 * (default 10 minutes), and `endCursor` points at offset `first` of it.
 * Later pages read that list, so they continue the same ranking and never
 * repeat an item; `rank` counts across pages; the last page ends at the
 * stored length.
 */
export const cursorPagingSelector: Selector<RecommendationQuery> = {
  name: 'cursorPaging',
  async select(q, list) {
    const first = Math.max(0, q.first);
    const positions = list.order.slice(0, first);
    const kept = Math.min(list.order.length, Math.max(1, q.env.settings.pagingMaxPositions));
    const hasNextPage = kept > first;
    if (!hasNextPage) return { positions, offset: 0, hasNextPage, endCursor: null };
    await q.env.store.putRankedList(await toStoredList(q, list, kept), q.env.settings.pagingTtlMs);
    return {
      positions,
      offset: 0,
      hasNextPage,
      endCursor: encodeCursor({ requestId: q.requestId, offset: first }),
    };
  },
};
