import { PublicError } from '../errors.js';
import type { AdminAuth } from './adminAuth.js';

/**
 * Lets an admin mutation through only with the admin token.
 * @param operation the mutation's name, for the message.
 * @throws PublicError FORBIDDEN saying what was expected and what was
 *   received, or, when no token is configured, that admin mutations are
 *   disabled and how to enable them.
 */
export function requireAdmin(auth: AdminAuth, operation: string): void {
  const expected = `\`${operation}\` is an admin mutation: it expects an \`Authorization: Bearer <RECGATE_ADMIN_TOKEN>\` header`;
  switch (auth) {
    case 'granted':
      return;
    case 'disabled':
      throw new PublicError(
        'FORBIDDEN',
        `Admin mutations are disabled because this server has no admin token. To enable \`${operation}\`, ` +
          'start recgate with the environment variable RECGATE_ADMIN_TOKEN set to a secret, then send ' +
          '`Authorization: Bearer <that secret>`.',
      );
    case 'missing':
      throw new PublicError('FORBIDDEN', `${expected}; received no Authorization header.`);
    case 'malformed':
      throw new PublicError('FORBIDDEN', `${expected}; received an Authorization header of another form.`);
    case 'invalid':
      throw new PublicError('FORBIDDEN', `${expected}; received a bearer token that is not the admin token.`);
  }
}
