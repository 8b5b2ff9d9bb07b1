import { randomUUID } from 'node:crypto';

/** A client-supplied request id is kept when it matches this: 1..128 URL-safe characters. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@=+/-]{1,128}$/;

/**
 * The request id of an HTTP request: the caller's `x-request-id` header when
 * it is 1..128 characters of `[A-Za-z0-9._:@=+/-]` (so it is safe in logs and
 * headers), else a random UUID v4.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}
