import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * A gateway that starts on a Redis already seeded with its model version
 * does not seed it again, but adds the catalog items of the model that
 * Redis lacks (openBackends: by id first, building only the missing items).
 */
let redis: RedisProcess;
let registry: string;

beforeAll(async () => {
  redis = await startRedis();
  registry = await trainedRegistry();
}, 180_000);

afterAll(async () => {
  await redis?.stop();
});

describe('a gateway on an already seeded Redis', () => {
  it('writes back exactly the model items missing from the catalog set, as the seeding wrote them', async () => {
    const options = {
      registryDir: registry,
      modelName: TEST_MODEL_NAME,
      featureStore: 'redis' as const,
      eventLog: 'redis' as const,
      redisUrl: redis.url,
      modelPollMs: 0,
    };
    const first = await createGateway(options);
    await first.close();
    const client = new Redis(redis.url);
    try {
      const ids = (await client.smembers('recgate:{items}:ids')).sort();
      expect(ids.length).toBeGreaterThan(100);
      const removed = [ids[0]!, ids[Math.floor(ids.length / 2)]!, ids[ids.length - 1]!];
      const before = await client.mget(...removed.map((id) => `recgate:{items}:item:${id}`));
      expect(before.every((json) => json !== null)).toBe(true);
      await client.srem('recgate:{items}:ids', ...removed);
      await client.del(...removed.map((id) => `recgate:{items}:item:${id}`));
      const seededMark = await client.get('recgate:{meta}:seeded');
      expect(seededMark).not.toBeNull();

      const second = await createGateway(options);
      try {
        // Not seeded again (the mark is the same), yet the three items are back, byte for byte.
        expect(await client.get('recgate:{meta}:seeded')).toBe(seededMark);
        expect((await client.smembers('recgate:{items}:ids')).sort()).toEqual(ids);
        expect(await client.mget(...removed.map((id) => `recgate:{items}:item:${id}`))).toEqual(before);
      } finally {
        await second.close();
      }
    } finally {
      client.disconnect();
    }
  }, 120_000);
});
