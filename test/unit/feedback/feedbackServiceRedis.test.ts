import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackRecord } from '../../../src/domain/events.js';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { readUserStates } from '../../../src/inference/readUserStates.js';
import type { ServedModel } from '../../../src/inference/servedModel.js';
import { FeedbackService } from '../../../src/services/feedbackService.js';
import type { FeedbackEvent } from '../../../src/services/serviceTypes.js';
import type { FeatureStore, UserFeatures } from '../../../src/stores/featureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { deleteKeysByPrefix } from '../../../src/stores/redis/deleteKeysByPrefix.js';
import { RedisFeatureStore } from '../../../src/stores/redis/redisFeatureStore.js';
import { seedFeatureStore } from '../../../src/stores/seedFeatureStore.js';
import { tinyRegistry } from '../inference/servedModelFixtures.js';
import type { TinyRegistry } from '../inference/servedModelFixtures.js';
import { RecordingEventLog } from './feedbackFixtures.js';

// Real Redis (CI guarantees one), private key prefix deleted afterwards.
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const runPrefix = `recgate-test:${randomBytes(6).toString('hex')}:`;
const DAY = 86_400_000;

/**
 * Issue #6: the Redis store sends a batch's per-user writes together (one
 * socket write); the feedback service must still leave exactly the state the
 * memory store leaves, and report a failing user's events alone.
 */
describe('FeedbackService on the Redis store (issue #6 batched writes)', () => {
  let reg: TinyRegistry;
  let model: ServedModel;
  let NOW: number;
  let stores = 0;

  beforeAll(async () => {
    reg = tinyRegistry();
    model = await loadServedModel(reg.registry, 'v1');
    NOW = model.bundle.referenceTime + DAY;
  });

  afterAll(async () => {
    await model?.close();
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
    const redis = new Redis(url, { lazyConnect: true });
    try {
      await redis.connect();
      await deleteKeysByPrefix(redis, runPrefix);
    } finally {
      redis.disconnect();
    }
  });

  /** A seeded store and a service on it, collecting update errors with their records. */
  const setUp = async (store: FeatureStore) => {
    await seedFeatureStore(store, model, await readUserStates(reg.registry, 'v1'));
    const errors: { error: unknown; record: FeedbackRecord }[] = [];
    const service = new FeedbackService({
      store,
      eventLog: new RecordingEventLog(),
      model: () => model,
      now: () => NOW,
      onUpdateError: (error, record) => errors.push({ error, record }),
    });
    return { service, errors };
  };

  /** 40 events over 16 users (several per user, in a known order), on 12 items, various types. */
  const batch = (): FeedbackEvent[] => {
    const types = [
      'CLICK',
      'LIKE',
      'VIEW',
      'DISMISS',
      'ADD_TO_CART',
      'CLICK',
      'DISLIKE',
      'PURCHASE',
    ] as const;
    return Array.from({ length: 40 }, (_, k) => ({
      userId: `u${(k * 7) % 16}`,
      itemId: `m${(k * 5) % 12}`,
      type: types[k % types.length]!,
      value: types[k % types.length] === 'VIEW' ? 4 : null,
      requestId: null,
      // Some events older than the user's newest stored entry (the ordered insert), some ties.
      timestamp: NOW - (k % 3) * 60_000 - (k % 5 === 0 ? 30 * DAY : 0),
      context: null,
    }));
  };

  /** What must match between stores (vectors up to float rounding: the fold-in cache is shared). */
  const comparable = (u: UserFeatures | null) =>
    u === null
      ? null
      : {
          interactionCount: u.interactionCount,
          recent: u.recent,
          seen: [...u.seen].sort(),
          dismissed: [...u.dismissed].sort(),
          categoryWeights: Object.fromEntries(u.categoryWeights),
          categoryLastSeen: Object.fromEntries(u.categoryLastSeen),
        };

  it('leaves the state the memory store leaves, for every user and item, in batch order per user', async () => {
    const memory = new MemoryFeatureStore({ now: () => NOW });
    const redis = await RedisFeatureStore.connect({
      url,
      prefix: `${runPrefix}${++stores}:`,
      now: () => NOW,
    });
    try {
      const onMemory = await setUp(memory);
      const onRedis = await setUp(redis);
      const events = batch();
      // Two batches back to back, the second one issued before the first resolved.
      const results = await Promise.all([onRedis.service.record(events), onRedis.service.record(events)]);
      await onMemory.service.record(events);
      await onMemory.service.record(events);
      expect(results.flat().every((r) => r.accepted)).toBe(true);
      expect(onRedis.errors).toEqual([]);
      const ids = Array.from({ length: 16 }, (_, k) => `u${k}`);
      const [a, b] = [await memory.getUsers(ids), await redis.getUsers(ids)];
      expect(b.map(comparable)).toEqual(a.map(comparable));
      b.forEach((u, k) => {
        const want = Array.from(a[k]!.vector!);
        Array.from(u!.vector!).forEach((x, p) => expect(x).toBeCloseTo(want[p]!, 4));
      });
      const items = Array.from({ length: 12 }, (_, k) => `m${k}`);
      const [ca, cb] = [await memory.getItemCounters(items), await redis.getItemCounters(items)];
      cb.forEach((c, k) => {
        expect(c!.popularity).toBeCloseTo(ca[k]!.popularity, 6);
        expect(c!.trend).toBeCloseTo(ca[k]!.trend, 6);
      });
    } finally {
      await redis.close();
    }
  });

  it('reports the events of a user whose write fails, and applies every other user of the batch', async () => {
    const redis = await RedisFeatureStore.connect({
      url,
      prefix: `${runPrefix}${++stores}:`,
      now: () => NOW,
    });
    try {
      const { service, errors } = await setUp(redis);
      // u7's seen set is a string: its write script fails with WRONGTYPE (the fold-in read does not touch it).
      await redis.redis.del(`${redis.prefix}{u:u7}:seen`);
      await redis.redis.set(`${redis.prefix}{u:u7}:seen`, 'not a set');
      const others = ['u0', 'u3', 'u12'];
      const before = await redis.getUsers(others);
      const events = batch();
      const results = await service.record(events);
      // Logged, so accepted; the failure is reported per event of u7, as before.
      expect(results.every((r) => r.accepted)).toBe(true);
      const failed = events.filter((e) => e.userId === 'u7');
      expect(failed.length).toBeGreaterThan(1);
      expect(errors.map((e) => e.record.itemId)).toEqual(failed.map((e) => e.itemId));
      expect(errors.map((e) => e.record.userId)).toEqual(failed.map(() => 'u7'));
      for (const { error } of errors) expect(String(error)).toMatch(/WRONGTYPE/);
      const after = await redis.getUsers(others);
      after.forEach((u, k) => {
        const mine = events.filter((e) => e.userId === others[k]);
        expect(mine.length).toBeGreaterThan(0);
        for (const e of mine) expect(u!.seen.has(e.itemId)).toBe(true);
        expect(u).not.toEqual(before[k]);
      });
    } finally {
      await redis.close();
    }
  });
});
