import { isInteractionType } from '../../domain/interaction.js';
import type { FeedbackEvent, UserError } from '../serviceTypes.js';
import { FEEDBACK_ERROR_CODES } from './feedbackErrorCodes.js';
import { FEEDBACK_LIMITS } from './feedbackLimits.js';
import { validateId } from './validateId.js';

/**
 * Checks one feedback event (issue #3 §3), rules in this order, first failure wins:
 * `userId`, `itemId`, `requestId` (when given) — {@link validateId};
 * `type` is a FeedbackType (INVALID_TYPE); `value` is null or finite, and a
 * RATING has a value in 0..10 (INVALID_VALUE); `timestamp` (when given) is a
 * finite number not before 1990-01-01 (INVALID_TIMESTAMP) and at most
 * `maxFutureSkewMs` after `now` (FUTURE_TIMESTAMP).
 * @param now server time, Unix ms.
 * @returns null when valid, else the {@link UserError} with the field at fault.
 */
export function validateFeedbackEvent(
  event: FeedbackEvent,
  now: number,
  maxFutureSkewMs: number = FEEDBACK_LIMITS.maxFutureSkewMs,
): UserError | null {
  const idError =
    validateId(event.userId, 'userId') ??
    validateId(event.itemId, 'itemId') ??
    (event.requestId === null || event.requestId === undefined
      ? null
      : validateId(event.requestId, 'requestId'));
  if (idError !== null) return idError;

  if (typeof event.type !== 'string' || !isInteractionType(event.type)) {
    return {
      code: FEEDBACK_ERROR_CODES.INVALID_TYPE,
      message: `type must be a FeedbackType (VIEW, CLICK, LIKE, …); got ${JSON.stringify(event.type)}`,
      field: 'type',
    };
  }

  const value = event.value;
  if (value !== null && value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    return {
      code: FEEDBACK_ERROR_CODES.INVALID_VALUE,
      message: `value must be a finite number or null; got ${String(value)}`,
      field: 'value',
    };
  }
  if (event.type === 'RATING') {
    const { ratingMin, ratingMax } = FEEDBACK_LIMITS;
    if (value === null || value === undefined || value < ratingMin || value > ratingMax) {
      return {
        code: FEEDBACK_ERROR_CODES.INVALID_VALUE,
        message: `a RATING needs a value in ${ratingMin}..${ratingMax}; got ${value ?? 'null'}`,
        field: 'value',
      };
    }
  }

  const ts = event.timestamp;
  if (ts !== null && ts !== undefined) {
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < FEEDBACK_LIMITS.earliestTimestamp) {
      return {
        code: FEEDBACK_ERROR_CODES.INVALID_TIMESTAMP,
        message: `timestamp must be a time on or after 1990-01-01T00:00:00Z (Unix ms); got ${describeTime(ts)}`,
        field: 'timestamp',
      };
    }
    if (ts > now + maxFutureSkewMs) {
      return {
        code: FEEDBACK_ERROR_CODES.FUTURE_TIMESTAMP,
        message: `timestamp may be at most ${Math.round(maxFutureSkewMs / 1000)} s ahead of the server clock (${new Date(now).toISOString()}); got ${new Date(ts).toISOString()}`,
        field: 'timestamp',
      };
    }
  }
  return null;
}

function describeTime(ts: unknown): string {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return String(ts);
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : `${ts} (${date.toISOString()})`;
}
