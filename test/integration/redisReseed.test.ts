import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * A Redis that restarts empty (no persistence) while the gateway serves: the
 * gateway notices the missing seed mark within `modelPollMs`, says so in
 * `/readyz`, and seeds Redis again from the served model, without a restart.
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
  it('is reported by /readyz and seeded again from the served model', async () => {
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
    expect(r.ready).toBe(false);
    expect(r.checks.find((c) => c.name === 'featureStore (redis)')?.detail).toMatch(/no seeded model state/);
    expect(await gateway.user(userId, gateway.createRequestScope())).toBeNull();

    await gateway.checkModel(); // what the poll does every modelPollMs
    expect(await gateway.user(userId, gateway.createRequestScope())).not.toBeNull();
    expect((await gateway.readiness()).ready).toBe(true);
  }, 60_000);
});
