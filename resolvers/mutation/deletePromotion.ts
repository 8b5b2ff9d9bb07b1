import type { MutationResolvers } from '../../src/generated/graphql.js';
import { requireAdmin } from '../../src/server/requireAdmin.js';
import { requireId } from '../../src/server/validation/requireId.js';

/**
 * `Mutation.deletePromotion` (admin): false when the promotion did not exist.
 * @throws PublicError FORBIDDEN without the admin token.
 */
export const deletePromotion: NonNullable<MutationResolvers['deletePromotion']> = (_parent, args, ctx) => {
  requireAdmin(ctx.admin, 'deletePromotion');
  return ctx.gateway.deletePromotion(requireId(args.id, 'id'));
};
