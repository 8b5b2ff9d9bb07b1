import { once } from 'node:events';
import { rmSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { readUserStates } from '../../../src/inference/readUserStates.js';
import type { ServedModel } from '../../../src/inference/servedModel.js';
import type { RetryDropReason } from '../../../src/services/feedback/feedbackRetrier.js';
import { FeedbackService } from '../../../src/services/feedbackService.js';
import type { FeedbackEvent } from '../../../src/services/serviceTypes.js';
import { CircuitBreaker } from '../../../src/stores/fallback/circuitBreaker.js';
import { FallbackFeatureStore } from '../../../src/stores/fallback/fallbackFeatureStore.js';
import type { FeatureStore, UserFeatures } from '../../../src/stores/featureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { isNotSent } from '../../../src/stores/notSentError.js';
import { RedisFeatureStore } from '../../../src/stores/redis/redisFeatureStore.js';
import { seedFeatureStore } from '../../../src/stores/seedFeatureStore.js';
import { startRedis } from '../../support/redisServers.js';
import type { RedisProcess } from '../../support/redisServers.js';
import { tinyRegistry } from '../inference/servedModelFixtures.js';
import type { TinyRegistry } from '../inference/servedModelFixtures.js';
import { RecordingEventLog } from './feedbackFixtures.js';

const DAY = 86_400_000;

/**
 * Retry of feature updates that failed without reaching Redis
 * (docs/feedback.md, "Retried updates"), against a real, private Redis that
 * keeps its data across a stop and start (`persist`): the gateway's
 * composition (Redis behind the fallback store, file-like event log).
 */
describe('FeedbackService retry of updates that did not reach Redis', () => {
  let reg: TinyRegistry;
  let model: ServedModel;
  let NOW: number;
  let server: RedisProcess;
  let redis: RedisFeatureStore;
  let prefixes = 0;

  beforeAll(async () => {
    reg = tinyRegistry();
    model = await loadServedModel(reg.registry, 'v1');
    NOW = model.bundle.referenceTime + DAY;
    server = await startRedis({ persist: true });
  }, 60_000);

  afterAll(async () => {
    await model?.close();
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
    await server?.stop();
  });

  beforeEach(async () => {
    await server.start(); // a test may leave it stopped
    redis = await RedisFeatureStore.connect({
      url: server.url,
      prefix: `retry-${++prefixes}:`,
      now: () => NOW,
      // Generous: on a loaded host a slow answer must not pass for an outage (a timeout is not retried).
      commandTimeoutMs: 5000,
      maxReconnectDelayMs: 100,
      log: () => undefined,
    });
    await seedFeatureStore(redis, model, await readUserStates(reg.registry, 'v1'));
  }, 60_000);

  afterEach(async () => {
    await redis.close();
  });

  /** The gateway's composition: Redis behind the fallback store over a snapshot; a service retrying into it. */
  const setUp = async (retry: { maxPending?: number } = {}, writeBudgetMs = 5000) => {
    const snapshot = new MemoryFeatureStore({ now: () => NOW });
    await seedFeatureStore(snapshot, model, await readUserStates(reg.registry, 'v1'));
    const store = new FallbackFeatureStore({
      primary: redis,
      fallback: snapshot,
      breaker: new CircuitBreaker('redis', { budgetMs: 300, retryAfterMs: 100 }),
      writeBudgetMs,
    });
    const errors: unknown[] = [];
    const retried: number[] = [];
    const dropped: { count: number; reason: RetryDropReason }[] = [];
    const service = new FeedbackService({
      store,
      eventLog: new RecordingEventLog(),
      model: () => model,
      now: () => NOW,
      onUpdateError: (error) => errors.push(error),
      retry: {
        ...retry,
        intervalMs: 3_600_000, // the test drives the attempts (retryNow), counting them
        reachable: () => redis.redis.status === 'ready',
        onRetried: (count) => retried.push(count),
        onDropped: (count, reason) => dropped.push({ count, reason }),
      },
    });
    return { service, errors, retried, dropped };
  };

  /** A memory store seeded alike that got `events` live: the state Redis must end in (each event once). */
  const reference = async (events: readonly FeedbackEvent[]): Promise<FeatureStore> => {
    const memory = new MemoryFeatureStore({ now: () => NOW });
    await seedFeatureStore(memory, model, await readUserStates(reg.registry, 'v1'));
    const service = new FeedbackService({
      store: memory,
      eventLog: new RecordingEventLog(),
      model: () => model,
      now: () => NOW,
    });
    for (const e of events) await service.record([e]);
    return memory;
  };

  const comparable = (u: UserFeatures | null) =>
    u === null
      ? null
      : {
          interactionCount: u.interactionCount,
          recent: u.recent,
          seen: [...u.seen].sort(),
          dismissed: [...u.dismissed].sort(),
          categoryWeights: Object.fromEntries(u.categoryWeights),
        };

  const event = (userId: string, itemId: string, type: FeedbackEvent['type'], minutes: number) => ({
    userId,
    itemId,
    type,
    value: null,
    requestId: null,
    timestamp: NOW - 60 * 60_000 + minutes * 60_000,
    context: null,
  });

  /** Polls (at most 400 times, 25 ms apart) until the store's client is (`ready`) or is not (`down`) connected. */
  const connection = async (want: 'ready' | 'down'): Promise<void> => {
    for (let polls = 1; polls <= 400; polls++) {
      if ((redis.redis.status === 'ready') === (want === 'ready')) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the store's client is still ${redis.redis.status}`);
  };
  /** Stops the server and waits until the store's client saw it (so commands are refused, not sent). */
  const stopRedis = async (): Promise<void> => {
    await server.stop();
    await connection('down');
  };
  /** Starts the server again (with its data) and waits until the store's client reconnected. */
  const restartRedis = async (): Promise<void> => {
    await server.start();
    await connection('ready');
  };

  /** Runs retry attempts until nothing waits; returns how many were needed. */
  const retryUntilDone = async (service: FeedbackService, max = 5): Promise<number> => {
    for (let attempts = 1; attempts <= max; attempts++) {
      await service.retryNow();
      if (service.pendingRetries === 0) return attempts;
    }
    return Infinity;
  };

  /** Asserts Redis holds exactly what `events`, each applied once, leave for `users` and `items`. */
  const expectAppliedOnce = async (
    events: readonly FeedbackEvent[],
    users: readonly string[],
    items: readonly string[],
  ): Promise<void> => {
    const memory = await reference(events);
    expect((await redis.getUsers(users)).map(comparable)).toEqual(
      (await memory.getUsers(users)).map(comparable),
    );
    const [want, got] = [await memory.getItemCounters(items), await redis.getItemCounters(items)];
    got.forEach((c, k) => {
      expect(c!.popularity).toBeCloseTo(want[k]!.popularity, 6);
      expect(c!.trend).toBeCloseTo(want[k]!.trend, 6);
    });
  };

  it('Redis down: the update is not sent (NotSentError through the fallback store), answered applied: false, queued', async () => {
    const { service, errors } = await setUp();
    await stopRedis();
    const [result] = await service.record([event('u3', 'm5', 'LIKE', 1)]);
    expect(result).toMatchObject({ accepted: true, applied: false });
    expect(errors).toHaveLength(1);
    expect(isNotSent(errors[0])).toBe(true);
    expect(service.pendingRetries).toBe(1);
    // While the client is not connected an attempt is skipped and keeps the update.
    await service.retryNow();
    expect(service.pendingRetries).toBe(1);
  }, 60_000);

  it('a command ioredis refuses because the socket closed before the client noticed is NotSentError too', async () => {
    const write = {
      entry: { itemId: 'm1', type: 'CLICK' as const, value: null, timestamp: NOW },
      categories: [],
      weight: 1,
    };
    const [before] = await redis.getUsers(['u9']);
    const back = once(redis.redis, 'ready');
    (redis.redis as Redis).stream.destroy(); // the client's status is still `ready`: it learns of the close later
    const error = await redis.applyUserInteractions('u9', [write], undefined).catch((e: unknown) => e);
    expect(isNotSent(error)).toBe(true);
    expect(String((error as Error).cause)).toMatch(/enableOfflineQueue options is false/);
    await back;
    expect((await redis.getUsers(['u9']))[0]!.interactionCount).toBe(before!.interactionCount);
  }, 60_000);

  it('Redis back with its data: the retried update lands exactly once, in order with the user’s other events', async () => {
    const { service, retried } = await setUp();
    const before = event('u3', 'm5', 'LIKE', 1); // applied live
    const down = [
      event('u3', 'm7', 'PURCHASE', 2),
      event('u3', 'm5', 'DISMISS', 3),
      event('u4', 'm7', 'CLICK', 4),
    ];
    const after = event('u3', 'm2', 'CLICK', 5); // live, once Redis is back, before the retry
    expect((await service.record([before]))[0]!.applied).toBe(true);
    await stopRedis();
    const results = await service.record(down);
    expect(results.map((r) => [r.accepted, r.applied])).toEqual(down.map(() => [true, false]));
    expect(service.pendingRetries).toBe(3);
    await restartRedis();
    expect((await service.record([after]))[0]!.applied).toBe(true);
    expect(await retryUntilDone(service)).toBe(1);
    expect(retried).toEqual([3]);
    await expectAppliedOnce([before, ...down, after], ['u3', 'u4'], ['m2', 'm5', 'm7']);
    // Nothing is left to apply a second time.
    await service.retryNow();
    await expectAppliedOnce([before, ...down, after], ['u3', 'u4'], ['m2', 'm5', 'm7']);
  }, 60_000);

  it('a write that timed out after it was sent is not retried (it landed when the server resumed)', async () => {
    const { service, errors } = await setUp({}, 300);
    const e = event('u6', 'm3', 'LIKE', 1);
    await server.pause(4000); // every command waits 4 s: the 300 ms write budget runs out first
    const [result] = await service.record([e]);
    expect(result).toMatchObject({ accepted: true, applied: false });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((err) => !isNotSent(err))).toBe(true);
    expect(service.pendingRetries).toBe(0);
    // The paused command ran when the pause ended: a PING on the same connection answers after it
    // (those sent during the pause time out first).
    let answered = false;
    for (let pings = 0; pings < 20 && !answered; pings++) {
      answered = await redis.redis.ping().then(
        () => true,
        () => false,
      );
    }
    expect(answered).toBe(true);
    await service.retryNow();
    // The user's write landed once. The item counters, written after it, were never sent: not applied.
    const landed = await reference([e]);
    expect(comparable((await redis.getUsers(['u6']))[0]!)).toEqual(
      comparable((await landed.getUsers(['u6']))[0]!),
    );
    const untouched = await reference([]);
    expect((await redis.getItemCounters(['m3']))[0]!.popularity).toBeCloseTo(
      (await untouched.getItemCounters(['m3']))[0]!.popularity,
      6,
    );
  }, 60_000);

  it('keeps at most maxPending updates: the oldest are dropped and counted; the rest land once', async () => {
    const { service, dropped } = await setUp({ maxPending: 3 });
    const events = ['u8', 'u9', 'u10', 'u11', 'u12'].map((u, k) => event(u, 'm4', 'CLICK', k));
    await stopRedis();
    for (const e of events) await service.record([e]); // one call each: drops happen one at a time
    expect(service.pendingRetries).toBe(3);
    expect(dropped).toEqual([
      { count: 1, reason: 'cap' },
      { count: 1, reason: 'cap' },
    ]);
    await restartRedis();
    expect(await retryUntilDone(service)).toBe(1);
    // The two oldest (u8, u9) never reach Redis through the retry; the three newest do, once.
    await expectAppliedOnce(events.slice(2), ['u8', 'u9', 'u10', 'u11', 'u12'], ['m4']);
  }, 60_000);

  it('a replay of the event log (re-seed) drops the updates it applied; none is retried while updates are held', async () => {
    const { service, dropped } = await setUp();
    await stopRedis();
    const results = await service.record([event('u1', 'm1', 'LIKE', 1), event('u2', 'm1', 'LIKE', 2)]);
    expect(service.pendingRetries).toBe(2);
    await restartRedis();
    const hold = service.holdUpdates();
    await hold.settled;
    await service.retryNow(); // held: no attempt
    expect(service.pendingRetries).toBe(2);
    hold.resume(new Set([results[0]!.eventId!])); // the replay applied u1's event
    expect(service.pendingRetries).toBe(1);
    expect(dropped).toEqual([{ count: 1, reason: 'replayed' }]);
    expect(await retryUntilDone(service)).toBe(1);
    // u1's event was dropped (the replay, not run here, owns it): Redis has u2's event only.
    await expectAppliedOnce([event('u2', 'm1', 'LIKE', 2)], ['u1', 'u2'], ['m1']);
  }, 60_000);
});
