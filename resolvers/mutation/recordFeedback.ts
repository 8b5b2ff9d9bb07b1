import type { MutationResolvers } from '../../src/generated/graphql.js';
import { recordFeedbackEvents } from '../../src/server/recordFeedbackEvents.js';

/**
 * `Mutation.recordFeedback`: one event. A malformed or rejected event is
 * data (`accepted: false` with a `UserError`), not a GraphQL error.
 */
export const recordFeedback: NonNullable<MutationResolvers['recordFeedback']> = async (
  _parent,
  args,
  ctx,
) => {
  const [result] = await recordFeedbackEvents([args.input], () => 'input', ctx);
  return result!;
};
