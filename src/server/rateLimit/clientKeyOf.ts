import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** The part of an HTTP request {@link clientKeyOf} reads. */
export interface ClientKeySource {
  readonly headers: IncomingHttpHeaders;
  /** The peer's address, as `req.socket.remoteAddress` gives it. */
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/** An IPv6 address's /64 network, `2001:db8:0:1::/64`; null when `address` is not IPv6. */
function ipv6Network(address: string): string | null {
  const bare = address.split('%')[0]!; // drop a zone index (fe80::1%eth0)
  if (!isIPv6(bare)) return null;
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The rate-limit key of a request:
 * - `key:<hash>` when it has an `x-api-key` header (non-blank; the first one
 *   if repeated): the SHA-256 of the key, base64url, 22 characters, so keys
 *   of any length cost the same and no API key is stored in Redis;
 * - else `ip:<address>` of the TCP peer (`X-Forwarded-For` is not read: any
 *   client can forge it). An IPv4-mapped IPv6 address counts as its IPv4
 *   address, and an IPv6 address as its /64 network (`ip:2001:db8:0:1::/64`),
 *   the block one subscriber gets, so rotating addresses within it does not
 *   give a client fresh buckets.
 *
 * recgate does not check API keys: a client sending a new `x-api-key` on
 * each request gets a new bucket each time. Use keys only behind something
 * that authenticates them (docs/api.md, "Rate limiting").
 */
export function clientKeyOf(req: ClientKeySource): string {
  const header = req.headers['x-api-key'];
  const apiKey = (Array.isArray(header) ? header[0] : header)?.trim();
  if (apiKey !== undefined && apiKey !== '') {
    return `key:${createHash('sha256').update(apiKey).digest('base64url').slice(0, 22)}`;
  }
  const address = req.socket.remoteAddress ?? 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) return `ip:${address.slice('::ffff:'.length)}`;
  return `ip:${ipv6Network(address) ?? address}`;
}
