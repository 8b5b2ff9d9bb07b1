import type { UserResolvers } from '../../src/generated/graphql.js';
import type { ItemView } from '../../src/services/serviceTypes.js';
import { requirePageSize } from '../../src/server/validation/requirePageSize.js';

/**
 * `User.recentItems`: the user's most recent items, most recent first,
 * through the batched item loader. Items no longer in the catalog are skipped.
 * @throws PublicError BAD_USER_INPUT for `first` outside 1..100.
 */
export const recentItems: NonNullable<UserResolvers['recentItems']> = async (user, args, ctx) => {
  const ids = user.recentItemIds.slice(0, requirePageSize(args.first, 'first'));
  const found = await ctx.gateway.items(ids, ctx.scope);
  // Unknown ids, and ids the fallback cannot answer for while the store is down (user.degraded says so), are skipped.
  return found.filter((item): item is ItemView => item !== null && !(item instanceof Error));
};
