import { LIMITS } from '../limits.js';
import { badUserInput } from './badUserInput.js';

/**
 * Checks a `first` argument: an integer from 1 to {@link LIMITS.maxFirst}.
 * @returns the value unchanged.
 * @throws PublicError BAD_USER_INPUT naming `argument` otherwise.
 */
export function requirePageSize(value: number, argument = 'first'): number {
  if (!Number.isInteger(value) || value < 1 || value > LIMITS.maxFirst) {
    throw badUserInput(argument, `be an integer from 1 to ${LIMITS.maxFirst}`, value);
  }
  return value;
}
