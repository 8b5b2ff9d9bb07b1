import { PublicError } from '../../errors.js';
import { describeReceived } from './describeReceived.js';

/**
 * A `BAD_USER_INPUT` {@link PublicError} whose message names the argument, says
 * what was expected and what was received, e.g.
 * "Argument `first` must be an integer from 1 to 100; received 500."
 * @param argument the argument path as the client wrote it (`first`, `filter.excludeItemIds[2]`).
 * @param expected what a valid value is, as a phrase after "must be" / "must".
 */
export function badUserInput(argument: string, expected: string, received: unknown): PublicError {
  return new PublicError(
    'BAD_USER_INPUT',
    `Argument \`${argument}\` must ${expected}; received ${describeReceived(received)}.`,
    argument,
  );
}
