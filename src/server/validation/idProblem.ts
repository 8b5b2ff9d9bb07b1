import { LIMITS } from '../limits.js';

/**
 * What is wrong with an id, as the "must …" phrase of an error message, or
 * `null` when it is valid: ids are non-blank strings of at most
 * {@link LIMITS.maxIdLength} characters, counted in Unicode code points (as
 * docs/feedback.md and the engine's `validateId` count them), and well-formed
 * Unicode (no lone surrogate, as `validateId` requires).
 */
export function idProblem(value: string): string | null {
  if (value.trim().length === 0 || codePointsOver(value, LIMITS.maxIdLength)) {
    return `be a non-empty ID of at most ${LIMITS.maxIdLength} characters`;
  }
  // UTF-8 stores (Redis) turn a lone surrogate into U+FFFD, so two ids would share one key.
  if (hasLoneSurrogate(value)) return 'be well-formed Unicode (no lone UTF-16 surrogate)';
  return null;
}

/** A surrogate code unit not part of a pair (with the `u` flag, a valid pair is one code point, not Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether `value` holds a lone UTF-16 surrogate: UTF-8 stores (Redis) would
 * keep U+FFFD instead, so the memory and Redis stores would disagree.
 */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** Whether `value` has more than `max` code points (counted only past `max` UTF-16 units). */
function codePointsOver(value: string, max: number): boolean {
  if (value.length <= max) return false;
  let n = 0;
  for (const _ of value) if (++n > max) return true;
  return false;
}
