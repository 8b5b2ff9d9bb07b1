import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS } from '../../../src/config.js';
import type { FeedbackRecord } from '../../../src/domain/events.js';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { readUserStates } from '../../../src/inference/readUserStates.js';
import type { ServedModel } from '../../../src/inference/servedModel.js';
import type { RetryDropReason } from '../../../src/services/feedback/feedbackRetrier.js';
import { FeedbackRetryQueue } from '../../../src/services/feedback/feedbackRetryQueue.js';
import { FeedbackService } from '../../../src/services/feedbackService.js';
import type { FeedbackEvent } from '../../../src/services/serviceTypes.js';
import { CircuitBreaker, DependencyUnavailableError } from '../../../src/stores/fallback/circuitBreaker.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { isNotSent, NotSentError } from '../../../src/stores/notSentError.js';
import { seedFeatureStore } from '../../../src/stores/seedFeatureStore.js';
import { tinyRegistry } from '../inference/servedModelFixtures.js';
import type { TinyRegistry } from '../inference/servedModelFixtures.js';
import { RecordingEventLog } from './feedbackFixtures.js';

const DAY = 86_400_000;

const record = (eventId: string): FeedbackRecord => ({
  kind: 'feedback',
  eventId,
  userId: 'u',
  itemId: 'i',
  type: 'CLICK',
  value: null,
  requestId: null,
  timestamp: 0,
  receivedAt: 0,
  context: null,
});

describe('isNotSent', () => {
  it('finds a NotSentError in the cause chain of a wrapper, and nothing else', () => {
    const sent = new NotSentError('not sent');
    expect(isNotSent(sent)).toBe(true);
    expect(isNotSent(new DependencyUnavailableError('redis', 'x', { cause: sent }))).toBe(true);
    expect(isNotSent(new DependencyUnavailableError('redis', 'timed out', { cause: new Error('t') }))).toBe(
      false,
    );
    expect(isNotSent(new Error('Command timed out'))).toBe(false);
    expect(isNotSent('Stream isn’t writeable')).toBe(false);
  });

  it('is what the circuit breaker keeps as the cause of a refused call', async () => {
    const breaker = new CircuitBreaker('redis', { budgetMs: 100, retryAfterMs: 0 });
    const error = await breaker.call(() => Promise.reject(new NotSentError('down'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(isNotSent(error)).toBe(true);
  });
});

describe('FeedbackRetryQueue', () => {
  it('keeps the newest maxPending, dropping the oldest with a count, in insertion order', () => {
    const dropped: number[] = [];
    const q = new FeedbackRetryQueue({ maxPending: 2, onDropped: (n) => dropped.push(n) });
    for (const id of ['a', 'b', 'c', 'd']) q.add(record(id), 'all');
    expect(q.oldest(10).map((u) => u.record.eventId)).toEqual(['c', 'd']);
    expect(dropped).toEqual([1, 1]);
  });

  it('a retry that failed again keeps its place and takes the new part; the others of the round leave', () => {
    const q = new FeedbackRetryQueue();
    for (const id of ['a', 'b', 'c']) q.add(record(id), 'all');
    const tried = q.oldest(2);
    const round = q.nextRound();
    q.add(record('a'), 'counters'); // a's user part was written, its counters were refused
    expect(q.settle(tried, round)).toEqual({ applied: 1, failedAgain: 1 });
    expect(q.oldest(10).map((u) => [u.record.eventId, u.part])).toEqual([
      ['a', 'counters'],
      ['c', 'all'],
    ]);
  });

  it('rejects a cap that is not an integer ≥ 1', () => {
    expect(() => new FeedbackRetryQueue({ maxPending: 0 })).toThrow(/maxPending must be an integer ≥ 1/);
  });
});

describe('FeedbackService retry, single-event and counter paths (memory store with injected refusals)', () => {
  let reg: TinyRegistry;
  let model: ServedModel;
  let NOW: number;

  beforeAll(async () => {
    reg = tinyRegistry();
    model = await loadServedModel(reg.registry, 'v1');
    NOW = model.bundle.referenceTime + DAY;
  });
  afterAll(async () => {
    await model?.close();
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
  });

  const seeded = async (): Promise<MemoryFeatureStore> => {
    const store = new MemoryFeatureStore({ now: () => NOW });
    await seedFeatureStore(store, model, await readUserStates(reg.registry, 'v1'));
    return store;
  };
  const like = (userId: string, itemId: string): FeedbackEvent => ({
    userId,
    itemId,
    type: 'LIKE',
    value: null,
    requestId: null,
    timestamp: NOW - 60_000,
    context: null,
  });
  /** Makes `method` of `store` reject with `error` while `down.value`, else run as usual. */
  const refuse = (
    store: MemoryFeatureStore,
    method: string,
    down: { value: boolean },
    error: () => Error,
  ) => {
    const original = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    Object.defineProperty(store, method, {
      configurable: true,
      value: (...args: unknown[]) => (down.value ? Promise.reject(error()) : original.apply(store, args)),
    });
  };
  const service = (store: MemoryFeatureStore, dropped: RetryDropReason[] = []) =>
    new FeedbackService({
      store,
      eventLog: new RecordingEventLog(),
      model: () => model,
      now: () => NOW,
      onUpdateError: () => undefined,
      retry: { intervalMs: 3_600_000, onDropped: (_n, reason) => dropped.push(reason) },
    });

  it('counters refused after the user write: only the counters are retried (the user part lands once)', async () => {
    const store = await seeded();
    const [user0] = await store.getUsers(['u2']);
    const [counters0] = await store.getItemCounters(['m6']);
    const down = { value: true };
    refuse(store, 'incrementItemCountersBatch', down, () => new NotSentError('down'));
    const s = service(store);
    const [result] = await s.record([like('u2', 'm6')]);
    expect(result).toMatchObject({ accepted: true, applied: false });
    expect(s.pendingRetries).toBe(1);
    await s.retryNow(); // still refused: stays
    expect(s.pendingRetries).toBe(1);
    down.value = false;
    await s.retryNow();
    expect(s.pendingRetries).toBe(0);
    const [user] = await store.getUsers(['u2']);
    expect(user!.interactionCount).toBe(user0!.interactionCount + 1);
    expect(user!.recent.filter((e) => e.itemId === 'm6' && e.type === 'LIKE')).toHaveLength(1);
    const [counters] = await store.getItemCounters(['m6']);
    expect(counters!.popularity - counters0!.popularity).toBeCloseTo(2, 3); // LIKE weighs 2, once (decayed 60 s)
  });

  it('an interval past the longest Node timer (RECGATE_BACKEND_RETRY_MS unbounded) arms timers of at most 2³¹ − 1 ms', async () => {
    const store = await seeded();
    const down = { value: true };
    refuse(store, 'incrementItemCountersBatch', down, () => new NotSentError('down'));
    const delays: number[] = [];
    const fired: (() => void)[] = [];
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      fired.push(fn);
      return {
        unref: () => undefined,
        ref: () => undefined,
        hasRef: () => false,
      } as unknown as NodeJS.Timeout;
    }) as unknown as typeof setTimeout);
    try {
      const s = new FeedbackService({
        store,
        eventLog: new RecordingEventLog(),
        model: () => model,
        now: () => NOW,
        onUpdateError: () => undefined,
        retry: { intervalMs: 3_000_000_000 },
      });
      await s.record([like('u2', 'm6')]);
      expect(fired).toHaveLength(1);
      fired[0]!(); // the timer fires: an attempt that fails again, so the next wait doubles
      await s.retryNow(); // the running attempt
      expect(s.pendingRetries).toBe(1);
      expect(delays).toHaveLength(2);
      for (const d of delays) expect(d).toBe(MAX_TIMER_MS);
      s.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('single-event store: a refused applyInteraction is retried whole; a retry failing otherwise is dropped', async () => {
    const store = await seeded();
    const hidden = ['getFoldInStates', 'applyUserInteractions', 'incrementItemCountersBatch'];
    for (const name of [...hidden, 'getFoldInHistories', 'applyUserInteractionsLazily'])
      Object.defineProperty(store, name, { value: undefined, configurable: true });
    const [user0] = await store.getUsers(['u5']);
    const mode = { value: true };
    let kind: 'refused' | 'timeout' = 'refused';
    refuse(store, 'applyInteraction', mode, () =>
      kind === 'refused' ? new NotSentError('down') : new Error('Command timed out'),
    );
    const dropped: RetryDropReason[] = [];
    const s = service(store, dropped);
    await s.record([like('u5', 'm1')]);
    await s.record([like('u5', 'm3')]);
    expect(s.pendingRetries).toBe(2);
    kind = 'timeout'; // the retry is sent but gets no answer: it may have landed, so it is not tried again
    await s.retryNow();
    expect(s.pendingRetries).toBe(0);
    expect(dropped).toEqual(['failed', 'failed']);
    mode.value = false;
    await s.retryNow();
    const [user] = await store.getUsers(['u5']);
    expect(user!.interactionCount).toBe(user0!.interactionCount);
  });
});
