import type { SourceHit } from '../../pipeline/candidate.js';
import type { CandidateSource } from '../../pipeline/candidateSource.js';
import { activePromotions } from '../activePromotions.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * PROMOTION: the items of the promotions active for this surface now, so the
 * `promotions` re-ranker can place them. Filters still apply: a promoted item
 * the user dismissed is never shown. Score: the promotion's boost (1 without).
 */
export const promotionSource: CandidateSource<RecommendationQuery> = {
  name: 'promotion',
  kind: 'PROMOTION',
  param: 'promotion',
  usesSignal: false,
  async fetch(q, limit) {
    const out: SourceHit[] = [];
    const taken = new Set<string>();
    for (const p of await activePromotions(q)) {
      for (const itemId of p.itemIds) {
        if (out.length >= limit) return out;
        if (taken.has(itemId)) continue;
        taken.add(itemId);
        out.push({ itemId, score: p.boost ?? 1 });
      }
    }
    return out;
  },
};
