import { beforeEach, describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../src/domain/interaction.js';
import type { Promotion } from '../../src/services/serviceTypes.js';
import type { FeatureStore, HistoryEntry } from '../../src/stores/featureStore.js';

/** A settable clock handed to the adapter under test. */
export interface ContractClock {
  /** Current time, Unix ms; tests move it forward. */
  t: number;
  readonly now: () => number;
}

/** Adapter options a contract test sets (every adapter has them, under these names). */
export interface ContractOptions {
  /** The adapter's `maxImpressionsPerUser`; absent = its default (500). */
  readonly maxImpressionsPerUser?: number;
}

/**
 * Builds a fresh, empty store for one test. The adapter must read time from
 * `clock.now` for counter decay on read and ranked-list expiry, use the
 * default options (half-lives 90 and 7 days, history of 50, 500 impressions
 * per user) and apply the `options` given.
 */
export type FeatureStoreFactory = (clock: ContractClock, options?: ContractOptions) => Promise<FeatureStore>;

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

const item = (id: string, categories: string[] = [], available = true): CatalogItem => ({
  id,
  title: `Title ${id}`,
  categories,
  attributes: { price: 3 },
  createdAt: T0,
  available,
});

const entry = (
  itemId: string,
  type: HistoryEntry['type'],
  timestamp: number,
  value: number | null = null,
) => ({
  itemId,
  type,
  value,
  timestamp,
});

/**
 * The FeatureStore contract (conventions.md §5): every adapter (memory,
 * Redis) passes these same tests. Reference values of the decay tests are
 * hand-computed: value · 0.5^(Δt / half-life) with half-lives of 90 and 7 days.
 */
export function featureStoreContract(name: string, make: FeatureStoreFactory): void {
  describe(`FeatureStore contract: ${name}`, () => {
    let clock: ContractClock;
    let store: FeatureStore;

    beforeEach(async () => {
      const c = { t: T0, now: () => c.t };
      clock = c;
      store = await make(clock);
      return async () => store.close();
    });

    describe('batch reads (DataLoader batch contract)', () => {
      it('returns one result per key, in key order, null for missing keys', async () => {
        await store.upsertItems([item('a'), item('c')]);
        await store.applyInteraction('u1', entry('a', 'CLICK', T0), { categories: [], weight: 1 });
        await store.incrementItemCounters('c', 1, T0);

        const items = await store.getItems(['c', 'missing', 'a']);
        expect(items.map((i) => i?.id ?? null)).toEqual(['c', null, 'a']);
        const users = await store.getUsers(['nobody', 'u1']);
        expect(users.map((u) => u?.userId ?? null)).toEqual([null, 'u1']);
        const counters = await store.getItemCounters(['a', 'c']);
        expect(counters[0]).toBeNull();
        expect(counters[1]?.popularity).toBeCloseTo(1, 12);
      });

      it('answers a repeated key at every position and an empty key list with []', async () => {
        await store.upsertItems([item('a')]);
        expect((await store.getItems(['a', 'b', 'a'])).map((i) => i?.id ?? null)).toEqual(['a', null, 'a']);
        expect(await store.getItems([])).toEqual([]);
        expect(await store.getUsers([])).toEqual([]);
        expect(await store.getItemCounters([])).toEqual([]);
      });
    });

    describe('catalog and promotions', () => {
      it('stores catalog items field for field and replaces them by id', async () => {
        await store.upsertItems([item('a', ['x']), item('b')]);
        await store.upsertItems([item('a', ['y'], false)]);
        expect(await store.getItems(['a'])).toEqual([item('a', ['y'], false)]);
        expect([...(await store.listItemIds())].sort()).toEqual(['a', 'b']);
      });

      it('upserts, lists and deletes promotions by id', async () => {
        const p: Promotion = {
          id: 'p1',
          itemIds: ['a'],
          positions: [1],
          boost: null,
          surfaces: ['home'],
          startsAt: T0,
          endsAt: null,
        };
        await store.upsertPromotion(p);
        await store.upsertPromotion({ ...p, positions: [2] });
        expect(await store.listPromotions()).toEqual([{ ...p, positions: [2] }]);
        expect(await store.deletePromotion('p1')).toBe(true);
        expect(await store.deletePromotion('p1')).toBe(false);
        expect(await store.listPromotions()).toEqual([]);
      });
    });

    describe('user state', () => {
      it('keeps history most recent first, placing a late event by its timestamp', async () => {
        await store.applyInteraction('u', entry('a', 'CLICK', T0 + 1000), { categories: [], weight: 1 });
        await store.applyInteraction('u', entry('b', 'LIKE', T0 + 3000), { categories: [], weight: 1 });
        await store.applyInteraction('u', entry('c', 'RATING', T0 + 2000, 8), { categories: [], weight: 1 });
        const [u] = await store.getUsers(['u']);
        expect(u!.recent).toEqual([
          entry('b', 'LIKE', T0 + 3000),
          entry('c', 'RATING', T0 + 2000, 8),
          entry('a', 'CLICK', T0 + 1000),
        ]);
      });

      it('keeps the 50 most recent history entries', async () => {
        for (let k = 0; k < 60; k++) {
          await store.applyInteraction('u', entry(`i${k}`, 'VIEW', T0 + k), { categories: [], weight: 1 });
        }
        const [u] = await store.getUsers(['u']);
        expect(u!.recent.length).toBe(50);
        expect(u!.recent[0]!.itemId).toBe('i59');
        expect(u!.recent[49]!.itemId).toBe('i10');
        expect(u!.seen.size).toBe(60);
        expect(u!.interactionCount).toBe(60);
      });

      it('adds the item to seen; DISMISS and DISLIKE add it to dismissed and change no count or affinity', async () => {
        await store.applyInteraction('u', entry('a', 'LIKE', T0), { categories: ['x', 'y'], weight: 1 });
        await store.applyInteraction('u', entry('b', 'DISMISS', T0 + 1), { categories: ['x'], weight: 1 });
        await store.applyInteraction('u', entry('c', 'DISLIKE', T0 + 2), { categories: ['z'], weight: 1 });
        const [u] = await store.getUsers(['u']);
        expect([...u!.seen].sort()).toEqual(['a', 'b', 'c']);
        expect([...u!.dismissed].sort()).toEqual(['b', 'c']);
        expect(u!.interactionCount).toBe(1);
        expect(Object.fromEntries(u!.categoryWeights)).toEqual({ x: 1, y: 1 });
        expect(Object.fromEntries(u!.categoryLastSeen)).toEqual({ x: T0, y: T0 });
        expect(u!.recent.map((e) => e.itemId)).toEqual(['c', 'b', 'a']);
      });

      it('adds `weight` to each category once and moves categoryLastSeen forward only', async () => {
        await store.applyInteraction('u', entry('a', 'CLICK', T0 + 5000), {
          categories: ['x', 'x'],
          weight: 2,
        });
        await store.applyInteraction('u', entry('b', 'CLICK', T0 + 1000), { categories: ['x'], weight: 0.5 });
        await store.applyInteraction('u', entry('c', 'VIEW', T0 + 9000), { categories: ['y'], weight: 0 });
        const [u] = await store.getUsers(['u']);
        expect(Object.fromEntries(u!.categoryWeights)).toEqual({ x: 2.5 });
        expect(Object.fromEntries(u!.categoryLastSeen)).toEqual({ x: T0 + 5000 });
        expect(u!.interactionCount).toBe(3);
      });

      it('replaces the vector when given, keeps it when omitted, clears it with null', async () => {
        const v = Float32Array.from([0.5, -1, 2]);
        await store.applyInteraction('u', entry('a', 'CLICK', T0), { categories: [], weight: 1, vector: v });
        await store.applyInteraction('u', entry('b', 'CLICK', T0), { categories: [], weight: 1 });
        expect(Array.from((await store.getUsers(['u']))[0]!.vector!)).toEqual([0.5, -1, 2]);
        await store.applyInteraction('u', entry('c', 'CLICK', T0), {
          categories: [],
          weight: 1,
          vector: null,
        });
        expect((await store.getUsers(['u']))[0]!.vector).toBeNull();
      });

      it('returns a snapshot that later writes do not change', async () => {
        const v = Float32Array.from([1, 2]);
        await store.applyInteraction('u', entry('a', 'CLICK', T0), {
          categories: ['x'],
          weight: 1,
          vector: v,
        });
        const [before] = await store.getUsers(['u']);
        v[0] = 99;
        await store.applyInteraction('u', entry('b', 'DISMISS', T0 + 1), { categories: ['x'], weight: 1 });
        await store.recordImpressions('u', ['a'], T0 + 2);
        expect(before!.recent.length).toBe(1);
        expect(before!.dismissed.size).toBe(0);
        expect(before!.impressions.size).toBe(0);
        expect(Array.from(before!.vector!)).toEqual([1, 2]);
      });

      it('counts impressions per item with the latest time', async () => {
        await store.recordImpressions('u', ['a', 'b'], T0 + 10);
        await store.recordImpressions('u', ['a'], T0 + 20);
        const [u] = await store.getUsers(['u']);
        expect(Object.fromEntries(u!.impressions)).toEqual({
          a: { count: 2, lastAt: T0 + 20 },
          b: { count: 1, lastAt: T0 + 10 },
        });
      });
    });

    describe('impressions kept per user (maxImpressionsPerUser: the latest by lastAt)', () => {
      /** A second store of the same adapter keeping 3 impressions per user (closed after the test). */
      const capped = async (onTestFinished: (fn: () => Promise<void>) => void): Promise<FeatureStore> => {
        const s = await make(clock, { maxImpressionsPerUser: 3 });
        onTestFinished(() => s.close());
        return s;
      };
      const impressionsOf = async (s: FeatureStore, userId: string) =>
        Object.fromEntries((await s.getUsers([userId]))[0]!.impressions);

      it('keeps the 3 items shown last of 5, with their counts', async ({ onTestFinished }) => {
        const s = await capped(onTestFinished);
        await s.recordImpressions('u', ['a', 'b'], T0 + 10);
        await s.recordImpressions('u', ['c'], T0 + 20);
        await s.recordImpressions('u', ['c', 'd'], T0 + 30);
        await s.recordImpressions('u', ['e'], T0 + 40);
        expect(await impressionsOf(s, 'u')).toEqual({
          c: { count: 2, lastAt: T0 + 30 },
          d: { count: 1, lastAt: T0 + 30 },
          e: { count: 1, lastAt: T0 + 40 },
        });
      });

      it('keeps an item shown again (its lastAt moves on), and a dropped item shown again restarts at count 1', async ({
        onTestFinished,
      }) => {
        const s = await capped(onTestFinished);
        await s.recordImpressions('u', ['a'], T0 + 10);
        await s.recordImpressions('u', ['b'], T0 + 20);
        await s.recordImpressions('u', ['c'], T0 + 30);
        await s.recordImpressions('u', ['a'], T0 + 40); // refreshed: b is now the oldest
        await s.recordImpressions('u', ['d'], T0 + 50);
        expect(await impressionsOf(s, 'u')).toEqual({
          a: { count: 2, lastAt: T0 + 40 },
          c: { count: 1, lastAt: T0 + 30 },
          d: { count: 1, lastAt: T0 + 50 },
        });
        await s.recordImpressions('u', ['b'], T0 + 60); // dropped before: its count restarts
        expect(await impressionsOf(s, 'u')).toEqual({
          a: { count: 2, lastAt: T0 + 40 },
          b: { count: 1, lastAt: T0 + 60 },
          d: { count: 1, lastAt: T0 + 50 },
        });
      });

      it('drops the smaller item id first among equal lastAt', async ({ onTestFinished }) => {
        const s = await capped(onTestFinished);
        await s.recordImpressions('u', ['d', 'b', 'e', 'a', 'c'], T0 + 10);
        expect(Object.keys(await impressionsOf(s, 'u')).sort()).toEqual(['c', 'd', 'e']);
        await s.recordImpressions('u', ['b'], T0 + 10); // ties with c, d, e and is smaller: dropped at once
        expect(Object.keys(await impressionsOf(s, 'u')).sort()).toEqual(['c', 'd', 'e']);
      });

      it('orders tied ids by Unicode code point (UTF-8 bytes), not UTF-16 units: U+FF5A before U+1F600', async ({
        onTestFinished,
      }) => {
        const s = await capped(onTestFinished);
        // Code point order: ｚ < ｚa < 😀 < 😀a; UTF-16 unit order (JS `<`): 😀 < 😀a < ｚ < ｚa.
        await s.recordImpressions('u', ['😀', 'ｚ', '😀a', 'ｚa'], T0 + 10);
        expect(Object.keys(await impressionsOf(s, 'u')).sort()).toEqual(['ｚa', '😀', '😀a'].sort());
      });

      it('never lowers lastAt for an older time, and drops at once a new item older than all kept', async ({
        onTestFinished,
      }) => {
        const s = await capped(onTestFinished);
        await s.recordImpressions('u', ['a'], T0 + 40);
        await s.recordImpressions('u', ['b'], T0 + 20);
        await s.recordImpressions('u', ['c'], T0 + 30);
        await s.recordImpressions('u', ['a'], T0 + 5); // count 2, lastAt stays T0 + 40
        await s.recordImpressions('u', ['d'], T0 + 25); // b (T0 + 20) is the oldest, not a
        expect(await impressionsOf(s, 'u')).toEqual({
          a: { count: 2, lastAt: T0 + 40 },
          c: { count: 1, lastAt: T0 + 30 },
          d: { count: 1, lastAt: T0 + 25 },
        });
        await s.recordImpressions('u', ['e'], T0 + 1);
        expect(Object.keys(await impressionsOf(s, 'u')).sort()).toEqual(['a', 'c', 'd']);
      });

      it('caps each user separately', async ({ onTestFinished }) => {
        const s = await capped(onTestFinished);
        await s.recordImpressions('u', ['a', 'b', 'c', 'd'], T0 + 10);
        await s.recordImpressions('v', ['a'], T0 + 20);
        expect(Object.keys(await impressionsOf(s, 'u')).sort()).toEqual(['b', 'c', 'd']);
        expect(await impressionsOf(s, 'v')).toEqual({ a: { count: 1, lastAt: T0 + 20 } });
      });

      it('keeps 500 items per user by default', async () => {
        const ids = Array.from({ length: 501 }, (_, k) => `i${String(k).padStart(3, '0')}`);
        await store.recordImpressions('u', ids, T0 + 10);
        const kept = await impressionsOf(store, 'u');
        expect(Object.keys(kept).length).toBe(500);
        expect(kept['i000']).toBeUndefined(); // the smallest id of the tie
        expect(kept['i500']).toEqual({ count: 1, lastAt: T0 + 10 });
      });
    });

    describe('item counters (exponential decay: half-lives 90 and 7 days)', () => {
      it('decays on read: one event, read 7 days later → popularity 2^(−7/90), trend 1/2', async () => {
        await store.incrementItemCounters('i', 1, T0);
        clock.t = T0 + 7 * DAY;
        const [c] = await store.getItemCounters(['i']);
        expect(c!.popularity).toBeCloseTo(0.9475160078, 8);
        expect(c!.trend).toBeCloseTo(0.5, 10);
        expect(c!.updatedAt).toBe(T0 + 7 * DAY);
      });

      it('decays on write: +2 at day 7 gives 2.9475160 and 2.5', async () => {
        await store.incrementItemCounters('i', 1, T0);
        await store.incrementItemCounters('i', 2, T0 + 7 * DAY);
        clock.t = T0 + 7 * DAY;
        const [c] = await store.getItemCounters(['i']);
        expect(c!.popularity).toBeCloseTo(2.9475160078, 8);
        expect(c!.trend).toBeCloseTo(2.5, 10);
      });

      it('adds a late event decayed to the stored time: +1 from day 4 adds 2^(−3/90) and 2^(−3/7)', async () => {
        await store.incrementItemCounters('i', 1, T0);
        await store.incrementItemCounters('i', 2, T0 + 7 * DAY);
        await store.incrementItemCounters('i', 1, T0 + 4 * DAY);
        clock.t = T0 + 7 * DAY;
        const [c] = await store.getItemCounters(['i']);
        expect(c!.popularity).toBeCloseTo(2.9475160078 + 0.9771599684, 8);
        expect(c!.trend).toBeCloseTo(2.5 + 0.7429971446, 8);
      });

      it('never grows a counter when the clock is behind its last update', async () => {
        await store.incrementItemCounters('i', 3, T0 + 10 * DAY);
        const [c] = await store.getItemCounters(['i']);
        expect(c).toEqual({ popularity: 3, trend: 3, updatedAt: T0 + 10 * DAY });
      });
    });

    describe('paging cache', () => {
      it('returns a stored list until its TTL has passed, then null', async () => {
        const list = {
          requestId: 'r1',
          entries: [
            { itemId: 'a', score: 0.5 },
            { itemId: 'b', score: 0.25 },
          ],
        };
        await store.putRankedList(list, 600_000);
        expect(await store.getRankedList('r1')).toEqual(list);
        clock.t = T0 + 599_999;
        expect(await store.getRankedList('r1')).toEqual(list);
        clock.t = T0 + 600_000;
        expect(await store.getRankedList('r1')).toBeNull();
        expect(await store.getRankedList('never-stored')).toBeNull();
      });

      it('replaces a list stored again under the same request id, with a fresh TTL', async () => {
        await store.putRankedList({ requestId: 'r', entries: ['a'] }, 1000);
        clock.t = T0 + 900;
        await store.putRankedList({ requestId: 'r', entries: ['b'] }, 1000);
        clock.t = T0 + 1500;
        expect(await store.getRankedList('r')).toEqual({ requestId: 'r', entries: ['b'] });
      });
    });

    describe('bulk seeding (optional methods)', () => {
      it('seedUsers replaces a user state as given, most recent first', async (ctx) => {
        if (store.seedUsers === undefined) return ctx.skip();
        await store.applyInteraction('u', entry('old', 'CLICK', T0), { categories: ['z'], weight: 1 });
        await store.seedUsers([
          {
            userId: 'u',
            interactionCount: 4,
            recent: [entry('a', 'RATING', T0 + 2), entry('b', 'RATING', T0 + 1)],
            seen: ['a', 'b', 'c'],
            dismissed: ['d'],
            categoryWeights: { x: 3, y: 1 },
            categoryLastSeen: { x: T0 + 2, y: T0 + 1 },
            vector: Float32Array.from([0.25, 0.5]),
          },
        ]);
        const [u] = await store.getUsers(['u']);
        expect(u!.interactionCount).toBe(4);
        expect(u!.recent.map((e) => e.itemId)).toEqual(['a', 'b']);
        expect([...u!.seen].sort()).toEqual(['a', 'b', 'c']);
        expect([...u!.dismissed]).toEqual(['d']);
        expect(Object.fromEntries(u!.categoryWeights)).toEqual({ x: 3, y: 1 });
        expect(Object.fromEntries(u!.categoryLastSeen)).toEqual({ x: T0 + 2, y: T0 + 1 });
        expect(Array.from(u!.vector!)).toEqual([0.25, 0.5]);
        expect(u!.impressions.size).toBe(0);
      });

      it('putItemCounters sets counters as of their time, decayed on later reads', async (ctx) => {
        if (store.putItemCounters === undefined) return ctx.skip();
        await store.incrementItemCounters('i', 5, T0);
        await store.putItemCounters([{ itemId: 'i', counters: { popularity: 10, trend: 4, updatedAt: T0 } }]);
        clock.t = T0 + 7 * DAY;
        const [c] = await store.getItemCounters(['i']);
        expect(c!.popularity).toBeCloseTo(9.475160078, 7);
        expect(c!.trend).toBeCloseTo(2, 10);
      });
    });
  });
}
