import { badUserInput } from './badUserInput.js';

/**
 * Checks a Float argument is finite. graphql-js already refuses NaN and
 * ±Infinity literals, but JSON variables can carry 1e309 (parsed as Infinity).
 * @throws PublicError BAD_USER_INPUT naming `argument`.
 */
export function requireFiniteNumber(value: number, argument: string): number {
  if (!Number.isFinite(value)) throw badUserInput(argument, 'be a finite number', value);
  return value;
}
