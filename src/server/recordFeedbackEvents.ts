import { PublicError } from '../errors.js';
import { validateId } from '../services/feedback/validateId.js';
import type { FeedbackResult, UserError } from '../services/serviceTypes.js';
import type { RequestContext } from './requestContext.js';
import type { FeedbackArgument } from './validation/toFeedbackEvent.js';
import { toFeedbackEvent } from './validation/toFeedbackEvent.js';
import { toUserError } from './validation/toUserError.js';

/**
 * Records feedback events one by one in effect: each input is checked on its
 * own: ids first with the engine's rule ({@link validateId}: a bad id is the
 * documented per-event `INVALID_ID`), then the rest ({@link toFeedbackEvent});
 * a malformed one becomes a rejected
 * result with a `UserError` naming its field (`inputs[3].itemId`), and the
 * rest go to the engine in one call. The engine's per-event errors get the
 * input's path in front of their field (`value` → `inputs[3].value`).
 * @param path the argument path of each input (`input`, `inputs[i]`).
 * @returns one result per input, in input order.
 * @throws Error when the engine breaks its contract of one result per event.
 */
export async function recordFeedbackEvents(
  inputs: readonly FeedbackArgument[],
  path: (index: number) => string,
  ctx: RequestContext,
): Promise<FeedbackResult[]> {
  const results: (FeedbackResult | null)[] = [];
  const events = [];
  const slots: number[] = [];
  const refusedTypes: string[] = [];
  for (const [i, input] of inputs.entries()) {
    const idError =
      validateId(input.userId, `${path(i)}.userId`) ??
      validateId(input.itemId, `${path(i)}.itemId`) ??
      (input.requestId === null || input.requestId === undefined
        ? null
        : validateId(input.requestId, `${path(i)}.requestId`));
    if (idError !== null) {
      results.push({ accepted: false, applied: false, eventId: null, error: idError });
      refusedTypes.push(String(input.type));
      continue;
    }
    try {
      events.push(toFeedbackEvent(input, path(i)));
      slots.push(i);
      results.push(null);
    } catch (err) {
      if (!(err instanceof PublicError)) throw err;
      results.push({
        accepted: false,
        applied: false,
        eventId: null,
        error: withFeedbackCode(toUserError(err), path(i)),
      });
      refusedTypes.push(String(input.type));
    }
  }
  // The refused events go along only to be counted (the feedback metric's accepted="false").
  const recorded =
    events.length > 0 || refusedTypes.length > 0
      ? await ctx.gateway.recordFeedback(events, ctx.scope, refusedTypes)
      : [];
  if (recorded.length !== events.length) {
    throw new Error(`recordFeedback returned ${recorded.length} results for ${events.length} events`);
  }
  slots.forEach((slot, j) => {
    const result = recorded[j]!;
    // The engine names the field within the event (`value`); the client needs its path (`inputs[3].value`).
    const field = result.error?.field;
    results[slot] =
      result.error && field !== null && field !== undefined && !field.startsWith(path(slot))
        ? { ...result, error: { ...result.error, field: `${path(slot)}.${field}` } }
        : result;
  });
  return results as FeedbackResult[];
}

/**
 * A shape error of one feedback input with the stable per-event code of its
 * field (docs/feedback.md): a `timestamp` that is not an RFC 3339 date-time is
 * `INVALID_TIMESTAMP` and a `value` that is not a finite number
 * `INVALID_VALUE`, as the engine reports its own checks of those fields; any
 * other field (the `context`, its client clock included) keeps `BAD_USER_INPUT`. Attack on session 27:
 * a malformed timestamp came back as `BAD_USER_INPUT`, a code the table did not list.
 */
function withFeedbackCode(error: UserError, inputPath: string): UserError {
  if (error.field === `${inputPath}.timestamp`) return { ...error, code: 'INVALID_TIMESTAMP' };
  if (error.field === `${inputPath}.value`) return { ...error, code: 'INVALID_VALUE' };
  return error;
}
