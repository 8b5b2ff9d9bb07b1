import type { Filter } from '../../pipeline/filter.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/** `similar`: drops the seed item itself. */
export const seedItemFilter: Filter<RecommendationQuery> = {
  name: 'seedItem',
  async filter(q, candidates) {
    const seed = q.seedItemId;
    return seed === null ? candidates : candidates.filter((c) => c.itemId !== seed);
  },
};
