import type { Reranker } from '../../pipeline/reranker.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { capCategories } from './categoryCap.js';

/**
 * At most `params.categoryCap` items (default 5; 0 = off) of one category in
 * the top `settings.categoryCapWindow` positions (default 20), via
 * {@link capCategories}. Categories come from the catalog rows the hydrator read.
 */
export const categoryCapReranker: Reranker<RecommendationQuery> = {
  name: 'categoryCap',
  rerank(q, list) {
    const categories = q.rows?.categories;
    if (categories === undefined || q.params.categoryCap <= 0) return;
    list.order = capCategories(
      list.order,
      (idx) => categories[idx] ?? [],
      q.params.categoryCap,
      q.env.settings.categoryCapWindow,
    );
  },
};
