import type { UserError } from '../serviceTypes.js';
import { FEEDBACK_ERROR_CODES } from './feedbackErrorCodes.js';
import { FEEDBACK_LIMITS } from './feedbackLimits.js';

/** A surrogate code unit not part of a pair (with the `u` flag, a valid pair is one code point, not Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks an id argument. Ids are opaque and compared exactly, so they are not
 * trimmed: an id with leading or trailing whitespace is rejected instead of
 * silently naming a different item (`" 42"` is not `"42"`). An id must be
 * well-formed Unicode: a lone UTF-16 surrogate is rejected, since UTF-8
 * stores such as Redis would turn it into U+FFFD and two different ids would
 * share one key.
 * @param field the argument name reported in the error, e.g. `itemId`.
 * @returns null when valid, else an INVALID_ID {@link UserError} naming the field,
 *   the rule and what was received. Length counts Unicode code points (≤ 256).
 */
export function validateId(value: unknown, field: string): UserError | null {
  if (typeof value !== 'string') return idError(field, `got ${value === null ? 'null' : typeof value}`);
  const trimmed = value.trim();
  if (trimmed === '') return idError(field, value === '' ? 'got an empty string' : 'got only whitespace');
  // Code points ≤ UTF-16 code units: only a string longer than the limit in units needs counting.
  if (value.length > FEEDBACK_LIMITS.maxIdLength) {
    let length = 0;
    for (const _ of value) length++;
    if (length > FEEDBACK_LIMITS.maxIdLength) return idError(field, `got ${length} characters`);
  }
  if (LONE_SURROGATE.test(value))
    return idError(field, 'got a lone UTF-16 surrogate (ids must be well-formed Unicode)');
  if (trimmed !== value)
    return idError(field, `got ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`);
  return null;
}

/** The INVALID_ID error of `field`: the rule, then `problem` (what was received). */
function idError(field: string, problem: string): UserError {
  return {
    code: FEEDBACK_ERROR_CODES.INVALID_ID,
    message: `${field} must be a non-empty string of at most ${FEEDBACK_LIMITS.maxIdLength} characters without leading or trailing whitespace; ${problem}`,
    field,
  };
}
