import type { QueryResolvers } from '../../src/generated/graphql.js';
import { requireIdList } from '../../src/server/validation/requireIdList.js';
import type { ItemView } from '../../src/services/serviceTypes.js';

/**
 * `Query.items`: same length and order as `ids`, null where unknown (the
 * engine's batch contract). At most 1000 ids. An id the gateway cannot answer
 * for (the feature store is down and its fallback does not know it) is an
 * UNAVAILABLE error at its position (`items[k]`, value null): graphql-js
 * turns an Error in a list into that field error, the other items still answer.
 */
export const items: NonNullable<QueryResolvers['items']> = async (_parent, args, ctx) =>
  // Errors in place are part of the list's contract with graphql-js, not of the generated item type.
  (await ctx.gateway.items(requireIdList(args.ids, 'ids'), ctx.scope)) as (ItemView | null)[];
