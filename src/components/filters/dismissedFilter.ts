import type { Filter } from '../../pipeline/filter.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/** Drops items the user DISMISSed or DISLIKEd: they never come back. */
export const dismissedFilter: Filter<RecommendationQuery> = {
  name: 'dismissed',
  async filter(q, candidates) {
    const dismissed = q.user?.dismissed;
    if (dismissed === undefined || dismissed.size === 0) return candidates;
    return candidates.filter((c) => !dismissed.has(c.itemId));
  },
};
