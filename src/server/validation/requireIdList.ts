import { LIMITS } from '../limits.js';
import { badUserInput } from './badUserInput.js';
import { requireId } from './requireId.js';

/**
 * Checks a list of ids: at most `max` entries, each a valid id.
 * @returns the list unchanged.
 * @throws PublicError BAD_USER_INPUT naming `argument` (or `argument[i]` for one bad id).
 */
export function requireIdList(
  values: readonly string[],
  argument: string,
  max: number = LIMITS.maxBatch,
): readonly string[] {
  if (values.length > max) throw badUserInput(argument, `hold at most ${max} IDs`, values);
  values.forEach((id, i) => requireId(id, `${argument}[${i}]`));
  return values;
}
