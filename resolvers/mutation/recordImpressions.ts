import type { MutationResolvers } from '../../src/generated/graphql.js';
import { FEEDBACK_ERROR_CODES } from '../../src/services/feedback/feedbackErrorCodes.js';
import { validateId } from '../../src/services/feedback/validateId.js';
import { LIMITS } from '../../src/server/limits.js';

/**
 * `Mutation.recordImpressions`: logs which items of a served list were shown.
 * Every rejection is data (`accepted: false` with a `UserError`), as
 * docs/feedback.md documents: more than 1000 ids is `BATCH_TOO_LARGE`
 * (field `input.itemIds`), a malformed id is `INVALID_ID` naming it.
 */
export const recordImpressions: NonNullable<MutationResolvers['recordImpressions']> = async (
  _parent,
  { input },
  ctx,
) => {
  if (input.itemIds.length > LIMITS.maxBatch) {
    return {
      accepted: false,
      error: {
        code: FEEDBACK_ERROR_CODES.BATCH_TOO_LARGE,
        message: `input.itemIds must hold at most ${LIMITS.maxBatch} ids per call; got ${input.itemIds.length}`,
        field: 'input.itemIds',
      },
    };
  }
  const idError =
    validateId(input.requestId, 'input.requestId') ??
    (input.userId === null || input.userId === undefined ? null : validateId(input.userId, 'input.userId')) ??
    input.itemIds.reduce<ReturnType<typeof validateId>>(
      (found, id, i) => found ?? validateId(id, `input.itemIds[${i}]`),
      null,
    );
  if (idError !== null) return { accepted: false, error: idError };
  const checked = { requestId: input.requestId, userId: input.userId ?? null, itemIds: input.itemIds };
  return ctx.gateway.recordImpressions(checked, ctx.scope);
};
