import type { PublicError } from '../../errors.js';
import type { UserError } from '../../services/serviceTypes.js';

/** A {@link PublicError} as mutation data: the same code, sentence and field. */
export function toUserError(error: PublicError): UserError {
  return { code: error.code, message: error.message, field: error.field };
}
