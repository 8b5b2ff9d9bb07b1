import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { RedisFeatureStore } from '../../src/stores/redis/redisFeatureStore.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type {
  FeedbackEvent,
  FeedbackResult,
  RecommendationsRequest,
  UserView,
} from '../../src/services/serviceTypes.js';
import { logger } from '../../src/telemetry/logger.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Regression: a Redis feature store that lost its data (FLUSHALL, or a
 * restart without persistence) was seeded again from the served model, but
 * the feedback received since the model was published was not re-applied,
 * although the event log still held it: a user's clicks were gone from their
 * history for good. Now the re-seed replays the event log (the start-up
 * replay's code path) before the store is trusted again, and feedback that
 * arrives during the re-seed is applied exactly once. A private
 * `redis-server` (FLUSHALL must never reach the shared one) and a file event
 * log, which the flush does not touch.
 */
let redis: RedisProcess;
let client: Redis;
let gateway: Gateway;
let tmp: string;
let userId: string;

const request = (): RecommendationsRequest => ({
  userId,
  sessionItemIds: [],
  surface: 'home',
  first: 20,
  after: null,
  filter: null,
  context: null,
});

const click = (user: string, itemId: string, requestId: string): FeedbackEvent => ({
  userId: user,
  itemId,
  type: 'CLICK',
  value: null,
  requestId,
  timestamp: null,
  context: null,
});

const userView = async (id: string): Promise<UserView | null> =>
  gateway.user(id, gateway.createRequestScope());

/** Reads `id` until a read is not degraded (served by Redis, within its time budget); bounded, on conditions. */
async function servedFromRedis(id: string): Promise<UserView | null> {
  let view: UserView | null = null;
  for (let k = 0; k < 100; k++) {
    view = await userView(id);
    if (view?.degraded.length === 0) return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return view;
}

/**
 * Reads `id` (each read is also what makes the seed watch look at the mark)
 * until the seed mark is back and the user is served from Redis; bounded,
 * on conditions, not on time.
 */
async function reseeded(id: string): Promise<UserView | null> {
  let view: UserView | null = null;
  for (let k = 0; k < 600; k++) {
    view = await userView(id);
    if (view?.degraded.length === 0 && (await client.get('recgate:{meta}:seeded')) !== null) return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return view;
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-reseed-replay-'));
  const registry = await trainedRegistry();
  userId = pickExampleUserId(registry, TEST_MODEL_NAME)!;
  gateway = await createGateway({
    registryDir: registry,
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    redisUrl: redis.url,
    eventLog: 'file',
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0, // only the seed watch re-seeds
    backendRetryMs: 100, // the seed mark is re-read at most this often on the request path
  });
}, 180_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await gateway?.close();
  client?.disconnect();
  await redis?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('Redis flushed while serving, with a file event log', () => {
  it('replays the feedback since the model was published before serving from Redis again, once', async () => {
    const before = await userView(userId);
    expect(before).not.toBeNull();
    const list = await gateway.recommendations(request(), gateway.createRequestScope());
    const clicked = list.items.map((r) => r.itemId).find((id) => !before!.recentItemIds.includes(id))!;
    expect(clicked).toBeDefined();
    const [result] = await gateway.recordFeedback(
      [click(userId, clicked, list.requestId)],
      gateway.createRequestScope(),
    );
    expect(result!.accepted).toBe(true);
    // Read from Redis, not from the fallback a slow read (a loaded CI host) would answer from.
    const clickedView = (await servedFromRedis(userId))!;
    expect(clickedView.degraded).toEqual([]);
    expect(clickedView.recentItemIds[0]).toBe(clicked);

    // A user the model does not know clicks while Redis is being seeded again: the seed does not
    // replace that user's state, so an update applied both live and by the replay would count twice.
    const coldUser = `reseed-cold-${process.pid}`;
    const coldItem = list.items[0]!.itemId;
    let live: Promise<unknown> | null = null;
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn').mockImplementation((message) => {
      if (live === null && message.startsWith('Redis holds no seeded model state')) {
        live = gateway.recordFeedback(
          [click(coldUser, coldItem, list.requestId)],
          gateway.createRequestScope(),
        );
      }
    });

    await client.flushall();
    const after = await reseeded(userId);

    expect(live).not.toBeNull();
    // Logged during the re-seed, held, and applied only after the mark: not applied when answered.
    const [liveResult] = (await live!) as FeedbackResult[];
    expect(liveResult).toMatchObject({ accepted: true, applied: false, error: null });
    expect(after?.degraded).toEqual([]);
    expect(after?.recentItemIds[0]).toBe(clicked);
    expect(after?.interactionCount).toBe(clickedView.interactionCount);
    const cold = await userView(coldUser);
    expect(cold?.recentItemIds).toEqual([coldItem]);
    expect(cold?.interactionCount).toBe(1);
    const lines = info.mock.calls.map(([message]) => message).filter((m) => m.startsWith('re-seeded Redis'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^re-seeded Redis and replayed [12] feedback events$/);
    warn.mockRestore();
    info.mockRestore();
  }, 60_000);

  it('seeds again when Redis loses its data a second time while it is being seeded, and only then marks it', async () => {
    const before = (await userView(userId))!;
    expect(before.degraded).toEqual([]);
    const keysBefore = await client.dbsize();
    // The second loss lands between the seeding and its mark: the first marking must fail.
    const markSeeded = RedisFeatureStore.prototype.markSeeded;
    const marks: boolean[] = [];
    const spy = vi.spyOn(RedisFeatureStore.prototype, 'markSeeded').mockImplementation(async function (
      this: RedisFeatureStore,
      version: string,
      token?: string,
    ) {
      if (marks.length === 0) await client.flushall();
      const set = await markSeeded.call(this, version, token);
      marks.push(set);
      return set;
    });
    const warn = vi.spyOn(logger, 'warn');
    try {
      await client.flushall();
      const after = await reseeded(userId);
      expect(marks).toEqual([false, true]);
      expect(
        warn.mock.calls.filter(([m]) => m.startsWith('Redis lost its data while it was being seeded')),
      ).toHaveLength(1);
      expect(after?.degraded).toEqual([]);
      expect(after?.recentItemIds).toEqual(before.recentItemIds);
      expect(after?.interactionCount).toBe(before.interactionCount);
      // Everything is back, not only the keys written after the second loss.
      expect(await client.dbsize()).toBeGreaterThanOrEqual(keysBefore);
      expect(await client.get('recgate:{meta}:seeding')).toBeNull();
    } finally {
      spy.mockRestore();
      warn.mockRestore();
    }
  }, 60_000);
});
