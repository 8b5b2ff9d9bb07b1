import type { CandidateSource } from '../../pipeline/candidateSource.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userSearchOptions } from '../userExclusion.js';

/**
 * EMBEDDING: the items nearest to the user's vector in the VectorIndex. The
 * query is [userVector, 0] against the unit item vectors of the
 * MIPS-to-cosine transform (src/domain/mipsToCosine.ts), so the order is the
 * iALS dot product's; the score is the index cosine (training's `retrieval_score`).
 * The search skips what the filters would drop (seen, dismissed, session,
 * the request's `ItemFilter`, unavailable items: `userSearchOptions`), so the
 * `limit` slots go to items that survive them. No user vector: no hits.
 * The in-process indexes' hits carry their build row (`VectorHit.row`), the
 * served model's row when the index was built from it: the candidates' row hint.
 */
export const embeddingSource: CandidateSource<RecommendationQuery> = {
  name: 'embedding',
  kind: 'EMBEDDING',
  param: 'embedding',
  usesSignal: false,
  async fetch(q, limit) {
    const x = q.userVector;
    if (x === null) return [];
    const query = new Float32Array(q.env.index.dimension);
    if (x.length >= query.length) {
      throw new RangeError(`user vector has ${x.length} components; the index holds ${query.length}`);
    }
    query.set(x);
    return q.env.index.search(query, limit, userSearchOptions(q));
  },
};
