import { badUserInput } from './badUserInput.js';
import { idProblem } from './idProblem.js';

/**
 * Checks an id argument (see {@link idProblem}).
 * @returns the id unchanged.
 * @throws PublicError BAD_USER_INPUT naming `argument`.
 */
export function requireId(value: string, argument: string): string {
  const problem = idProblem(value);
  if (problem !== null) throw badUserInput(argument, problem, value);
  return value;
}

/** {@link requireId} for an optional id: `null` and `undefined` give `null`. */
export function optionalId(value: string | null | undefined, argument: string): string | null {
  return value === null || value === undefined ? null : requireId(value, argument);
}
