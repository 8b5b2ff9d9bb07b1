import type { Selector } from '../../pipeline/selector.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/** Selects the top `first` without paging (e.g. `similar`): nothing is stored, `hasNextPage` is always false. */
export const topOnlySelector: Selector<RecommendationQuery> = {
  name: 'topOnly',
  async select(q, list) {
    return {
      positions: list.order.slice(0, Math.max(0, q.first)),
      offset: 0,
      hasNextPage: false,
      endCursor: null,
    };
  },
};
