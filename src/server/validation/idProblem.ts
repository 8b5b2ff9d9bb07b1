import { LIMITS } from '../limits.js';

/**
 * What is wrong with an id, as the "must …" phrase of an error message, or
 * `null` when it is valid: ids are non-blank strings of at most
 * {@link LIMITS.maxIdLength} characters, counted in Unicode code points (as
 * docs/feedback.md and the engine's `validateId` count them).
 */
export function idProblem(value: string): string | null {
  if (value.trim().length === 0 || [...value].length > LIMITS.maxIdLength) {
    return `be a non-empty ID of at most ${LIMITS.maxIdLength} characters`;
  }
  return null;
}
