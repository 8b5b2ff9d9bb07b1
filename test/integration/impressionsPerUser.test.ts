import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { deleteKeysByPrefix } from '../../src/stores/redis/deleteKeysByPrefix.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * RECGATE_IMPRESSIONS_PER_USER reaches the Redis feature store the gateway
 * makes: with 2, a user shown 4 items over two `recordImpressions` calls keeps
 * the 2 shown last (the regression: every item a user was ever shown was
 * kept). Real Redis (CI guarantees one) under a private key prefix, deleted
 * afterwards.
 */
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `recgate-test:impressions:${randomBytes(6).toString('hex')}:`;
let redis: Redis;
let gateway: Gateway;
let tmp: string;
let clock = Date.UTC(2024, 0, 1);

beforeAll(async () => {
  redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-impressions-'));
  gateway = await createGateway({
    registryDir: await trainedRegistry(),
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    redisUrl: url,
    redisPrefix: prefix,
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0,
    impressionsPerUser: 2,
    now: () => clock,
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  if (redis !== undefined) {
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  }
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('Gateway: RECGATE_IMPRESSIONS_PER_USER', () => {
  it('keeps the items shown last, at most impressionsPerUser per user, in the Redis store', async () => {
    const scope = gateway.createRequestScope();
    const show = (itemIds: string[]) =>
      gateway.recordImpressions({ requestId: 'r1', userId: 'cap-user', itemIds }, scope);
    expect(await show(['a', 'b'])).toEqual({ accepted: true, error: null });
    clock += 1000;
    expect(await show(['c', 'a', 'd'])).toEqual({ accepted: true, error: null });
    const k = `${prefix}{u:cap-user}`;
    // c, a and d share the last time: of those, the smallest id (a) goes first.
    expect(await redis.hgetall(`${k}:imp`)).toEqual({ c: `1:${clock}`, d: `1:${clock}` });
    expect(await redis.zrange(`${k}:impAt`, 0, -1)).toEqual(['c', 'd']);
  }, 60_000);
});
