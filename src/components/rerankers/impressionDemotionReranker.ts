import type { Reranker } from '../../pipeline/reranker.js';
import { orderByScore } from '../../pipeline/rankedList.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * Demotes items the user was already shown (issue #3 §3): score ×
 * decay^impressions (a negative score is divided by it), with decay = `params.impressionDecay` (default 0.85),
 * then re-sorts by score. Runs FIRST among the re-rankers: it adjusts
 * relevance, which MMR and the others then build on (re-sorting after them
 * would undo their order).
 */
export const impressionDemotionReranker: Reranker<RecommendationQuery> = {
  name: 'impressionDemotion',
  rerank(q, list) {
    const impressions = q.user?.impressions;
    const decay = q.params.impressionDecay;
    if (impressions === undefined || impressions.size === 0 || decay === 1) return;
    let changed = false;
    list.candidates.forEach((c, idx) => {
      const seen = impressions.get(c.itemId);
      if (seen === undefined || seen.count <= 0) return;
      const factor = Math.pow(decay, seen.count);
      const s = list.scores[idx]!;
      // A negative score is divided instead, so that it still moves down.
      list.scores[idx] = s >= 0 ? s * factor : factor > 0 ? s / factor : -Number.MAX_VALUE;
      changed = true;
    });
    if (changed) list.order = orderByScore(list.scores);
  },
};
