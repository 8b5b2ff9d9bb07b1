import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GatewayConfig } from '../../src/config.js';
import { createGateway } from '../../src/services/createGateway.js';
import { RedisFeatureStore } from '../../src/stores/redis/redisFeatureStore.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { UserView } from '../../src/services/serviceTypes.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';
import { clickEvent } from '../support/feedbackEvents.js';

/**
 * Regression (attack report): with the Redis store and the file event log, a
 * FLUSHALL under feedback load double-applied the events of users the model
 * was not trained on. Feedback that reached the emptied Redis before the
 * gateway noticed the missing seed mark (up to RECGATE_BACKEND_RETRY_MS)
 * survived the re-seed, which only replaces the model's training users, and
 * the event-log replay then applied it again: count, history, categories and
 * vector twice. The same for a start-up seed of a Redis holding an interrupted
 * seeding's replay. Now the seeding deletes every user's state first, so the
 * replay applies each logged event exactly once. A private `redis-server`
 * (FLUSHALL must never reach the shared one).
 */
let redis: RedisProcess;
let client: Redis;
let tmp: string;
let registry: string;
/** Added to the gateway's clock: moving it past `backendRetryMs` makes the next read check the seed mark. */
let clockOffset = 0;

/** Far longer than the test: the seed watch looks at the mark only when the test moves the clock. */
const RETRY_MS = 3_600_000;

const config = (eventLogFile: string): GatewayConfig => ({
  registryDir: registry,
  modelName: TEST_MODEL_NAME,
  featureStore: 'redis',
  redisUrl: redis.url,
  eventLog: 'file',
  eventLogFile,
  eventLogFsync: 'never',
  modelPollMs: 0,
  backendRetryMs: RETRY_MS,
  // A loaded CI host: reads stay on Redis rather than on the snapshot a slow read would answer from.
  backendBudgetMs: 5000,
  now: () => Date.now() + clockOffset,
});

const click = clickEvent;

const view = (gateway: Gateway, id: string): Promise<UserView | null> =>
  gateway.user(id, gateway.createRequestScope());

/** Two items any user may click: the first ones recommended to a user the model does not know. */
async function twoItems(gateway: Gateway): Promise<[string, string]> {
  const list = await gateway.recommendations(
    {
      userId: `nobody-${process.pid}`,
      sessionItemIds: [],
      surface: 'home',
      first: 2,
      after: null,
      filter: null,
      context: null,
    },
    gateway.createRequestScope(),
  );
  expect(list.items).toHaveLength(2);
  return [list.items[0]!.itemId, list.items[1]!.itemId];
}

/** Feedback records of `userId` in a file event log (read after the gateway closed it: flushed). */
function loggedFor(file: string, userId: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { kind: string; userId?: string })
    .filter((r) => r.kind === 'feedback' && r.userId === userId).length;
}

/**
 * Reads `id` until the seed mark is back and the read is served by Redis;
 * bounded, on conditions. Meanwhile a user the snapshot does not know is
 * refused (UNAVAILABLE): such a read is retried.
 */
async function reseeded(gateway: Gateway, id: string): Promise<UserView | null> {
  let user: UserView | null = null;
  for (let k = 0; k < 600; k++) {
    user = await view(gateway, id).catch(() => null);
    if (user?.degraded.length === 0 && (await client.get('recgate:{meta}:seeded')) !== null) return user;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return user;
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-reseed-cold-'));
  registry = await trainedRegistry();
}, 180_000);

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('re-seeding Redis with a file event log, for users the model was not trained on', () => {
  it('counts feedback that reached the flushed Redis before the gateway noticed exactly once', async () => {
    const log = path.join(tmp, 'flush.jsonl');
    const coldUser = `flush-cold-${process.pid}`;
    const gateway = await createGateway(config(log));
    let user: UserView | null;
    // The loss lands while the update is in flight: its catalog read saw the items, its writes reach
    // the emptied Redis (as do those of updates whose catalog read ran beside the trust check that finds
    // the mark missing: that read is answered from the snapshot), and the gateway has not noticed yet.
    const getItems = RedisFeatureStore.prototype.getItems;
    let flushed = false;
    let inFlight: string | null = null;
    const spy = vi.spyOn(RedisFeatureStore.prototype, 'getItems').mockImplementation(async function (
      this: RedisFeatureStore,
      itemIds: readonly string[],
    ) {
      const found = await getItems.call(this, itemIds);
      if (!flushed && inFlight !== null && itemIds.includes(inFlight)) {
        flushed = true;
        await client.flushall();
      }
      return found;
    });
    try {
      const [first, second] = await twoItems(gateway);
      inFlight = first;
      const results = await gateway.recordFeedback(
        [click(coldUser, first), click(coldUser, second)],
        gateway.createRequestScope(),
      );
      expect(flushed).toBe(true);
      expect(results.map((r) => r.accepted)).toEqual([true, true]);
      expect(await client.get('recgate:{meta}:seeded')).toBeNull();
      expect(await client.hget(`recgate:{u:${coldUser}}:meta`, 'n')).toBe('2');

      clockOffset += RETRY_MS + 1; // the next read checks the mark, finds it missing and re-seeds
      user = await reseeded(gateway, coldUser);
    } finally {
      spy.mockRestore();
      await gateway.close();
    }
    const logged = loggedFor(log, coldUser);
    expect(logged).toBe(2);
    expect(user?.degraded).toEqual([]);
    expect(user?.interactionCount).toBe(logged);
    expect(user?.recentItemIds).toHaveLength(logged);
    expect(await client.hget(`recgate:{u:${coldUser}}:meta`, 'n')).toBe(String(logged));
  }, 120_000);

  it('counts a logged event once when a start-up seeds a Redis whose seeding was interrupted after its replay', async () => {
    await client.flushall();
    const log = path.join(tmp, 'startup.jsonl');
    const coldUser = `startup-cold-${process.pid}`;
    // An earlier run seeds the empty Redis and takes one click of a user the model does not know.
    const earlier = await createGateway(config(log));
    try {
      const [item] = await twoItems(earlier);
      const [result] = await earlier.recordFeedback([click(coldUser, item)], earlier.createRequestScope());
      expect(result!.accepted).toBe(true);
      expect((await view(earlier, coldUser))?.interactionCount).toBe(1);
    } finally {
      await earlier.close();
    }
    // What a seeding interrupted after its replay, before its mark, leaves: the user's state, no mark.
    await client.del('recgate:{meta}:seeded');
    expect(await client.hget(`recgate:{u:${coldUser}}:meta`, 'n')).toBe('1');

    const later = await createGateway(config(log));
    try {
      expect(await client.get('recgate:{meta}:seeded')).not.toBeNull();
      const user = await view(later, coldUser);
      expect(user?.degraded).toEqual([]);
      expect(user?.interactionCount).toBe(loggedFor(log, coldUser));
      expect(user?.interactionCount).toBe(1);
      expect(user?.recentItemIds).toHaveLength(1);
    } finally {
      await later.close();
    }
  }, 180_000);
});
