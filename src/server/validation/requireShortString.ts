import { LIMITS } from '../limits.js';
import { badUserInput } from './badUserInput.js';

/**
 * Checks a short free-form string argument (surface, device, category…):
 * non-blank and at most {@link LIMITS.maxStringLength} characters.
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
  return value;
}

/** {@link requireShortString} for an optional string: `null` and `undefined` give `null`. */
export function optionalShortString(value: string | null | undefined, argument: string): string | null {
  return value === null || value === undefined ? null : requireShortString(value, argument);
}
