import type { CandidateSource } from '../../pipeline/candidateSource.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userExclusion } from '../userExclusion.js';
import { topFromRanking } from './liveCounterRanking.js';

/**
 * TRENDING: the items with the largest live decayed count over the short
 * half-life, plus items added after training. Score: the short-window count.
 */
export const trendingSource: CandidateSource<RecommendationQuery> = {
  name: 'trending',
  kind: 'TRENDING',
  param: 'trending',
  usesSignal: false,
  async fetch(q, limit) {
    const s = await q.env.liveRanking.snapshot();
    return topFromRanking(s, s.byTrend, s.trend, limit, userExclusion(q));
  },
};
