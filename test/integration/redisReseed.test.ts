import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * A Redis that restarts empty (no persistence) while the gateway serves, with
 * the model poll off (`modelPollMs: 0`): the reconnect makes the gateway read
 * the seed mark, serve from its in-process snapshot (never from the empty
 * Redis as if it were the truth) and seed Redis again from the served model,
 * without a restart and without a poll (regression: only the poll re-seeded).
 * `redisLostSeed.test.ts` covers the data lost without a reconnect.
 */
let redis: RedisProcess;
let gateway: Gateway;
let userId: string;

beforeAll(async () => {
  redis = await startRedis();
  const registry = await trainedRegistry();
  userId = pickExampleUserId(registry, TEST_MODEL_NAME)!;
  gateway = await createGateway({
    registryDir: registry,
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    eventLog: 'redis',
    redisUrl: redis.url,
    modelPollMs: 0, // the test triggers the poll itself: gateway.checkModel()
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await redis?.stop();
});

describe('Redis restarted without its data', () => {
  it('is served from the snapshot meanwhile and seeded again from the served model, with no poll', async () => {
    expect(await gateway.user(userId, gateway.createRequestScope())).not.toBeNull();
    await redis.stop();
    await redis.start(); // empty: no persistence
    let r = await gateway.readiness();
    for (
      let k = 0;
      k < 50 && r.checks.some((c) => /Connection|no answer|connect/i.test(c.detail ?? ''));
      k++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // until the client reconnected
      r = await gateway.readiness();
    }
    // Seeded again or not yet, the user is known: from Redis, or from the snapshot (named in degraded).
    expect(await gateway.user(userId, gateway.createRequestScope())).not.toBeNull();

    // No gateway.checkModel(): the reconnect alone started the re-seed; wait for it (bounded).
    for (let k = 0; k < 600 && !r.ready; k++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      r = await gateway.readiness();
    }
    expect(r.ready).toBe(true);
    const client = new Redis(redis.url);
    try {
      expect(await client.get('recgate:{meta}:seeded')).not.toBeNull();
      expect(await client.exists(`recgate:{u:${userId}}:meta`)).toBe(1);
    } finally {
      client.disconnect();
    }
    const user = await gateway.user(userId, gateway.createRequestScope());
    expect(user?.degraded).toEqual([]);
  }, 60_000);
});
