import type { RecommendationResolvers } from '../../src/generated/graphql.js';
import type { ItemView } from '../../src/services/serviceTypes.js';

/**
 * `Recommendation.item`: the catalog item, through the request's batched
 * item loader (one store read for the whole list). `item` is non-null, so
 * an id the engine recommended but cannot find (an inconsistency: it only
 * recommends known items) is logged and shown as a bare item rather than
 * nulling the whole list.
 */
export const item: NonNullable<RecommendationResolvers['item']> = async (rec, _args, ctx) => {
  const [found] = await ctx.gateway.items([rec.itemId], ctx.scope);
  if (found) return found;
  ctx.logger.warn('recommended item not found', { requestId: ctx.requestId, itemId: rec.itemId });
  const bare: ItemView = {
    id: rec.itemId,
    title: null,
    categories: [],
    attributes: {},
    createdAt: null,
    available: false,
    popularity: 0,
  };
  return bare;
};
