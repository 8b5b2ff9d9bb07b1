import type { Filter } from '../../pipeline/filter.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * Drops items that are not in the catalog or are marked `available: false`.
 * Reads the catalog rows of all candidates in one batch (the request's
 * `items` DataLoader), together with the query's context items (recent,
 * session, seed) whose titles the reasons need, so the whole request reads
 * the item family once.
 */
export const unavailableFilter: Filter<RecommendationQuery> = {
  name: 'unavailable',
  async filter(q, candidates) {
    const loader = q.env.loaders.items;
    const [items] = await Promise.all([
      loader.loadMany(candidates.map((c) => c.itemId)),
      q.contextItemIds.length > 0 ? loader.loadMany(q.contextItemIds) : Promise.resolve([]),
    ]);
    return candidates.filter((_, j) => {
      const item = items[j];
      return item !== null && item !== undefined && !(item instanceof Error) && item.available !== false;
    });
  },
};
