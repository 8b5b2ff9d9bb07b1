import { LIMITS } from '../limits.js';
import { badUserInput } from './badUserInput.js';
import { hasLoneSurrogate } from './idProblem.js';

/**
 * Checks a short free-form string argument (surface, device, category…):
 * non-blank, at most {@link LIMITS.maxStringLength} characters and
 * well-formed Unicode (no lone UTF-16 surrogate, which the Redis store would
 * keep as U+FFFD and the memory store as it is).
 * @throws PublicError BAD_USER_INPUT naming `argument`.
 */
export function requireShortString(value: string, argument: string): string {
  if (value.trim().length === 0 || value.length > LIMITS.maxStringLength) {
    throw badUserInput(
      argument,
      `be a non-empty string of at most ${LIMITS.maxStringLength} characters`,
      value,
    );
  }
  if (hasLoneSurrogate(value)) {
    throw badUserInput(argument, 'be well-formed Unicode (no lone UTF-16 surrogate)', value);
  }
  return value;
}

/** {@link requireShortString} for an optional string: `null` and `undefined` give `null`. */
export function optionalShortString(value: string | null | undefined, argument: string): string | null {
  return value === null || value === undefined ? null : requireShortString(value, argument);
}
