import type { UserResolvers } from '../../src/generated/graphql.js';
import { finiteFloat } from '../../src/server/finiteFloat.js';
import { requirePageSize } from '../../src/server/validation/requirePageSize.js';

/**
 * `User.topCategories`: the user's strongest categories, strongest first.
 * @throws PublicError BAD_USER_INPUT for `first` outside 1..100.
 */
export const topCategories: NonNullable<UserResolvers['topCategories']> = (user, args, ctx) =>
  user.topCategories.slice(0, requirePageSize(args.first, 'first')).map(({ category, weight }) => ({
    category,
    weight: finiteFloat(weight, 'CategoryAffinity.weight', ctx),
  }));
