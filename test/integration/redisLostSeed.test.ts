import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { RecommendationsRequest } from '../../src/services/serviceTypes.js';
import { deleteKeysByPrefix } from '../../src/stores/redis/deleteKeysByPrefix.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';
import { homeRequest } from '../support/homeRequest.js';

/**
 * Regression: with `RECGATE_MODEL_POLL_MS=0` a Redis feature store that lost
 * its data was never seeded again (only the model poll repaired the seed),
 * and lists came back empty with `degraded: []`. Now the gateway re-reads the
 * seed mark on the request path (at most every `backendRetryMs`), serves from
 * its in-process snapshot, named in `degraded`, while it seeds Redis again,
 * then serves from Redis again. Real Redis (CI guarantees one) under a
 * private key prefix; only that prefix's keys are deleted, to stand for the
 * lost data.
 */
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `recgate-test:lost-seed:${randomBytes(6).toString('hex')}:`;
let redis: Redis;
let gateway: Gateway;
let tmp: string;
let userId: string;
/** Added to the wall clock: moving it forward makes the next seed check due without waiting. */
let offsetMs = 0;

const request = (): RecommendationsRequest => homeRequest(userId);

beforeAll(async () => {
  redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-lost-seed-'));
  const registry = await trainedRegistry();
  userId = pickExampleUserId(registry, TEST_MODEL_NAME)!;
  gateway = await createGateway({
    registryDir: registry,
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    redisUrl: url,
    redisPrefix: prefix,
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0, // no model poll: nothing else would repair the seed
    backendRetryMs: 1000, // the seed mark is re-read at most this often
    now: () => Date.now() + offsetMs,
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

/** Waits (bounded) for the re-seed's mark, then checks that the user is back in Redis. */
async function reseeded(): Promise<void> {
  for (let k = 0; k < 600 && (await redis.get(`${prefix}{meta}:seeded`)) === null; k++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await redis.exists(`${prefix}{u:${userId}}:meta`)).toBe(1);
}

describe('Redis feature store that lost its seed, with RECGATE_MODEL_POLL_MS=0', () => {
  it('serves from the snapshot named in degraded, seeds Redis again, then serves from Redis', async () => {
    const before = await gateway.recommendations(request(), gateway.createRequestScope());
    expect(before.items).toHaveLength(10);
    expect(before.degraded).toEqual([]);

    expect(await deleteKeysByPrefix(redis, prefix)).toBeGreaterThan(0); // the data is gone
    offsetMs += 10_000; // past backendRetryMs: the next request reads the seed mark

    const during = await gateway.recommendations(request(), gateway.createRequestScope());
    expect(during.items).toHaveLength(10); // from the in-process snapshot, not an empty catalog
    expect(during.degraded).toEqual(expect.arrayContaining(['featureStore.users']));

    await reseeded(); // in the background, no poll involved

    // A popular/trending refresh that ran while Redis was not trusted read the snapshot: lists name
    // it (featureStore.liveRanking) until a refresh reads Redis again, the next one due
    // RECGATE_RANKING_REFRESH_MS later, started by a request and served to the ones after it.
    offsetMs += 10_000;
    let after = await gateway.recommendations(request(), gateway.createRequestScope());
    for (let k = 0; k < 200 && after.degraded.length > 0; k++) {
      expect(after.degraded).toEqual(['featureStore.liveRanking']);
      await new Promise((resolve) => setTimeout(resolve, 25));
      after = await gateway.recommendations(request(), gateway.createRequestScope());
    }
    expect(after.items).toHaveLength(10);
    expect(after.degraded).toEqual([]);
  }, 120_000);

  it('is reported by /readyz, which starts the re-seed too', async () => {
    await deleteKeysByPrefix(redis, prefix); // no clock step: the request path's check is not due
    const readiness = await gateway.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.find((c) => c.name === 'featureStore (redis)')?.detail).toMatch(
      /no seeded model state \(restarted empty\?\); re-seeding/,
    );
    await reseeded();
  }, 120_000);
});
