import type { CandidateSource } from '../../pipeline/candidateSource.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userSearchOptions } from '../userExclusion.js';

/**
 * EMBEDDING for `similar`: the items nearest to the seed's own vector in the
 * VectorIndex (cosine); `via` is the seed. The search skips the seed and what
 * the filters would drop (`userSearchOptions`). A seed without a vector has none.
 */
export const seedEmbeddingSource: CandidateSource<RecommendationQuery> = {
  name: 'seedEmbedding',
  kind: 'EMBEDDING',
  param: 'embedding',
  usesSignal: false,
  async fetch(q, limit) {
    const seed = q.seedItemId;
    if (seed === null) return [];
    const vector = await q.env.index.vectorOf(seed);
    if (vector === null) return [];
    const hits = await q.env.index.search(vector, limit, userSearchOptions(q));
    return hits.map((h) => ({ itemId: h.itemId, score: h.score, via: seed }));
  },
};
