import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import type { RedisClient } from './redisConnection.js';

/**
 * Deletes every key starting with `prefix` (SCAN MATCH + UNLINK, 500 keys per
 * step; glob characters in the prefix are escaped). On a Cluster every master
 * is scanned and each key unlinked on its own (one pipeline per SCAN page),
 * since a multi-key UNLINK must stay within one slot. For tests and resets;
 * not atomic: keys written meanwhile may survive.
 * @returns how many keys were unlinked.
 */
export async function deleteKeysByPrefix(redis: RedisClient, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  if (!(redis instanceof Cluster)) return deleteOnNode(redis, pattern, false);
  const counts = await Promise.all(redis.nodes('master').map((node) => deleteOnNode(node, pattern, true)));
  return counts.reduce((a, b) => a + b, 0);
}

async function deleteOnNode(node: Redis, pattern: string, keyByKey: boolean): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length === 0) continue;
    if (!keyByKey) {
      deleted += await node.unlink(...keys);
      continue;
    }
    const p = node.pipeline();
    for (const key of keys) p.unlink(key);
    for (const [error, n] of (await p.exec()) ?? []) {
      if (error) throw error;
      deleted += n as number;
    }
  } while (cursor !== '0');
  return deleted;
}
