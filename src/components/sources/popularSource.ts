import type { CandidateSource } from '../../pipeline/candidateSource.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userExclusion } from '../userExclusion.js';
import { topFromRanking } from './liveCounterRanking.js';

/**
 * POPULAR: the items with the largest live decayed interaction count (long
 * half-life), plus items added after training (`upsertItems`), so they are
 * recommendable without retraining. Score: the decayed count.
 */
export const popularSource: CandidateSource<RecommendationQuery> = {
  name: 'popular',
  kind: 'POPULAR',
  param: 'popular',
  usesSignal: false,
  async fetch(q, limit) {
    const s = await q.env.liveRanking.snapshot();
    return topFromRanking(s, s.byPopularity, s.popularity, limit, userExclusion(q));
  },
};
