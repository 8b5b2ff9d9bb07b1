import type { QueryResolvers } from '../../src/generated/graphql.js';
import { requirePageSize } from '../../src/server/validation/requirePageSize.js';
import { optionalId, requireId } from '../../src/server/validation/requireId.js';
import { toItemFilter } from '../../src/server/validation/toItemFilter.js';

/**
 * `Query.similarItems`: items like the seed, optionally personalised.
 * @throws PublicError BAD_USER_INPUT naming the argument; NOT_FOUND (from the
 *   engine) for an unknown seed item.
 */
export const similarItems: NonNullable<QueryResolvers['similarItems']> = (_parent, args, ctx) =>
  ctx.gateway.similarItems(
    {
      itemId: requireId(args.itemId, 'itemId'),
      userId: optionalId(args.userId, 'userId'),
      first: requirePageSize(args.first, 'first'),
      filter: toItemFilter(args.filter, 'filter'),
    },
    ctx.scope,
  );
