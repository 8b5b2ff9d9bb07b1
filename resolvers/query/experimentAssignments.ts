import type { QueryResolvers } from '../../src/generated/graphql.js';
import { requireId } from '../../src/server/validation/requireId.js';

/** `Query.experimentAssignments`: the user's deterministic variant in every running experiment. */
export const experimentAssignments: NonNullable<QueryResolvers['experimentAssignments']> = (
  _parent,
  args,
  ctx,
) => ctx.gateway.experimentAssignments(requireId(args.userId, 'userId'));
