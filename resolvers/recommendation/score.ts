import type { RecommendationResolvers } from '../../src/generated/graphql.js';
import { finiteFloat } from '../../src/server/finiteFloat.js';

/** `Recommendation.score`: always finite (see {@link finiteFloat}). */
export const score: NonNullable<RecommendationResolvers['score']> = (rec, _args, ctx) =>
  finiteFloat(rec.score, 'Recommendation.score', ctx);
