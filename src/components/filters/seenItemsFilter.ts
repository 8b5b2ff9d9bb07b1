import type { Filter } from '../../pipeline/filter.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * Drops items the user already interacted with (any feedback type, including
 * purchases), and the request's session items (the anonymous user just did).
 */
export const seenItemsFilter: Filter<RecommendationQuery> = {
  name: 'seenItems',
  async filter(q, candidates) {
    const seen = q.user?.seen;
    const session = q.sessionItemIds.length > 0 ? new Set(q.sessionItemIds) : null;
    if ((seen === undefined || seen.size === 0) && session === null) return candidates;
    return candidates.filter((c) => !(seen?.has(c.itemId) ?? false) && !(session?.has(c.itemId) ?? false));
  },
};
