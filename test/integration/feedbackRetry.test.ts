import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { FeedbackEvent, UserView } from '../../src/services/serviceTypes.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';
import { clickEvent } from '../support/feedbackEvents.js';

/**
 * The gateway's retry of feedback updates that failed without reaching Redis
 * (docs/feedback.md, "Retried updates"), end to end: Redis feature store,
 * file event log, a private `redis-server` stopped and started again, with
 * its data (`persist`) or empty. What the retry did is read from the metrics
 * the gateway reports (a Telemetry that keeps them).
 */
interface Setup {
  redis: RedisProcess;
  gateway: Gateway;
  tmp: string;
  pending: () => number;
  retried: number;
  dropped: Record<string, number>;
}

let userId: string;
let registry: string;

beforeAll(async () => {
  registry = await trainedRegistry();
  userId = pickExampleUserId(registry, TEST_MODEL_NAME)!;
}, 180_000);

async function open(persist: boolean): Promise<Setup> {
  const redis = await startRedis({ persist });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-feedback-retry-'));
  const setup = { redis, tmp, pending: () => -1, retried: 0, dropped: {} } as Setup;
  const telemetry: Telemetry = {
    ...noopTelemetry,
    observeFeedbackRetryPending: (read) => void (setup.pending = read),
    recordFeedbackRetried: (n) => void (setup.retried += n),
    recordFeedbackRetryDropped: (n, reason) =>
      void (setup.dropped[reason] = (setup.dropped[reason] ?? 0) + n),
  };
  setup.gateway = await createGateway({
    registryDir: registry,
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    redisUrl: redis.url,
    eventLog: 'file',
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0,
    backendRetryMs: 100, // retry attempts (and seed-mark reads) at most this often
    telemetry,
  });
  return setup;
}

async function close(s: Setup | undefined): Promise<void> {
  await s?.gateway.close();
  await s?.redis.stop();
  if (s?.tmp !== undefined) rmSync(s.tmp, { recursive: true, force: true });
}

const click = (itemId: string): FeedbackEvent => clickEvent(userId, itemId);

/** Polls `done` every 50 ms, at most `polls` times (a bound on attempts, not a timed assertion). */
async function until(done: () => boolean | Promise<boolean>, polls = 400): Promise<boolean> {
  for (let k = 0; k < polls; k++) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The user as Redis serves it (not degraded), read until a read is not degraded. */
async function fromRedis(gateway: Gateway): Promise<UserView> {
  let view: UserView | null = null;
  expect(
    await until(async () => {
      view = await gateway.user(userId, gateway.createRequestScope());
      return view?.degraded.length === 0;
    }),
  ).toBe(true);
  return view!;
}

/** An item the user has not interacted with recently, from their recommendations. */
async function freshItem(gateway: Gateway, before: UserView): Promise<string> {
  const list = await gateway.recommendations(
    { userId, sessionItemIds: [], surface: 'home', first: 20, after: null, filter: null, context: null },
    gateway.createRequestScope(),
  );
  return list.items.map((r) => r.itemId).find((id) => !before.recentItemIds.includes(id))!;
}

/** Stops Redis and lets the gateway's client see the closed socket (then commands are refused, not sent). */
async function stop(s: Setup): Promise<void> {
  await s.redis.stop();
  await new Promise((r) => setTimeout(r, 300));
}

describe('feedback accepted while Redis was down (file event log)', () => {
  let s: Setup | undefined;
  afterAll(() => close(s));

  it('Redis back with its data: the event is applied by the retry, exactly once', async () => {
    s = await open(true);
    const before = await fromRedis(s.gateway);
    const item = await freshItem(s.gateway, before);
    await stop(s);
    const [result] = await s.gateway.recordFeedback([click(item)], s.gateway.createRequestScope());
    expect(result).toMatchObject({ accepted: true, applied: false });
    expect(s.pending()).toBe(1);
    await s.redis.start();
    expect(await until(() => s!.pending() === 0)).toBe(true);
    expect(s.retried).toBe(1);
    const after = await fromRedis(s.gateway);
    expect(after.recentItemIds[0]).toBe(item);
    expect(after.recentItemIds.filter((id) => id === item)).toHaveLength(1);
    expect(after.interactionCount).toBe(before.interactionCount + 1);
  }, 120_000);
});

describe('feedback accepted while Redis was down, Redis back empty (re-seeded from the log)', () => {
  let s: Setup | undefined;
  afterAll(() => close(s));

  it('the re-seed replays the event and drops its retry: applied once', async () => {
    s = await open(false);
    const before = await fromRedis(s.gateway);
    const item = await freshItem(s.gateway, before);
    await stop(s);
    const [result] = await s.gateway.recordFeedback([click(item)], s.gateway.createRequestScope());
    expect(result).toMatchObject({ accepted: true, applied: false });
    expect(s.pending()).toBe(1);
    await s.redis.start(); // empty: the seed watch seeds it again and replays the event log
    expect(await until(() => s!.pending() === 0)).toBe(true);
    const after = await fromRedis(s.gateway);
    expect(s.dropped['replayed']).toBe(1);
    expect(s.retried).toBe(0);
    expect(after.recentItemIds.filter((id) => id === item)).toHaveLength(1);
    expect(after.interactionCount).toBe(before.interactionCount + 1);
  }, 120_000);
});
