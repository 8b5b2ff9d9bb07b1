import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { foldInUser } from '../../../models/retrieval/foldIn.js';
import { FoldInCache } from '../../../models/retrieval/foldInCache.js';
import { foldInCacheOf } from '../../../src/services/feedback/foldInFromHistory.js';
import type { FeedbackRecord, ImpressionRecord } from '../../../src/domain/events.js';
import { PublicError } from '../../../src/errors.js';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { readUserStates } from '../../../src/inference/readUserStates.js';
import type { ServedModel } from '../../../src/inference/servedModel.js';
import {
  FEEDBACK_UNAVAILABLE_MESSAGE,
  FeedbackService,
  IMPRESSIONS_UNAVAILABLE_MESSAGE,
  userLimitMessage,
} from '../../../src/services/feedbackService.js';
import type {
  BatchWrites,
  CounterIncrement,
  FoldInReads,
  FoldInState,
  InteractionWrite,
} from '../../../src/stores/featureStoreBatchWrites.js';
import type { FeedbackEvent } from '../../../src/services/serviceTypes.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { seedFeatureStore } from '../../../src/stores/seedFeatureStore.js';
import { tinyRegistry } from '../inference/servedModelFixtures.js';
import type { TinyRegistry } from '../inference/servedModelFixtures.js';
import { RecordingEventLog } from './feedbackFixtures.js';

const DAY = 86_400_000;

/**
 * A memory store with the optional batch writes and fold-in reads of
 * src/stores/featureStoreBatchWrites.ts, done by the single-event methods in order
 * (the contract the Redis store's scripts implement), counting the batch calls.
 */
class BatchingStore extends MemoryFeatureStore implements BatchWrites, FoldInReads {
  readonly batchCalls: Record<string, number> = {};
  constructor(options: ConstructorParameters<typeof MemoryFeatureStore>[0]) {
    super(options);
    eagerStore(this);
  }
  private countBatch(name: string): void {
    this.batchCalls[name] = (this.batchCalls[name] ?? 0) + 1;
  }
  override async getFoldInStates(userIds: readonly string[]): Promise<(FoldInState | null)[]> {
    this.countBatch('getFoldInStates');
    return super.getUsers(userIds);
  }
  override async applyUserInteractions(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: Float32Array | null | undefined,
  ): Promise<void> {
    this.countBatch('applyUserInteractions');
    for (const [k, w] of writes.entries()) {
      await this.applyInteraction(userId, w.entry, {
        categories: w.categories,
        weight: w.weight,
        ...(k === writes.length - 1 && vector !== undefined ? { vector } : {}),
      });
    }
  }
  override async incrementItemCountersBatch(increments: readonly CounterIncrement[]): Promise<void> {
    this.countBatch('incrementItemCountersBatch');
    for (const i of increments) await this.incrementItemCounters(i.itemId, i.weight, i.at);
  }
}
/**
 * `store` without the optional batch methods (own properties set to
 * undefined), so the service takes the single-event path of the port.
 */
function singleEventStore<S extends MemoryFeatureStore>(store: S): S {
  for (const name of ['getFoldInStates', 'applyUserInteractions', 'incrementItemCountersBatch'])
    Object.defineProperty(store, name, { value: undefined, configurable: true });
  return eagerStore(store);
}
/**
 * `store` without the optional lazy fold-in (LazyFoldIn), so the service
 * solves each fold-in when the batch is applied, as it does on Redis.
 */
function eagerStore<S extends MemoryFeatureStore>(store: S): S {
  for (const name of ['getFoldInHistories', 'applyUserInteractionsLazily'])
    Object.defineProperty(store, name, { value: undefined, configurable: true });
  return store;
}

// In the tables below, `timestamp: 1` stands for a time relative to NOW, filled in by the test.

describe('FeedbackService', () => {
  let reg: TinyRegistry;
  let model: ServedModel;
  let NOW: number;
  let store: MemoryFeatureStore;
  let log: RecordingEventLog;
  let service: FeedbackService;
  const updateErrors: unknown[] = [];
  const appendErrors: { error: unknown; requestId: string | null }[] = [];

  const event = (overrides: Partial<FeedbackEvent> = {}): FeedbackEvent => ({
    userId: 'u1',
    itemId: 'm2',
    type: 'CLICK',
    value: null,
    requestId: null,
    timestamp: null,
    context: null,
    ...overrides,
  });

  /** Cosine between a user vector and item `id`'s factor (through the served rows). */
  const cosineToItem = (v: Float32Array, id: string): number => {
    const d = model.bundle.dimension;
    const row = model.bundle.itemIndex.get(id)!;
    const { values, stride, scale } = model.bundle.itemFactors;
    let dot = 0;
    let nv = 0;
    let ny = 0;
    for (let p = 0; p < d; p++) {
      const y = scale * values[row * stride + p]!;
      dot += v[p]! * y;
      nv += v[p]! ** 2;
      ny += y ** 2;
    }
    return dot / Math.sqrt(nv * ny);
  };

  beforeAll(async () => {
    reg = tinyRegistry();
    model = await loadServedModel(reg.registry, 'v1');
    NOW = model.bundle.referenceTime + DAY;
  });

  afterAll(async () => {
    await model?.close();
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    store = new MemoryFeatureStore({ now: () => NOW });
    await seedFeatureStore(store, model, await readUserStates(reg.registry, 'v1'));
    store.resetCalls();
    log = new RecordingEventLog();
    updateErrors.length = 0;
    service = new FeedbackService({
      store,
      eventLog: log,
      model: () => model,
      now: () => NOW,
      onUpdateError: (e) => updateErrors.push(e),
      onAppendError: (error, requestId) => appendErrors.push({ error, requestId }),
    });
    appendErrors.length = 0;
  });

  describe('validation (issue #3 §3; codes in docs/feedback.md)', () => {
    const long = 'x'.repeat(257);
    it.each([
      ['an empty userId', { userId: '' }, 'INVALID_ID', 'userId'],
      ['a blank userId', { userId: '   ' }, 'INVALID_ID', 'userId'],
      ['a userId of 257 characters', { userId: long }, 'INVALID_ID', 'userId'],
      ['a userId with surrounding whitespace', { userId: ' u1' }, 'INVALID_ID', 'userId'],
      ['a userId with a lone surrogate', { userId: 'u\uD800' }, 'INVALID_ID', 'userId'],
      ['an itemId with a lone low surrogate', { itemId: '\uDC00i' }, 'INVALID_ID', 'itemId'],
      ['an empty itemId', { itemId: '' }, 'INVALID_ID', 'itemId'],
      ['an itemId of 257 characters', { itemId: long }, 'INVALID_ID', 'itemId'],
      ['an empty requestId', { requestId: '' }, 'INVALID_ID', 'requestId'],
      ['an unknown type', { type: 'BOGUS' as FeedbackEvent['type'] }, 'INVALID_TYPE', 'type'],
      ['a NaN value', { type: 'VIEW' as const, value: Number.NaN }, 'INVALID_VALUE', 'value'],
      ['an infinite value', { type: 'VIEW' as const, value: Infinity }, 'INVALID_VALUE', 'value'],
      ['a RATING above 10', { type: 'RATING' as const, value: 10.5 }, 'INVALID_VALUE', 'value'],
      ['a RATING below 0', { type: 'RATING' as const, value: -1 }, 'INVALID_VALUE', 'value'],
      ['a RATING without value', { type: 'RATING' as const, value: null }, 'INVALID_VALUE', 'value'],
      ['a timestamp 5 min + 1 ms ahead', { timestamp: 1 }, 'FUTURE_TIMESTAMP', 'timestamp'],
      ['a timestamp before 1990', { timestamp: Date.UTC(1989, 11, 31) }, 'INVALID_TIMESTAMP', 'timestamp'],
      ['a timestamp in seconds', { timestamp: 1_700_000_000 }, 'INVALID_TIMESTAMP', 'timestamp'],
      ['a NaN timestamp', { timestamp: Number.NaN }, 'INVALID_TIMESTAMP', 'timestamp'],
    ])('rejects %s with %s on %s', async (_, overrides, code, field) => {
      const o = { ...overrides } as { -readonly [K in keyof FeedbackEvent]?: FeedbackEvent[K] };
      if (o.timestamp === 1) o.timestamp = NOW + 5 * 60_000 + 1;
      const [result] = await service.record([event(o)]);
      expect(result).toEqual({
        accepted: false,
        applied: false,
        eventId: null,
        error: { code, message: expect.any(String), field },
      });
      expect(result!.error!.message).toContain(field === 'type' ? 'FeedbackType' : '');
      expect(log.records).toEqual([]);
    });

    it.each([
      ['a 256-character id', { itemId: 'é'.repeat(256) }],
      ['a RATING of 0', { type: 'RATING' as const, value: 0 }],
      ['a RATING of 10', { type: 'RATING' as const, value: 10 }],
      ['a timestamp exactly 5 minutes ahead', { timestamp: 1 }],
      ['a timestamp on 1990-01-01', { timestamp: Date.UTC(1990, 0, 1) }],
      ['a VIEW with dwell seconds', { type: 'VIEW' as const, value: 42 }],
    ])('accepts %s', async (_, overrides) => {
      const o = { ...overrides } as { -readonly [K in keyof FeedbackEvent]?: FeedbackEvent[K] };
      if (o.timestamp === 1) o.timestamp = NOW + 5 * 60_000;
      const [result] = await service.record([event(o)]);
      expect(result!.error).toBeNull();
      expect(result!.accepted).toBe(true);
      expect(result!.applied).toBe(true);
    });

    it('names what was expected and what was received', async () => {
      const [r] = await service.record([event({ type: 'RATING', value: 11 })]);
      expect(r!.error!.message).toBe('a RATING needs a value in 0..10; got 11');
    });

    it('throws BAD_USER_INPUT for a batch of 1001 events and accepts 1000', async () => {
      const err = await service.record(Array.from({ length: 1001 }, () => event())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PublicError);
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
      expect((err as Error).message).toMatch(/at most 1000 events per call; got 1001/);
      const results = await service.record(Array.from({ length: 1000 }, () => event()));
      expect(results.every((r) => r.accepted)).toBe(true);
    });
  });

  describe('logging', () => {
    it('appends accepted events in one call before answering, with ids, times and context', async () => {
      const results = await service.record([
        event({ type: 'LIKE', requestId: 'req-1', context: { device: 'ios' } }),
        event({ userId: '' }),
        event({ itemId: 'm4', type: 'RATING', value: 8, timestamp: NOW - 1000 }),
      ]);
      expect(results.map((r) => r.accepted)).toEqual([true, false, true]);
      expect(log.appends.length).toBe(1);
      const [first, second] = log.appends[0] as FeedbackRecord[];
      expect(first).toEqual({
        kind: 'feedback',
        eventId: results[0]!.eventId,
        userId: 'u1',
        itemId: 'm2',
        type: 'LIKE',
        value: null,
        requestId: 'req-1',
        timestamp: NOW,
        receivedAt: NOW,
        context: { device: 'ios' },
      });
      expect(second).toMatchObject({
        eventId: results[2]!.eventId,
        type: 'RATING',
        value: 8,
        timestamp: NOW - 1000,
      });
      expect(new Set(results.filter((r) => r.accepted).map((r) => r.eventId)).size).toBe(2);
    });

    it('claims nothing when the event log fails: every valid event is UNAVAILABLE, no feature changes', async () => {
      log.failWith = new Error('disk full');
      const before = await store.getUsers(['u1']);
      const results = await service.record([event({ type: 'DISMISS' }), event({ itemId: '' })]);
      expect(results[0]).toEqual({
        accepted: false,
        applied: false,
        eventId: null,
        error: {
          code: 'UNAVAILABLE',
          message: FEEDBACK_UNAVAILABLE_MESSAGE,
          field: null,
        },
      });
      expect(results[1]!.error!.code).toBe('INVALID_ID');
      expect(await store.getUsers(['u1'])).toEqual(before);
      expect(store.calls.applyInteraction).toBeUndefined();
      expect(store.calls.applyUserInteractions).toBeUndefined();
    });
  });

  describe('feature updates', () => {
    it('puts a DISMISSed item in dismissed and seen, without adding to the interaction count', async () => {
      const [before] = await store.getUsers(['u1']);
      await service.record([event({ itemId: 'm2', type: 'DISMISS' })]);
      const [u] = await store.getUsers(['u1']);
      expect(u!.dismissed.has('m2')).toBe(true);
      expect(u!.seen.has('m2')).toBe(true);
      expect(u!.interactionCount).toBe(before!.interactionCount);
      expect(u!.recent[0]).toEqual({ itemId: 'm2', type: 'DISMISS', value: null, timestamp: NOW });
    });

    it('adds the type weight to the item counters: a PURCHASE adds 3', async () => {
      const [before] = await store.getItemCounters(['m2']);
      await service.record([event({ type: 'PURCHASE' })]);
      const [after] = await store.getItemCounters(['m2']);
      expect(after!.popularity - before!.popularity).toBeCloseTo(3, 6);
      expect(after!.trend - before!.trend).toBeCloseTo(3, 6);
    });

    it('adds 1 per event to the category weights and the interaction count', async () => {
      // u1 is a comedy user (m1, m3, … clicks); m2 is drama.
      const [before] = await store.getUsers(['u1']);
      await service.record([event({ type: 'LIKE' }), event({ itemId: 'm4', type: 'VIEW', value: 3 })]);
      const [u] = await store.getUsers(['u1']);
      expect(u!.interactionCount).toBe(before!.interactionCount + 2);
      expect(u!.categoryWeights.get('drama')).toBe((before!.categoryWeights.get('drama') ?? 0) + 2);
      expect(u!.categoryLastSeen.get('drama')).toBe(NOW);
      expect(u!.recent.slice(0, 2).map((e) => e.itemId)).toEqual(['m4', 'm2']);
    });

    it('moves the user vector toward liked items (fold-in): the cosine to a liked item’s factor rises', async () => {
      const [before] = await store.getUsers(['u1']);
      const cosBefore = cosineToItem(before!.vector!, 'm2');
      await service.record(['m0', 'm2', 'm4', 'm6'].map((itemId) => event({ itemId, type: 'LIKE' })));
      const [after] = await store.getUsers(['u1']);
      const cosAfter = cosineToItem(after!.vector!, 'm2');
      expect(cosAfter).toBeGreaterThan(cosBefore + 0.1);
    });

    it('gives a new user the fold-in of their first LIKE: foldInUser(item, weight 2)', async () => {
      await service.record([event({ userId: 'newbie', type: 'LIKE' })]);
      const [u] = await store.getUsers(['newbie']);
      const expected = foldInUser(model.foldIn, [model.bundle.itemIndex.get('m2')!], [2]);
      expect(Array.from(u!.vector!)).toEqual(Array.from(expected));
      expect(u!.interactionCount).toBe(1);
      expect(Object.fromEntries(u!.categoryWeights)).toEqual({ drama: 1 });
    });

    it('treats a RATING below the scale’s threshold as no positive: no counter change, same vector', async () => {
      await service.record([event({ userId: 'newbie', itemId: 'm4', type: 'LIKE' })]);
      const [before] = await store.getUsers(['newbie']);
      const [counters] = await store.getItemCounters(['m2']);
      await service.record([event({ userId: 'newbie', type: 'RATING', value: 2 })]);
      const [after] = await store.getUsers(['newbie']);
      expect(Array.from(after!.vector!)).toEqual(Array.from(before!.vector!));
      expect(await store.getItemCounters(['m2'])).toEqual([counters]);
      expect(after!.seen.has('m2')).toBe(true);
    });

    it('accepts and logs an event for an unknown item but changes no feature', async () => {
      const users = await store.getUsers(['u1']);
      const results = await service.record([event({ itemId: 'not-in-catalog', type: 'PURCHASE' })]);
      expect(results[0]!.accepted).toBe(true);
      expect(log.records).toMatchObject([{ itemId: 'not-in-catalog' }]);
      expect(await store.getUsers(['u1'])).toEqual(users);
      expect(await store.getItemCounters(['not-in-catalog'])).toEqual([null]);
      expect(store.calls.applyInteraction).toBeUndefined();
      expect(store.calls.applyUserInteractions).toBeUndefined();
    });

    it('updates history and counters for a catalog item the served model does not know, keeping the vector', async () => {
      await store.upsertItems([{ ...reg.catalog.get('m2')!, id: 'fresh' }]);
      const [before] = await store.getUsers(['u1']);
      await service.record([event({ itemId: 'fresh', type: 'LIKE' })]);
      const [after] = await store.getUsers(['u1']);
      expect(after!.recent[0]!.itemId).toBe('fresh');
      expect(Array.from(after!.vector!)).toEqual(Array.from(before!.vector!));
      expect((await store.getItemCounters(['fresh']))[0]!.popularity).toBeCloseTo(2, 12);
    });

    it('leaves a dismissed item out of the fold-in', async () => {
      await service.record([
        event({ userId: 'newbie', itemId: 'm2', type: 'LIKE' }),
        event({ userId: 'newbie', itemId: 'm4', type: 'LIKE' }),
        event({ userId: 'newbie', itemId: 'm4', type: 'DISMISS' }),
      ]);
      const [u] = await store.getUsers(['newbie']);
      const expected = foldInUser(model.foldIn, [model.bundle.itemIndex.get('m2')!], [2]);
      expect(Array.from(u!.vector!)).toEqual(Array.from(expected));
    });

    it('folds a user in once per batch, over the history plus every event of the batch (issue #6)', async () => {
      const batch = [
        event({ userId: 'newbie', itemId: 'm2', type: 'LIKE' }),
        event({ userId: 'newbie', itemId: 'm4', type: 'CLICK' }),
        event({ userId: 'newbie', itemId: 'm6', type: 'VIEW', value: 12 }),
      ];
      await service.record(batch);
      const [u] = await store.getUsers(['newbie']);
      const rows = ['m2', 'm4', 'm6'].map((id) => model.bundle.itemIndex.get(id)!);
      const expected = foldInUser(model.foldIn, rows, [2, 1, 0.5]);
      expect(u!.vector!.length).toBe(expected.length);
      u!.vector!.forEach((v, p) => expect(v).toBeCloseTo(expected[p]!, 6));
      expect(u!.recent.map((e) => e.itemId)).toEqual(['m6', 'm4', 'm2']);
      expect(u!.interactionCount).toBe(3);
    });

    it('gives the same state for one batch as for the same events sent one call each', async () => {
      const events = [
        event({ itemId: 'm2', type: 'LIKE' }),
        event({ itemId: 'm4', type: 'CLICK', timestamp: NOW - 5000 }),
        event({ itemId: 'm0', type: 'DISMISS' }),
        event({ itemId: 'm6', type: 'RATING', value: 9 }),
        event({ itemId: 'm2', type: 'DISLIKE' }),
        event({ userId: 'newbie', itemId: 'm4', type: 'PURCHASE' }),
      ];
      const fresh = async (): Promise<MemoryFeatureStore> => {
        const s = new MemoryFeatureStore({ now: () => NOW });
        await seedFeatureStore(s, model, await readUserStates(reg.registry, 'v1'));
        return s;
      };
      const serviceOn = (s: MemoryFeatureStore): FeedbackService =>
        new FeedbackService({
          store: s,
          eventLog: new RecordingEventLog(),
          model: () => model,
          now: () => NOW,
        });
      const batched = await fresh();
      await serviceOn(batched).record(events);
      const single = await fresh();
      const one = serviceOn(single);
      for (const e of events) await one.record([e]);
      const [b1, bn] = await batched.getUsers(['u1', 'newbie']);
      const [s1, sn] = await single.getUsers(['u1', 'newbie']);
      for (const [b, x] of [
        [b1!, s1!],
        [bn!, sn!],
      ] as const) {
        expect({ ...b, vector: null }).toEqual({ ...x, vector: null });
        b.vector!.forEach((v, p) => expect(v).toBeCloseTo(x.vector![p]!, 6));
      }
      expect(await batched.getItemCounters(['m2', 'm4', 'm6'])).toEqual(
        await single.getItemCounters(['m2', 'm4', 'm6']),
      );
    });

    it('with a store offering batch writes and fold-in reads (Redis), writes each user once and the counters once per batch, to the same state (issue #6)', async () => {
      const events = [
        event({ itemId: 'm2', type: 'LIKE' }),
        event({ itemId: 'm4', type: 'CLICK', timestamp: NOW - 5000 }),
        event({ itemId: 'm0', type: 'DISMISS' }),
        event({ userId: 'newbie', itemId: 'm4', type: 'PURCHASE' }),
        event({ itemId: 'm6', type: 'RATING', value: 9 }),
        event({ userId: 'newbie', itemId: 'm2', type: 'VIEW' }),
        event({ itemId: 'not-in-catalog', type: 'LIKE' }),
      ];
      const fresh = async <S extends MemoryFeatureStore>(s: S): Promise<S> => {
        await seedFeatureStore(s, model, await readUserStates(reg.registry, 'v1'));
        s.resetCalls();
        return s;
      };
      const plain = await fresh(singleEventStore(new MemoryFeatureStore({ now: () => NOW })));
      const batching = await fresh(new BatchingStore({ now: () => NOW }));
      // The memory store's own batch methods (not the single-event ones in order).
      const memory = await fresh(new MemoryFeatureStore({ now: () => NOW }));
      for (const s of [plain, batching, memory]) {
        const results = await new FeedbackService({
          store: s,
          eventLog: new RecordingEventLog(),
          model: () => model,
          now: () => NOW,
        }).record(events);
        expect(results.every((r) => r.accepted)).toBe(true);
      }
      expect(batching.batchCalls).toEqual({
        getFoldInStates: 1,
        applyUserInteractions: 2,
        incrementItemCountersBatch: 1,
      });
      const ids = ['u1', 'newbie'];
      const [p1, pn] = await plain.getUsers(ids);
      const [b1, bn] = await batching.getUsers(ids);
      expect(b1).toEqual(p1);
      expect(bn).toEqual(pn);
      expect(await memory.getUsers(ids)).toEqual([p1, pn]);
      expect(memory.calls).toMatchObject({
        getFoldInHistories: 1,
        applyUserInteractionsLazily: 2,
        incrementItemCountersBatch: 1,
      });
      const items = ['m0', 'm2', 'm4', 'm6'];
      expect(await batching.getItemCounters(items)).toEqual(await plain.getItemCounters(items));
      expect(await memory.getItemCounters(items)).toEqual(await plain.getItemCounters(items));
    });

    it('replays a long run of one user’s events to the vector they had live, past the history size', async () => {
      // History size 3, 6 positives: live, each event's fold-in saw at most the 3 newest.
      const events = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'].map((itemId, k) =>
        event({ userId: 'heavy', itemId, type: 'CLICK', timestamp: NOW - 10_000 + k }),
      );
      const serviceOn = (s: MemoryFeatureStore, log: RecordingEventLog): FeedbackService =>
        new FeedbackService({ store: s, eventLog: log, model: () => model, now: () => NOW });
      const fresh = async (): Promise<MemoryFeatureStore> => {
        const s = new MemoryFeatureStore({ now: () => NOW, historySize: 3 });
        await seedFeatureStore(s, model, await readUserStates(reg.registry, 'v1'));
        return s;
      };
      const live = await fresh();
      const log = new RecordingEventLog();
      for (const e of events) await serviceOn(live, log).record([e]);
      const restarted = await fresh();
      await serviceOn(restarted, new RecordingEventLog()).replay(
        log.records.filter((r): r is FeedbackRecord => r.kind === 'feedback'),
      );
      const [a] = await live.getUsers(['heavy']);
      const [b] = await restarted.getUsers(['heavy']);
      expect(b!.recent.map((e) => e.itemId)).toEqual(a!.recent.map((e) => e.itemId));
      b!.vector!.forEach((v, p) => expect(v).toBeCloseTo(a!.vector![p]!, 6));
    });

    for (const [lazy, read, write] of [
      [true, 'getFoldInHistories', 'applyUserInteractionsLazily'],
      [false, 'getFoldInStates', 'applyUserInteractions'],
    ] as const) {
      it(`reads every user of a batch in one ${read} call and writes each user once (${lazy ? 'lazy fold-in, memory store' : 'a store without lazy fold-in'})`, async () => {
        if (!lazy) {
          service = new FeedbackService({
            store: eagerStore(store),
            eventLog: log,
            model: () => model,
            now: () => NOW,
          });
        }
        await service.record([
          event({ userId: 'u1', type: 'LIKE' }),
          event({ userId: 'newbie', type: 'LIKE' }),
          event({ userId: 'u1', itemId: 'm4', type: 'CLICK' }),
          event({ userId: 'other', itemId: 'm6', type: 'VIEW' }),
        ]);
        expect(store.calls).toEqual({
          getItems: 1,
          [read]: 1,
          [write]: 3,
          incrementItemCountersBatch: 1,
          incrementItemCounters: 4,
        });
      });
    }

    it('reads every user of a batch in one getUsers call on a store without the batch methods', async () => {
      const plain = singleEventStore(store);
      service = new FeedbackService({ store: plain, eventLog: log, model: () => model, now: () => NOW });
      await service.record([
        event({ userId: 'u1', type: 'LIKE' }),
        event({ userId: 'newbie', type: 'LIKE' }),
        event({ userId: 'u1', itemId: 'm4', type: 'CLICK' }),
        event({ userId: 'other', itemId: 'm6', type: 'VIEW' }),
      ]);
      expect(store.calls.getUsers).toBe(1);
      expect(store.calls.applyInteraction).toBe(4);
    });

    it('lazy fold-in (memory store): several batches of a user cost one fold-in, at the next read, to the vector fold-in at write gives', async () => {
      const eager = eagerStore(new MemoryFeatureStore({ now: () => NOW }));
      await seedFeatureStore(eager, model, await readUserStates(reg.registry, 'v1'));
      const eagerService = new FeedbackService({
        store: eager,
        eventLog: log,
        model: () => model,
        now: () => NOW,
      });
      const cache = foldInCacheOf(model.foldIn);
      const foldIns = (): number => cache.stats.fresh + cache.stats.incremental;
      const batches = [
        [event({ itemId: 'm2', type: 'LIKE' }), event({ userId: 'newbie', itemId: 'm4', type: 'CLICK' })],
        [event({ itemId: 'm4', type: 'CLICK', timestamp: NOW - 1000 })],
        [event({ itemId: 'm6', type: 'RATING', value: 9 }), event({ itemId: 'm0', type: 'DISMISS' })],
        [event({ itemId: 'not-in-catalog', type: 'LIKE' })], // moves nothing: the pending fold-in stays
      ];
      const before = foldIns();
      for (const batch of batches) await service.record(batch);
      expect(foldIns()).toBe(before); // nothing solved at write
      const [lazyU1, lazyNewbie] = await store.getUsers(['u1', 'newbie']);
      expect(foldIns()).toBe(before + 2); // one per user, at the read
      await store.getUsers(['u1', 'newbie']);
      expect(foldIns()).toBe(before + 2);

      const atWrite = foldIns();
      for (const batch of batches) await eagerService.record(batch);
      expect(foldIns()).toBe(atWrite + 4); // u1 three times, newbie once
      const [eagerU1, eagerNewbie] = await eager.getUsers(['u1', 'newbie']);
      expect(lazyU1!.recent).toEqual(eagerU1!.recent);
      for (const [lazyVector, eagerVector] of [
        [lazyU1!.vector!, eagerU1!.vector!],
        [lazyNewbie!.vector!, eagerNewbie!.vector!],
      ] as const) {
        expect(lazyVector).toHaveLength(eagerVector.length);
        lazyVector.forEach((v, p) => expect(v).toBeCloseTo(eagerVector[p]!, 5));
      }
      expect(updateErrors).toEqual([]);
    });

    it('lazy fold-in: a solve that fails at the read is reported for the events that needed it, and the stored vector is kept', async () => {
      const [before] = await store.getUsers(['u1']);
      await service.record([
        event({ itemId: 'm2', type: 'LIKE' }),
        event({ itemId: 'not-in-catalog', type: 'CLICK' }),
      ]);
      const failure = new RangeError('not positive definite');
      const spy = vi.spyOn(FoldInCache.prototype, 'foldIn').mockImplementation(() => {
        throw failure;
      });
      try {
        const [after] = await store.getUsers(['u1']);
        expect(updateErrors).toEqual([failure]);
        expect(after!.vector).toEqual(before!.vector);
        expect(after!.recent[0]!.itemId).toBe('m2');
      } finally {
        spy.mockRestore();
      }
    });

    for (const lazy of [true, false]) {
      const path = lazy ? 'lazy fold-in' : 'fold-in at write';
      const readName = lazy ? 'getFoldInHistories' : 'getFoldInStates';
      const writeName = lazy ? 'applyUserInteractionsLazily' : 'applyUserInteractions';
      const patched = (): MemoryFeatureStore => {
        const s = lazy ? store : eagerStore(store);
        service = new FeedbackService({
          store: s,
          eventLog: log,
          model: () => model,
          now: () => NOW,
          onUpdateError: (error) => updateErrors.push(error),
        });
        return s;
      };

      it(`when the user read fails, reports the events that needed it and still applies the others (${path})`, async () => {
        const s = patched();
        const failure = new Error('read failed');
        Object.defineProperty(s, readName, {
          value: async () => Promise.reject(failure),
          configurable: true,
        });
        const results = await service.record([
          event({ userId: 'newbie', itemId: 'm2', type: 'LIKE' }),
          event({ userId: 'newbie', itemId: 'm4', type: 'RATING', value: 2 }),
        ]);
        expect(results.every((r) => r.accepted)).toBe(true);
        // The LIKE needed the read and was not applied; the low RATING did not, and was.
        expect(results.map((r) => r.applied)).toEqual([false, true]);
        expect(updateErrors).toEqual([failure]);
        const [u] = await s.getUsers(['newbie']);
        expect(u!.recent.map((e) => e.itemId)).toEqual(['m4']);
        expect(u!.vector).toBeNull();
      });

      it(`reports a failed feature update but keeps the logged event accepted (${path})`, async () => {
        const s = patched();
        Object.defineProperty(s, writeName, {
          value: async () => Promise.reject(new Error('store down')),
          configurable: true,
        });
        const [result] = await service.record([event({ type: 'LIKE' })]);
        expect(result!.accepted).toBe(true);
        expect(result!.applied).toBe(false); // logged, but the next lists do not reflect it (attack on session 27)
        expect(log.records.length).toBe(1);
        expect(updateErrors).toEqual([new Error('store down')]);
        // Once the store answers again, the next event is applied and says so.
        Object.defineProperty(s, writeName, { value: undefined, configurable: true });
        delete (s as unknown as Record<string, unknown>)[writeName];
        const [next] = await service.record([event({ type: 'LIKE', itemId: 'm2' })]);
        expect(next).toMatchObject({ accepted: true, applied: true });
      });
    }
  });

  describe('recordImpressions', () => {
    it('logs an impression record and counts the impressions for the user', async () => {
      const result = await service.recordImpressions({
        requestId: 'req-9',
        userId: 'u1',
        itemIds: ['m2', 'm4'],
      });
      expect(result).toEqual({ accepted: true, error: null });
      const [record] = log.records as ImpressionRecord[];
      expect(record).toEqual({
        kind: 'impression',
        eventId: expect.any(String),
        requestId: 'req-9',
        userId: 'u1',
        itemIds: ['m2', 'm4'],
        timestamp: NOW,
      });
      const [u] = await store.getUsers(['u1']);
      expect(Object.fromEntries(u!.impressions)).toEqual({
        m2: { count: 1, lastAt: NOW },
        m4: { count: 1, lastAt: NOW },
      });
    });

    it('logs impressions of an anonymous user without touching the store', async () => {
      expect(await service.recordImpressions({ requestId: 'r', userId: null, itemIds: ['m2'] })).toEqual({
        accepted: true,
        error: null,
      });
      expect(store.calls.recordImpressions).toBeUndefined();
    });

    it('rejects bad ids and more than 1000 items with stable codes', async () => {
      const bad = await service.recordImpressions({ requestId: '', userId: 'u1', itemIds: ['m2'] });
      expect(bad.error).toMatchObject({ code: 'INVALID_ID', field: 'requestId' });
      const badItem = await service.recordImpressions({ requestId: 'r', userId: 'u1', itemIds: ['m2', ''] });
      expect(badItem.error).toMatchObject({ code: 'INVALID_ID', field: 'itemIds[1]' });
      const many = await service.recordImpressions({
        requestId: 'r',
        userId: 'u1',
        itemIds: Array.from({ length: 1001 }, (_, i) => `i${i}`),
      });
      expect(many.error).toMatchObject({ code: 'BATCH_TOO_LARGE', field: 'itemIds' });
      expect(log.records).toEqual([]);
    });

    it('answers UNAVAILABLE with a fixed sentence, without paths or errno text, and logs the detail with the request id (attack report #5)', async () => {
      const failure = new Error(
        "EISDIR: illegal operation on a directory, open '/var/lib/recgate/events.jsonl'",
      );
      log.failWith = failure;
      const [result] = await service.record([event()], 'http-req-1');
      expect(result!.error).toEqual({
        code: 'UNAVAILABLE',
        message: FEEDBACK_UNAVAILABLE_MESSAGE,
        field: null,
      });
      const impressions = await service.recordImpressions(
        { requestId: 'r', userId: 'u1', itemIds: ['m2'] },
        'http-req-2',
      );
      expect(impressions.error!.message).not.toMatch(/EISDIR|\/var\/lib|events\.jsonl/);
      expect(impressions.error!.message).toBe(IMPRESSIONS_UNAVAILABLE_MESSAGE);
      expect(appendErrors).toEqual([
        { error: failure, requestId: 'http-req-1' },
        { error: failure, requestId: 'http-req-2' },
      ]);
    });

    it('answers UNAVAILABLE and counts nothing when the log fails', async () => {
      log.failWith = new Error('no space');
      const result = await service.recordImpressions({ requestId: 'r', userId: 'u1', itemIds: ['m2'] });
      expect(result).toEqual({ accepted: false, error: expect.objectContaining({ code: 'UNAVAILABLE' }) });
      expect((await store.getUsers(['u1']))[0]!.impressions.size).toBe(0);
    });
  });

  describe('user limit (RECGATE_MEMORY_MAX_USERS; USER_LIMIT in docs/feedback.md)', () => {
    let capped: MemoryFeatureStore;
    let limited: FeedbackService;
    let seeded: number;

    beforeEach(async () => {
      seeded = store.userCount();
      // Room for exactly one user beyond the model's.
      capped = new MemoryFeatureStore({ now: () => NOW, maxUsers: seeded + 1 });
      await seedFeatureStore(capped, model, await readUserStates(reg.registry, 'v1'));
      limited = new FeedbackService({
        store: capped,
        eventLog: log,
        model: () => model,
        now: () => NOW,
        onUpdateError: (e) => updateErrors.push(e),
        onAppendError: (error, requestId) => appendErrors.push({ error, requestId }),
      });
    });

    it("refuses the (limit+1)-th user's events with USER_LIMIT, neither logged nor applied; others go on", async () => {
      expect(seeded).toBeGreaterThan(0);
      expect(capped.userCount()).toBe(seeded);
      expect((await capped.getUsers(['u1']))[0]).not.toBeNull();
      const results = await limited.record([
        event({ userId: 'new-1', type: 'LIKE' }),
        event({ userId: 'new-2', type: 'LIKE' }),
        event({ userId: 'u1', itemId: 'm4', type: 'LIKE' }),
        event({ userId: 'new-2', itemId: 'm4' }),
        event({ userId: 'new-1', itemId: 'm4' }),
      ]);
      expect(results.map((r) => r.accepted)).toEqual([true, false, true, false, true]);
      const refused = {
        accepted: false,
        applied: false,
        eventId: null,
        error: { code: 'USER_LIMIT', message: userLimitMessage(seeded + 1), field: 'userId' },
      };
      expect(results[1]).toEqual(refused);
      expect(results[3]).toEqual(refused);
      expect(results[2]!.applied).toBe(true);
      // One append, of the accepted events only: nothing of new-2 is in the log.
      expect(log.appends.length).toBe(1);
      expect((log.records as FeedbackRecord[]).map((r) => [r.userId, r.itemId])).toEqual([
        ['new-1', 'm2'],
        ['u1', 'm4'],
        ['new-1', 'm4'],
      ]);
      expect(capped.userCount()).toBe(seeded + 1);
      const [n1, n2, u1] = await capped.getUsers(['new-1', 'new-2', 'u1']);
      expect(n1!.recent.map((e) => e.itemId)).toEqual(['m4', 'm2']);
      expect(n2).toBeNull();
      expect(u1!.recent[0]).toMatchObject({ itemId: 'm4', type: 'LIKE' });
      // Later calls: users held keep working, the new one is still refused.
      const later = await limited.record([
        event({ userId: 'new-2' }),
        event({ userId: 'new-1', itemId: 'm6' }),
      ]);
      expect(later.map((r) => r.error?.code ?? 'ok')).toEqual(['USER_LIMIT', 'ok']);
      expect(log.records.length).toBe(4);
    });

    it('a call whose every event is refused appends nothing', async () => {
      await limited.record([event({ userId: 'new-1' })]);
      const appends = log.appends.length;
      const results = await limited.record([event({ userId: 'new-2' }), event({ userId: 'new-3' })]);
      expect(results.map((r) => r.error?.code)).toEqual(['USER_LIMIT', 'USER_LIMIT']);
      expect(log.appends.length).toBe(appends);
    });

    it('frees the slot of a new user whose events were not stored (event log down) or changed nothing (unknown item)', async () => {
      log.failWith = new Error('disk full');
      const [down] = await limited.record([event({ userId: 'new-1' })]);
      expect(down!.error!.code).toBe('UNAVAILABLE');
      log.failWith = null;
      const [unknownItem] = await limited.record([event({ userId: 'new-2', itemId: 'not-in-catalog' })]);
      expect(unknownItem!.accepted).toBe(true);
      expect(capped.userCount()).toBe(seeded);
      const [last] = await limited.record([event({ userId: 'new-3' })]);
      expect(last!.accepted).toBe(true);
      expect(capped.userCount()).toBe(seeded + 1);
    });

    it("refuses a new user's impressions past the limit with USER_LIMIT, logging nothing; known users' still count", async () => {
      await limited.record([event({ userId: 'new-1' })]);
      const records = log.records.length;
      const refused = await limited.recordImpressions({ requestId: 'r', userId: 'new-2', itemIds: ['m2'] });
      expect(refused).toEqual({
        accepted: false,
        error: { code: 'USER_LIMIT', message: userLimitMessage(seeded + 1), field: 'userId' },
      });
      expect(log.records.length).toBe(records);
      expect(capped.userCount()).toBe(seeded + 1);
      expect(await limited.recordImpressions({ requestId: 'r', userId: 'u1', itemIds: ['m2'] })).toEqual({
        accepted: true,
        error: null,
      });
      // No item shown: nothing would be stored for the user, so nothing is refused.
      expect(await limited.recordImpressions({ requestId: 'r', userId: 'new-2', itemIds: [] })).toEqual({
        accepted: true,
        error: null,
      });
      expect((await capped.getUsers(['u1']))[0]!.impressions.size).toBe(1);
    });
  });
});
