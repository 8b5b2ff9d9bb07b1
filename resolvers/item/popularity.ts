import type { ItemResolvers } from '../../src/generated/graphql.js';
import { finiteFloat } from '../../src/server/finiteFloat.js';

/** `Item.popularity`: the decayed interaction count the item loader read; always finite. */
export const popularity: NonNullable<ItemResolvers['popularity']> = (item, _args, ctx) =>
  finiteFloat(item.popularity, 'Item.popularity', ctx);
