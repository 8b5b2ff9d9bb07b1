import type { QueryResolvers } from '../../src/generated/graphql.js';
import { requireIdList } from '../../src/server/validation/requireIdList.js';

/**
 * `Query.items`: same length and order as `ids`, null where unknown (the
 * engine's batch contract). At most 1000 ids.
 */
export const items: NonNullable<QueryResolvers['items']> = (_parent, args, ctx) =>
  ctx.gateway.items(requireIdList(args.ids, 'ids'), ctx.scope);
