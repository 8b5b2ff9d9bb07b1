import type { Redis } from 'ioredis';

/**
 * Deletes every key starting with `prefix` (SCAN MATCH + UNLINK, 500 keys per
 * step; glob characters in the prefix are escaped). For tests and resets; not
 * atomic: keys written meanwhile may survive.
 * @returns how many keys were unlinked.
 */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
