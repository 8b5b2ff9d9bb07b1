import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import type { RedisClient } from './redisConnection.js';

/** Options of {@link deleteKeysByPrefix}. */
export interface DeleteKeysOptions {
  /** Keys (full names) for which it returns true are left in place. @default none */
  readonly keep?: (key: string) => boolean;
  /** SCAN's COUNT hint: keys looked at per step. @default 500 */
  readonly count?: number;
}

/**
 * Deletes every key starting with `prefix` (SCAN MATCH + UNLINK, `count`
 * keys looked at per step, a `setImmediate` turn after each so a large
 * keyspace does not hold the event loop; glob characters in the prefix are
 * escaped), except those `keep` accepts. On a Cluster every master is
 * scanned and each key unlinked on its own (one pipeline per SCAN page),
 * since a multi-key UNLINK must stay within one slot. Not atomic: keys
 * written meanwhile may survive.
 * @returns how many keys were unlinked.
 * @throws what a SCAN or UNLINK rejects with (Redis unreachable, …); keys
 *   unlinked until then stay deleted.
 */
export async function deleteKeysByPrefix(
  redis: RedisClient,
  prefix: string,
  options: DeleteKeysOptions = {},
): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  if (!(redis instanceof Cluster)) return deleteOnNode(redis, pattern, false, options);
  const counts = await Promise.all(
    redis.nodes('master').map((node) => deleteOnNode(node, pattern, true, options)),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function deleteOnNode(
  node: Redis,
  pattern: string,
  keyByKey: boolean,
  { keep, count = 500 }: DeleteKeysOptions,
): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    const keys = keep === undefined ? found : found.filter((key) => !keep(key));
    if (keys.length > 0) {
      if (!keyByKey) {
        deleted += await node.unlink(...keys);
      } else {
        const p = node.pipeline();
        for (const key of keys) p.unlink(key);
        for (const [error, n] of (await p.exec()) ?? []) {
          if (error) throw error;
          deleted += n as number;
        }
      }
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor !== '0');
  return deleted;
}
