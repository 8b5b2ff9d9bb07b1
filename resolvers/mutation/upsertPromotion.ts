import type { MutationResolvers } from '../../src/generated/graphql.js';
import { requireAdmin } from '../../src/server/requireAdmin.js';
import { toPromotion } from '../../src/server/validation/toPromotion.js';

/**
 * `Mutation.upsertPromotion` (admin): creates or replaces a promotion.
 * @throws PublicError FORBIDDEN without the admin token; BAD_USER_INPUT naming the field at fault.
 */
export const upsertPromotion: NonNullable<MutationResolvers['upsertPromotion']> = (_parent, args, ctx) => {
  requireAdmin(ctx.admin, 'upsertPromotion');
  return ctx.gateway.upsertPromotion(toPromotion(args.input, 'input'));
};
