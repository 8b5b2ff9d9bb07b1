import { Cluster } from 'ioredis';
import { keySlot } from './keySlot.js';
import type { RedisClient } from './redisConnection.js';

/**
 * Splits `count` entries into groups that one ioredis pipeline each can
 * carry. An ioredis Cluster pipeline must target one node (all its keys in
 * slots served by the same nodes), so on a `Cluster` the entries are grouped
 * by the nodes serving their key's slot (the client's current slot table,
 * the same test ioredis applies); on a single server there is one group.
 *
 * @param keyOf a key of entry `i`; every key the caller pipelines for entry
 *   `i` must share its slot (a hash tag such as `{u:<id>}`).
 * @returns groups of indices into 0..count−1, each in ascending order, every
 *   index exactly once; `[]` for `count` 0, one group `[0..count−1]` on a
 *   single server. Entries of a slot missing from the slot table share one
 *   group (ioredis then routes or rejects it).
 */
export function groupByNode(client: RedisClient, count: number, keyOf: (i: number) => string): number[][] {
  if (count === 0) return [];
  if (!(client instanceof Cluster)) return [Array.from({ length: count }, (_, i) => i)];
  const groups = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const owners = client.slots[keySlot(keyOf(i))]?.join(';') ?? '?';
    const group = groups.get(owners);
    if (group === undefined) groups.set(owners, [i]);
    else group.push(i);
  }
  return [...groups.values()];
}
