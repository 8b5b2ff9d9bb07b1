import type { QueryResolvers } from '../../src/generated/graphql.js';
import { PublicError } from '../../src/errors.js';
import { requireId } from '../../src/server/validation/requireId.js';

/**
 * `Query.item`: one catalog item through the request's batched item loader; null when unknown.
 * @throws PublicError UNAVAILABLE when the feature store is down and its fallback does not know the id.
 */
export const item: NonNullable<QueryResolvers['item']> = async (_parent, args, ctx) => {
  const [found] = await ctx.gateway.items([requireId(args.id, 'id')], ctx.scope);
  // The gateway names the batch's field (`ids[0]`); this query's argument is `id`.
  if (found instanceof PublicError) throw new PublicError(found.code, found.message, 'id');
  return found ?? null;
};
