import type { QueryResolvers } from '../../src/generated/graphql.js';
import { requireId } from '../../src/server/validation/requireId.js';

/** `Query.item`: one catalog item through the request's batched item loader; null when unknown. */
export const item: NonNullable<QueryResolvers['item']> = async (_parent, args, ctx) => {
  const [found] = await ctx.gateway.items([requireId(args.id, 'id')], ctx.scope);
  return found ?? null;
};
