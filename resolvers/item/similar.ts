import type { ItemResolvers } from '../../src/generated/graphql.js';
import { requirePageSize } from '../../src/server/validation/requirePageSize.js';

/**
 * `Item.similar`: the `similar` surface for this item, not personalised.
 * @throws PublicError BAD_USER_INPUT for `first` outside 1..100.
 */
export const similar: NonNullable<ItemResolvers['similar']> = async (item, args, ctx) => {
  const list = await ctx.gateway.similarItems(
    { itemId: item.id, userId: null, first: requirePageSize(args.first, 'first'), filter: null },
    ctx.scope,
  );
  return [...list.items];
};
