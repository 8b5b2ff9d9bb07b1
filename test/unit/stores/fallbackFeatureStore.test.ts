import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { CircuitBreaker, DependencyUnavailableError } from '../../../src/stores/fallback/circuitBreaker.js';
import { collectDegradedParts } from '../../../src/stores/fallback/degradedParts.js';
import {
  FallbackFeatureStore,
  RANKED_LISTS_PART,
} from '../../../src/stores/fallback/fallbackFeatureStore.js';
import type { FeatureStore } from '../../../src/stores/featureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';

const T0 = Date.UTC(2024, 0, 1);
const item = (id: string): CatalogItem => ({
  id,
  title: id,
  categories: [],
  attributes: {},
  createdAt: T0,
  available: true,
});

/** A memory store whose every call can be made to fail or hang (the primary under test). */
function faultyStore(): {
  store: FeatureStore;
  mode: { value: 'ok' | 'fail' | 'hang' | 'slow' };
  calls: string[];
} {
  const inner = new MemoryFeatureStore({ now: () => T0 });
  const mode = { value: 'ok' as 'ok' | 'fail' | 'hang' | 'slow' };
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close') return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        if (mode.value === 'fail') return Promise.reject(new Error('connection refused'));
        if (mode.value === 'hang') return new Promise(() => undefined);
        if (mode.value === 'slow') {
          return new Promise((r) => setTimeout(r, 80)).then(() =>
            (v as (...a: unknown[]) => unknown).apply(target, args),
          );
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, mode, calls };
}

function setup(budgetMs = 20) {
  const clock = { t: T0 };
  const primary = faultyStore();
  const fallback = new MemoryFeatureStore({ now: () => T0 });
  const breaker = new CircuitBreaker('redis', { budgetMs, retryAfterMs: 1000, now: () => clock.t });
  const store = new FallbackFeatureStore({ primary: primary.store, fallback, breaker, writeBudgetMs: 30 });
  return { clock, primary, fallback, breaker, store };
}

describe('CircuitBreaker', () => {
  it('opens on a failure, skips calls until retryAfterMs passed, then closes on a successful probe', async () => {
    const clock = { t: 0 };
    const changes: string[] = [];
    const breaker = new CircuitBreaker('redis', {
      budgetMs: 50,
      retryAfterMs: 1000,
      now: () => clock.t,
      onStateChange: (s) => changes.push(s),
    });
    let calls = 0;
    const ok = () => (calls++, Promise.resolve('ok'));
    await expect(breaker.call(() => Promise.reject(new Error('down')))).rejects.toThrow(
      'redis is unavailable: down',
    );
    expect(breaker.isOpen).toBe(true);
    clock.t = 999;
    await expect(breaker.call(ok)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(calls).toBe(0);
    clock.t = 1000;
    await expect(breaker.call(ok)).resolves.toBe('ok');
    expect(calls).toBe(1);
    expect(breaker.isOpen).toBe(false);
    expect(changes).toEqual(['open', 'closed']);
  });

  it('a failed probe opens the circuit again for retryAfterMs', async () => {
    const clock = { t: 0 };
    const breaker = new CircuitBreaker('redis', { budgetMs: 50, retryAfterMs: 100, now: () => clock.t });
    await breaker.call(() => Promise.reject(new Error('a'))).catch(() => undefined);
    clock.t = 100;
    await breaker.call(() => Promise.reject(new Error('b'))).catch(() => undefined);
    clock.t = 150;
    await expect(breaker.call(() => Promise.resolve(1))).rejects.toThrow(
      /skipped after an earlier failure \(b\)/,
    );
    clock.t = 200;
    await expect(breaker.call(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it('counts a call that outlives the budget as a failure', async () => {
    const breaker = new CircuitBreaker('qdrant', { budgetMs: 10, retryAfterMs: 1000 });
    await expect(breaker.call(() => new Promise(() => undefined))).rejects.toThrow(
      'qdrant is unavailable: no answer within the 10 ms budget',
    );
    expect(breaker.isOpen).toBe(true);
  });

  it('rejects a non-positive budget', () => {
    expect(() => new CircuitBreaker('x', { budgetMs: 0, retryAfterMs: 0 })).toThrow(RangeError);
  });
});

describe('FallbackFeatureStore', () => {
  it('reads the primary while it answers and reports nothing', async () => {
    const { primary, fallback, store } = setup();
    await primary.store.upsertItems([item('a')]);
    await fallback.upsertItems([item('b')]);
    const { value, parts } = await collectDegradedParts(() => store.getItems(['a', 'b']));
    expect(value.map((i) => i?.id ?? null)).toEqual(['a', null]);
    expect(parts).toEqual([]);
  });

  it.each(['fail', 'hang'] as const)(
    'when the primary %ss, reads answer from the fallback and name the part',
    async (mode) => {
      const { primary, fallback, store } = setup();
      await primary.store.upsertItems([item('a')]);
      await fallback.upsertItems([item('b')]);
      primary.mode.value = mode;
      const { value, parts } = await collectDegradedParts(async () => {
        const items = await store.getItems(['a', 'b']);
        const users = await store.getUsers(['u']);
        const promotions = await store.listPromotions();
        return { items, users, promotions };
      });
      expect(value.items.map((i) => i?.id ?? null)).toEqual([null, 'b']);
      expect(value.users).toEqual([null]);
      expect(value.promotions).toEqual([]);
      expect(parts).toEqual(['featureStore.items', 'featureStore.users', 'featureStore.promotions']);
    },
  );

  it('after one failure, skips the primary (one call) until the retry delay has passed', async () => {
    const { clock, primary, store } = setup();
    primary.mode.value = 'hang';
    await store.getItems(['a']);
    await store.getUsers(['u']);
    await store.getItemCounters(['a']);
    expect(primary.calls).toEqual(['getItems']);
    primary.mode.value = 'ok';
    clock.t += 1000;
    const { parts } = await collectDegradedParts(() => store.getUsers(['u']));
    expect(parts).toEqual([]);
    expect(primary.calls).toEqual(['getItems', 'getUsers']);
  });

  it('writes still reach the primary while the read circuit is open (an accepted event is not left unapplied)', async () => {
    const { primary, store } = setup();
    primary.mode.value = 'hang';
    await store.getUsers(['u']); // times out: the read circuit opens
    primary.mode.value = 'ok';
    await store.getItems(['a']); // skipped: still open
    expect(primary.calls).toEqual(['getUsers']);
    await store.applyInteraction(
      'u',
      { itemId: 'a', type: 'CLICK', value: null, timestamp: T0 },
      { categories: [], weight: 1 },
    );
    expect(primary.calls).toEqual(['getUsers', 'applyInteraction']);
    const [u] = await primary.store.getUsers(['u']);
    expect(u?.recent.map((e) => e.itemId)).toEqual(['a']);
  });

  it('a write that outlives its own budget rejects with DependencyUnavailableError', async () => {
    const { primary, store } = setup();
    primary.mode.value = 'hang';
    // The primary never answers: only the write budget can end the call.
    await expect(store.incrementItemCounters('a', 1, T0)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('writes reject with DependencyUnavailableError and never reach the fallback', async () => {
    const { primary, fallback, store } = setup();
    primary.mode.value = 'fail';
    await expect(
      store.applyInteraction(
        'u',
        { itemId: 'a', type: 'CLICK', value: null, timestamp: T0 },
        { categories: [], weight: 1 },
      ),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await fallback.getUsers(['u'])).toEqual([null]);
  });

  it('keeps a ranked list in the fallback when the primary cannot store it, and pages from there', async () => {
    const { primary, store } = setup();
    primary.mode.value = 'fail';
    const { parts } = await collectDegradedParts(async () => {
      await store.putRankedList({ requestId: 'r1', entries: ['x'] }, 60_000);
      return null;
    });
    expect(parts).toEqual([RANKED_LISTS_PART]);
    expect(RANKED_LISTS_PART).toBe('featureStore.rankedLists');
    expect(await store.getRankedList('r1')).toEqual({ requestId: 'r1', entries: ['x'] });
  });

  it('still pages a list stored during an outage once the primary answers again (it answers null for it)', async () => {
    const { primary, clock, store } = setup();
    primary.mode.value = 'fail';
    await collectDegradedParts(() => store.putRankedList({ requestId: 'r2', entries: ['y'] }, 60_000));
    // The primary is back and the circuit retries it: it has no such list.
    primary.mode.value = 'ok';
    clock.t += 2000;
    const { value, parts } = await collectDegradedParts(() => store.getRankedList('r2'));
    expect(value).toEqual({ requestId: 'r2', entries: ['y'] });
    expect(parts).toEqual([]);
    expect(primary.calls).toContain('getRankedList');
    // A list neither holds is null, as before.
    expect(await store.getRankedList('never-stored')).toBeNull();
  });

  it('a whole-catalog read slower than the request budget still reads the primary and leaves the circuit closed', async () => {
    const { primary, fallback, breaker, store } = setup(20);
    await primary.store.upsertItems([item('a')]);
    await fallback.upsertItems([item('b')]);
    primary.mode.value = 'slow';
    const { value, parts } = await collectDegradedParts(() => store.listItemIds());
    expect(value).toEqual(['a']);
    expect(parts).toEqual([]);
    expect(breaker.isOpen).toBe(false);
    // A request-path read of the same slowness does open it.
    await collectDegradedParts(() => store.getItems(['a']));
    expect(breaker.isOpen).toBe(true);
  });

  it('tells onBulkFallback when a whole-catalog read was answered by the fallback, and why (outside any request)', async () => {
    const clock = { t: T0 };
    const primary = faultyStore();
    const fallback = new MemoryFeatureStore({ now: () => T0 });
    const breaker = new CircuitBreaker('redis', { budgetMs: 20, retryAfterMs: 1000, now: () => clock.t });
    const told: [string, string][] = [];
    const store = new FallbackFeatureStore({
      primary: primary.store,
      fallback,
      breaker,
      onBulkFallback: (part, reason) => told.push([part, reason]),
    });
    await fallback.upsertItems([item('b')]);
    expect(await store.listItemIds()).toEqual([]); // the primary answered: nothing told
    expect(told).toEqual([]);
    primary.mode.value = 'fail';
    expect(await store.listItemIds()).toEqual(['b']);
    const ids = Array.from({ length: 1001 }, (_, i) => `x${i}`);
    expect(await store.getItemCounters(ids)).toHaveLength(1001);
    expect(told).toEqual([
      ['featureStore.catalog', 'connection refused'],
      ['featureStore.itemCounters', 'connection refused'],
    ]);
    // A request-path read opens the circuit; a whole-catalog read then skips the primary and says so.
    await store.getItems(['a']);
    expect(breaker.isOpen).toBe(true);
    await store.listItemIds();
    expect(told.at(-1)).toEqual(['featureStore.catalog', 'the circuit is open']);
    // A read of 1,000 keys or fewer is a request's: reported in `degraded`, not told.
    const before = told.length;
    await store.getItemCounters(ids.slice(0, 1000));
    expect(told).toHaveLength(before);
  });
});

describe('FallbackFeatureStore: primaryTrusted', () => {
  it('reads from the fallback, named in degraded, while the primary lost the served state; writes still go to the primary', async () => {
    const primary = faultyStore();
    const fallback = new MemoryFeatureStore({ now: () => T0 });
    await fallback.upsertItems([item('snap')]);
    const trusted = { value: false as boolean | Promise<boolean> };
    const store = new FallbackFeatureStore({
      primary: primary.store,
      fallback,
      breaker: new CircuitBreaker('redis', { budgetMs: 20, retryAfterMs: 1000, now: () => T0 }),
      primaryTrusted: () => trusted.value,
    });
    const untrusted = await collectDegradedParts(() => store.getItems(['snap']));
    expect(untrusted).toEqual({ value: [item('snap')], parts: ['featureStore.items'] });
    expect(await collectDegradedParts(() => store.listItemIds())).toEqual({
      value: ['snap'],
      parts: ['featureStore.catalog'],
    });
    expect(primary.calls).toEqual([]); // the empty primary was not read
    await store.upsertItems([item('live')]);
    expect(primary.calls).toEqual(['upsertItems']);

    trusted.value = Promise.resolve(true); // a check was due and found the seed mark
    expect(await collectDegradedParts(() => store.getItems(['live']))).toEqual({
      value: [item('live')],
      parts: [],
    });
  });
});
