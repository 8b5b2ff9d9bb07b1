import { PublicError } from '../../src/errors.js';
import type { MutationResolvers } from '../../src/generated/graphql.js';
import { LIMITS } from '../../src/server/limits.js';
import { badUserInput } from '../../src/server/validation/badUserInput.js';
import { optionalId, requireId } from '../../src/server/validation/requireId.js';
import { toUserError } from '../../src/server/validation/toUserError.js';

/**
 * `Mutation.recordImpressions`: logs which items of a served list were shown.
 * Malformed ids are data (`accepted: false` with a `UserError`).
 * @throws PublicError BAD_USER_INPUT naming `input.itemIds` for more than 1000 ids.
 */
export const recordImpressions: NonNullable<MutationResolvers['recordImpressions']> = async (
  _parent,
  { input },
  ctx,
) => {
  if (input.itemIds.length > LIMITS.maxBatch) {
    throw badUserInput('input.itemIds', `hold at most ${LIMITS.maxBatch} IDs`, input.itemIds);
  }
  try {
    const checked = {
      requestId: requireId(input.requestId, 'input.requestId'),
      userId: optionalId(input.userId, 'input.userId'),
      itemIds: input.itemIds.map((id, i) => requireId(id, `input.itemIds[${i}]`)),
    };
    return await ctx.gateway.recordImpressions(checked, ctx.scope);
  } catch (err) {
    if (err instanceof PublicError && err.code === 'BAD_USER_INPUT') {
      return { accepted: false, error: toUserError(err) };
    }
    throw err;
  }
};
