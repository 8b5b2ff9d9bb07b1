import type { Reranker } from '../../pipeline/reranker.js';
import { activePromotions } from '../activePromotions.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { applyPromotions } from './applyPromotions.js';

/**
 * Promotions active for this surface now (inside startsAt..endsAt, listing
 * the surface): fixed 1-based positions or multiplicative score boosts, via
 * {@link applyPromotions}. Only moves candidates that passed the filters, so
 * a promoted item the user dismissed or already bought is never placed.
 * Runs last, so fixed positions are exact.
 */
export const promotionsReranker: Reranker<RecommendationQuery> = {
  name: 'promotions',
  async rerank(q, list) {
    const promotions = await activePromotions(q);
    if (promotions.length === 0) return;
    const indexOf = new Map<string, number>();
    list.candidates.forEach((c, idx) => indexOf.set(c.itemId, idx));
    const { order, promoted } = applyPromotions(list.order, list.scores, indexOf, promotions);
    list.order = order;
    for (const [idx, promotionId] of promoted) list.candidates[idx]!.promotionId = promotionId;
  },
};
