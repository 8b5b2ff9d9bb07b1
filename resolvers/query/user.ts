import type { QueryResolvers } from '../../src/generated/graphql.js';
import { requireId } from '../../src/server/validation/requireId.js';

/** `Query.user`: the feature store's view of a user; null when unknown. */
export const user: NonNullable<QueryResolvers['user']> = (_parent, args, ctx) =>
  ctx.gateway.user(requireId(args.id, 'id'), ctx.scope);
