import type { MutationResolvers } from '../../src/generated/graphql.js';
import { LIMITS } from '../../src/server/limits.js';
import { recordFeedbackEvents } from '../../src/server/recordFeedbackEvents.js';
import { badUserInput } from '../../src/server/validation/badUserInput.js';

/**
 * `Mutation.recordFeedbackBatch`: up to 1000 events, each accepted or
 * rejected on its own; results in input order.
 * @throws PublicError BAD_USER_INPUT naming `inputs` for more than 1000 events.
 */
export const recordFeedbackBatch: NonNullable<MutationResolvers['recordFeedbackBatch']> = (
  _parent,
  args,
  ctx,
) => {
  if (args.inputs.length > LIMITS.maxBatch) {
    throw badUserInput('inputs', `hold at most ${LIMITS.maxBatch} events`, args.inputs);
  }
  return recordFeedbackEvents(args.inputs, (i) => `inputs[${i}]`, ctx);
};
