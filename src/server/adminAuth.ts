import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The outcome of checking a request's `Authorization` header against the
 * admin token:
 * - `disabled`: the server has no admin token, so admin mutations are off;
 * - `missing`: no `Authorization: Bearer …` header;
 * - `malformed`: an `Authorization` header that is not `Bearer <token>`;
 * - `invalid`: a bearer token that is not the admin token;
 * - `granted`: the admin token.
 */
export type AdminAuth = 'disabled' | 'missing' | 'malformed' | 'invalid' | 'granted';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks an `Authorization` header value against the admin token in constant
 * time: both sides are hashed with SHA-256 first, so `timingSafeEqual` always
 * compares two 32-byte buffers and the time leaks neither the token's content
 * nor its length.
 * @param adminToken the configured token; undefined or empty disables admin mutations.
 */
export function authenticateAdmin(header: string | undefined, adminToken: string | undefined): AdminAuth {
  if (adminToken === undefined || adminToken === '') return 'disabled';
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) return 'malformed';
  return timingSafeEqual(sha256(match[1]!), sha256(adminToken)) ? 'granted' : 'invalid';
}
