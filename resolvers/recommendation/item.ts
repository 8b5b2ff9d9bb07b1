import type { RecommendationResolvers } from '../../src/generated/graphql.js';
import type { RequestContext } from '../../src/server/requestContext.js';
import type { ItemView } from '../../src/services/serviceTypes.js';

/**
 * `Recommendation.item`: the catalog item, through the request's batched
 * item loader (one store read for the whole list). The items of a freshly
 * ranked page are already loaded (the recommendation service loads them with
 * the reasons' titles), so they resolve synchronously, without a promise per
 * item; the others (a later page, served from the stored list, whose counters
 * are not loaded) wait for one batched read. `item` is
 * non-null, so an id the engine recommended but cannot find (an
 * inconsistency: it only recommends known items) is logged and shown as a
 * bare item rather than nulling the whole list.
 */
export const item: NonNullable<RecommendationResolvers['item']> = (rec, _args, ctx) => {
  const loaded = ctx.gateway.loadedItem?.(rec.itemId, ctx.scope);
  if (loaded !== undefined) return loaded ?? missing(rec.itemId, ctx);
  return ctx.gateway.items([rec.itemId], ctx.scope).then(([found]) => {
    if (found instanceof Error) throw found;
    return found ?? missing(rec.itemId, ctx);
  });
};

function missing(itemId: string, ctx: RequestContext): ItemView {
  ctx.logger.warn('recommended item not found', { requestId: ctx.requestId, itemId });
  return {
    id: itemId,
    title: null,
    categories: [],
    attributes: {},
    createdAt: null,
    available: false,
    popularity: 0,
  };
}
