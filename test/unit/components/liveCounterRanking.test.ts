import { describe, expect, it, vi } from 'vitest';
import { CatalogTable } from '../../../models/registry/catalogTable.js';
import {
  LIVE_RANKING_PART,
  LiveCounterRanking,
  topFromRanking,
} from '../../../src/components/sources/liveCounterRanking.js';
import type { RankingSnapshot } from '../../../src/components/sources/liveCounterRanking.js';
import { PackedIdList } from '../../../src/domain/itemIdList.js';
import type { ItemIdList } from '../../../src/domain/itemIdList.js';
import { topIndices } from '../../../src/components/sources/topIndices.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import type { FeatureStore } from '../../../src/stores/featureStore.js';
import { CircuitBreaker } from '../../../src/stores/fallback/circuitBreaker.js';
import { collectDegradedParts } from '../../../src/stores/fallback/degradedParts.js';
import { FallbackFeatureStore } from '../../../src/stores/fallback/fallbackFeatureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { createRandom } from '../../../src/domain/random.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** The reference: every index sorted by value descending, ties by lower index. */
function fullSort(values: Float32Array): number[] {
  return Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b);
}

/** A catalog item with only an id. */
function item(id: string): CatalogItem {
  return { id, title: null, categories: [], attributes: {}, createdAt: null, available: true };
}

/** A memory store holding items i0..i{n−1} with the given popularity (= trend weight) at T0. */
async function storeWith(weights: readonly number[]): Promise<MemoryFeatureStore> {
  const store = new MemoryFeatureStore({ now: () => T0 });
  await store.upsertItems(weights.map((_, i) => item(`i${i}`)));
  for (const [i, w] of weights.entries()) if (w !== 0) await store.incrementItemCounters(`i${i}`, w, T0);
  return store;
}

/** The same store seen through the port only (no bulk counter read): the generic refresh path. */
function portOnly(store: MemoryFeatureStore): FeatureStore {
  return {
    name: 'port-only',
    listItemIds: () => store.listItemIds(),
    getItemCounters: (ids) => store.getItemCounters(ids),
  } as Partial<FeatureStore> as FeatureStore;
}

/** A ranking over `store` that starts a refresh on every read (`refreshMs` 0, `dutyCycle` 1), in slices of 2. */
function refreshingOnEveryRead(store: FeatureStore): LiveCounterRanking {
  return new LiveCounterRanking({
    store,
    refreshMs: 0,
    dutyCycle: 1,
    sliceSize: 2,
    knownToModel: () => true,
  });
}

/**
 * The next snapshot of a ranking with `refreshMs: 0` and `dutyCycle: 1`: a read returns the
 * current (stale) snapshot and starts a refresh; waits until a read returns
 * another one. Fails the test when none comes within 1,000 loop turns.
 */
async function nextSnapshot(ranking: LiveCounterRanking): Promise<RankingSnapshot> {
  const before = await ranking.snapshot();
  let s = before;
  for (let turn = 0; turn < 1000 && s === before; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    s = await ranking.snapshot();
  }
  expect(s).not.toBe(before);
  return s;
}

/** A store over `memory` whose every `listItemIds` (one per refresh) first calls `onRead`: the tests move their clocks there. */
function timedStore(memory: FeatureStore, onRead: () => void): FeatureStore {
  return {
    name: 'timed',
    listItemIds: async () => {
      onRead();
      return memory.listItemIds();
    },
    getItemCounters: (ids: readonly string[]) => memory.getItemCounters(ids),
  } as Partial<FeatureStore> as FeatureStore;
}

describe('topIndices (top-k selection)', () => {
  it('picks the k best, best first, ties to the lower index (hand-worked)', () => {
    const v = Float32Array.from([1, 3, 3, 0, 2, 3]);
    expect(Array.from(topIndices(v, 3))).toEqual([1, 2, 5]);
    expect(Array.from(topIndices(v, 5))).toEqual([1, 2, 5, 4, 0]);
    expect(Array.from(topIndices(v, 0))).toEqual([]);
    expect(Array.from(topIndices(v, 10))).toEqual([1, 2, 5, 4, 0, 3]);
    // Over a subset of candidate indices (ascending): 0, 3, 4.
    expect(Array.from(topIndices(v, 2, Int32Array.from([0, 3, 4])))).toEqual([4, 0]);
  });

  it('gives the same top-k as a full sort on random data with many ties', () => {
    const rng = createRandom(7);
    const random = (): number => rng.next();
    for (let round = 0; round < 40; round++) {
      const n = 1 + Math.floor(random() * 3000);
      // Few distinct values (ties), zeros (items without counters) and fractions.
      const v = Float32Array.from({ length: n }, () =>
        random() < 0.3 ? 0 : Math.floor(random() * 20) + (random() < 0.5 ? 0 : random()),
      );
      const reference = fullSort(v);
      for (const k of [1, 7, 100, n]) {
        expect(Array.from(topIndices(v, k))).toEqual(reference.slice(0, k));
      }
      const subset = Int32Array.from(reference.filter(() => random() < 0.2).sort((a, b) => a - b));
      const subsetReference = reference.filter((i) => subset.includes(i));
      expect(Array.from(topIndices(v, 50, subset))).toEqual(subsetReference.slice(0, 50));
    }
  });

  it('rejects a k that is not an integer ≥ 0', () => {
    expect(() => topIndices(new Float32Array(3), -1)).toThrow(RangeError);
    expect(() => topIndices(new Float32Array(3), 1.5)).toThrow(RangeError);
  });
});

describe('LiveCounterRanking', () => {
  it('ranks by popularity and trend like a full sort of the live counters', async () => {
    const store = await storeWith([0, 5, 2, 5, 9, 0, 1]);
    // Make trend differ from popularity: i2 gets a recent burst after i4's counts have aged.
    await store.incrementItemCounters('i2', 20, T0 - 30 * DAY);
    const s = await new LiveCounterRanking({ store, knownToModel: () => true, topK: 3 }).snapshot();
    expect(s.ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6']);
    expect(Array.from(s.byPopularity)).toEqual(fullSort(s.popularity).slice(0, 3));
    expect(Array.from(s.byTrend)).toEqual(fullSort(s.trend).slice(0, 3));
    expect(Array.from(s.byPopularity)).toEqual([2, 4, 1]); // 2 + 20·0.5^(30/90) ≈ 17.9 > 9 > 5 (i1 before i3)
    expect(Array.from(s.byTrend)).toEqual([4, 1, 3]); // i2: 2 + 20·0.5^(30/7) ≈ 3.0 < 5
  });

  it('gives the same results through the bulk counter read and through the port', async () => {
    const rng = createRandom(11);
    const random = (): number => rng.next();
    const weights = Array.from({ length: 500 }, () => (random() < 0.4 ? 0 : Math.floor(random() * 30)));
    const store = await storeWith(weights);
    const known = (id: string): boolean => Number(id.slice(1)) % 7 !== 0;
    const bulk = await new LiveCounterRanking({
      store,
      knownToModel: known,
      topK: 16,
      sliceSize: 37,
    }).snapshot();
    // Through the port, one getItemCounters per slice of at most 37 ids, in order (never all 500 at once),
    // the slices of equal length (14 of 36 or 32: no short remainder).
    const reads: string[][] = [];
    const counted = portOnly(store);
    const port = await new LiveCounterRanking({
      store: {
        ...counted,
        getItemCounters: (ids: readonly string[]) => {
          reads.push([...ids]);
          return counted.getItemCounters(ids);
        },
      } as Partial<FeatureStore> as FeatureStore,
      knownToModel: known,
      topK: 16,
      sliceSize: 37,
    }).snapshot();
    expect(reads.map((r) => r.length)).toEqual([...Array.from({ length: 13 }, () => 36), 500 - 13 * 36]);
    expect(reads.flat()).toEqual(weights.map((_, i) => `i${i}`));
    expect({ ...bulk, at: 0 }).toEqual({ ...port, at: 0 });
    expect(Array.from(bulk.newCandidates)).toEqual(weights.flatMap((_, i) => (i % 7 === 0 ? [i] : [])));
    expect(Array.from(bulk.newItems)).toEqual(
      fullSort(bulk.popularity)
        .filter((i) => i % 7 === 0)
        .slice(0, 16),
    );
  });

  it('serves the same hits as a full sort when exclusions use up the kept top-k', async () => {
    const rng = createRandom(3);
    const random = (): number => rng.next();
    const weights = Array.from({ length: 300 }, () => Math.floor(random() * 50));
    const store = await storeWith(weights);
    const known = (id: string): boolean => Number(id.slice(1)) % 5 !== 0;
    const s = await new LiveCounterRanking({ store, knownToModel: known, topK: 4 }).snapshot();
    const order = fullSort(s.popularity);
    // The user has seen the 40 most popular items and most new ones: far past the 4 kept.
    const seen = new Set([...order.slice(0, 40), ...order.filter((i) => i % 5 === 0).slice(0, 30)]);
    const exclude = (id: string): boolean => seen.has(Number(id.slice(1)));
    const hits = topFromRanking(s, s.byPopularity, s.popularity, 10, exclude);
    const expected = order.filter((i) => !seen.has(i)).slice(0, 10);
    const expectedNew = order.filter((i) => i % 5 === 0 && !seen.has(i) && !expected.includes(i)).slice(0, 2);
    expect(hits.map((h) => h.itemId)).toEqual([...expected, ...expectedNew].map((i) => `i${i}`));
    expect(hits.map((h) => h.score)).toEqual([...expected, ...expectedNew].map((i) => s.popularity[i]));
    // Each hit's row hint is its index in the snapshot's ids.
    for (const h of hits) expect(s.ids.at(h.row)).toBe(h.itemId);
  });

  it('reads and ranks in slices, letting other callbacks run between them (issue #6)', async () => {
    const store = await storeWith(Array.from({ length: 1000 }, (_, i) => i % 13));
    const ranking = new LiveCounterRanking({ store, knownToModel: () => true, sliceSize: 100 });
    let turnsDuringRefresh = 0;
    let done = false;
    const tick = (): void => {
      if (done) return;
      turnsDuringRefresh++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await ranking.snapshot();
    done = true;
    // 10 slices of reads and 10 of selection, each ending with a yield.
    expect(turnsDuringRefresh).toBeGreaterThanOrEqual(10);
  });

  it('asks the model about new items again after a catalog change or a model swap, not on every refresh', async () => {
    const store = await storeWith([3, 1, 2]);
    let known = new Set(['i0', 'i1', 'i2']);
    let asked = 0;
    const ranking = new LiveCounterRanking({
      store,
      refreshMs: 0,
      dutyCycle: 1,
      knownToModel: (id) => {
        asked++;
        return known.has(id);
      },
    });
    /** Refreshes run in the background: the next snapshot object once it lands. */
    const refreshed = async (trigger: () => void): Promise<RankingSnapshot> => {
      const before = await ranking.snapshot();
      trigger();
      for (let turn = 0; turn < 1000; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        const s = await ranking.snapshot();
        if (s !== before) return s;
      }
      throw new Error('no refresh landed');
    };
    expect(Array.from((await ranking.snapshot()).newItems)).toEqual([]);
    expect(asked).toBe(3);
    await refreshed(() => undefined); // refreshMs 0: every read starts a refresh; same catalog and model
    expect(asked).toBe(3);
    known = new Set(['i1']); // a model swap: the gateway calls revalidate()
    expect(Array.from((await refreshed(() => ranking.revalidate())).newItems)).toEqual([0, 2]);
    expect(asked).toBe(6);
    await store.upsertItems([item('i3')]); // a catalog change: the ids differ
    await store.incrementItemCounters('i3', 9, T0);
    ranking.invalidate();
    const s = await ranking.snapshot();
    expect(Array.from(s.newItems)).toEqual([3, 0, 2]);
    expect(Array.from(s.byPopularity)).toEqual([3, 0, 2, 1]);
  });

  it('a model swap during a running refresh is not overwritten by that refresh’s answers from the old model', async () => {
    const store = await storeWith(Array.from({ length: 2000 }, (_, i) => 1 + (i % 7)));
    let knows = (id: string): boolean => Number(id.slice(1)) % 3 !== 0;
    const ranking = new LiveCounterRanking({ store, knownToModel: (id) => knows(id), sliceSize: 100 });
    const first = ranking.snapshot();
    // Past the counter reads (20 slices), into the slices that ask the model.
    for (let turn = 0; turn < 25; turn++) await new Promise((resolve) => setImmediate(resolve));
    knows = () => true; // the new model knows every item
    ranking.revalidate();
    await first.catch(() => undefined);
    let s = await ranking.snapshot();
    for (let turn = 0; turn < 1000 && s.newCandidates.length > 0; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      s = await ranking.snapshot();
    }
    expect(s.newCandidates.length).toBe(0);
  });

  it('after catalog growth, asks the model only about the slices whose ids changed', async () => {
    const store = await storeWith([1, 2, 3, 4, 5]);
    const asked: string[] = [];
    const ranking = new LiveCounterRanking({
      store,
      refreshMs: 0,
      dutyCycle: 1,
      sliceSize: 2,
      knownToModel: (id) => {
        asked.push(id);
        return id !== 'i1' && id !== 'i5';
      },
    });
    expect(Array.from((await ranking.snapshot()).newItems)).toEqual([1]);
    asked.length = 0;
    await store.upsertItems([item('i5')]); // slices [i0 i1] [i2 i3] [i4 i5]: only the last one changed
    const before = await ranking.snapshot(); // stale: starts a refresh
    let s = before;
    for (let turn = 0; turn < 1000 && s === before; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      s = await ranking.snapshot();
    }
    expect(asked).toEqual(['i4', 'i5']);
    expect(Array.from(s.newCandidates)).toEqual([1, 5]);
    expect(Array.from(s.newItems)).toEqual([1, 5]); // popularity 2, then 0
  });

  it('keeps the id array of the last refresh while the catalog is unchanged, and builds a new one when it changes', async () => {
    const store = await storeWith([1, 2, 3, 4, 5]);
    const ranking = refreshingOnEveryRead(store);
    const next = (): Promise<RankingSnapshot> => nextSnapshot(ranking);
    const first = await ranking.snapshot();
    await store.incrementItemCounters('i0', 10, T0); // counters change, ids do not
    const second = await next();
    expect(second.ids).toBe(first.ids); // the same array: no 1M-entry copy per refresh
    expect(Array.from(second.byPopularity)).toEqual(fullSort(second.popularity));
    expect(second.byPopularity[0]).toBe(0);
    // A new item: a new array, built from the old one's prefix.
    await store.upsertItems([item('i5')]);
    const third = await next();
    expect(third.ids).not.toBe(first.ids);
    expect(third.ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5']);
    expect(first.ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']); // the old snapshot is untouched
    expect(third.popularity).toHaveLength(6);
    const fourth = await next();
    expect(fourth.ids).toBe(third.ids);
  });

  it("keeps a seeded catalog's own id array from the first refresh, and copies it once items are added", async () => {
    const store = new MemoryFeatureStore({ now: () => T0 });
    const items = [0, 1, 2, 3, 4].map((i) => item(`i${i}`));
    const catalog = new Map(items.map((x) => [x.id, x]));
    await store.seedCatalog(catalog, {
      itemIds: [...catalog.keys()],
      popularity: Float64Array.from([1, 5, 2, 0, 4]),
      trend: new Float64Array(5),
      updatedAt: T0,
    });
    const ids = store.itemIdsInOrder();
    expect(ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
    const ranking = refreshingOnEveryRead(store);
    const first = await ranking.snapshot();
    expect(first.ids).toBe(ids); // no copy of the store's array
    expect(Array.from(first.byPopularity)).toEqual([1, 4, 2, 0, 3]);
    await store.upsertItems([item('i5')]);
    expect(store.itemIdsInOrder()).toBeNull(); // listItemIds now lists more than the seeded ids
    const second = await nextSnapshot(ranking);
    expect(second.ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5']);
    expect(ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']); // the store's array is untouched
  });

  it('refills the counter columns of the snapshot before the last one: no new off-heap columns per refresh, served and replaced snapshots untouched', async () => {
    for (const path of ['bulk', 'port'] as const) {
      const memory = await storeWith([1, 2, 3, 4, 5]);
      const store = path === 'bulk' ? memory : portOnly(memory);
      const ranking = refreshingOnEveryRead(store);
      const next = (): Promise<RankingSnapshot> => nextSnapshot(ranking);
      const snapshots = [await ranking.snapshot()];
      const seen: number[][] = [Array.from(snapshots[0]!.popularity)];
      for (let k = 1; k <= 5; k++) {
        await memory.incrementItemCounters(`i${k % 5}`, 10 * k, T0); // every refresh reads new values
        snapshots.push(await next());
        seen.push(Array.from(snapshots[k]!.popularity));
        // The served snapshot and the one it replaced still hold what they were published with.
        expect(Array.from(snapshots[k]!.popularity), path).toEqual(seen[k]);
        expect(Array.from(snapshots[k - 1]!.popularity), path).toEqual(seen[k - 1]);
        expect(Array.from(snapshots[k]!.byPopularity), path).toEqual(fullSort(snapshots[k]!.popularity));
      }
      const buffers = snapshots.map((s) => s.popularity.buffer);
      // Three pairs in rotation: refresh k fills the columns of snapshot k − 3.
      for (let k = 3; k <= 5; k++) {
        expect(buffers[k], `${path}: refresh ${k}`).toBe(buffers[k - 3]);
        expect(snapshots[k]!.trend.buffer).toBe(snapshots[k - 3]!.trend.buffer);
      }
      expect(new Set(buffers).size, path).toBe(3);
      // A grown catalog gets larger columns, with every value right.
      await memory.upsertItems([item('i5')]);
      await memory.incrementItemCounters('i5', 1000, T0);
      ranking.invalidate(); // as upsertItems does: the next read waits for the new catalog
      const grownSnapshot = await ranking.snapshot();
      expect(grownSnapshot.popularity, path).toHaveLength(6);
      expect(grownSnapshot.byPopularity[0], path).toBe(5);
      expect(Array.from(grownSnapshot.popularity), path).toEqual(
        Array.from(
          Float32Array.from(
            (await memory.getItemCounters([...grownSnapshot.ids])).map((c) => c?.popularity ?? 0),
          ),
        ),
      );
    }
  });

  it('spaces periodic refreshes to dutyCycle of the wall time: a refresh of d ms is followed by the next d / dutyCycle ms after it started', async () => {
    const memory = await storeWith([1, 2, 3]);
    let t = 0;
    let cost = 3000; // ms the next listItemIds takes on the clock
    let reads = 0;
    const store = timedStore(memory, () => {
      reads++;
      t += cost;
    });
    const ranking = new LiveCounterRanking({
      store,
      refreshMs: 1000,
      dutyCycle: 0.1,
      now: () => t,
      elapsed: () => t,
      knownToModel: () => true,
    });
    /** The store reads so far, after a snapshot read at time `at` and any refresh it started. */
    const readsAfterSnapshotAt = async (at: number): Promise<number> => {
      t = at;
      await ranking.snapshot();
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      return reads;
    };
    await ranking.snapshot(); // started at 0, took 3,000 ms: the next no sooner than 30,000
    expect(reads).toBe(1);
    expect(await readsAfterSnapshotAt(5000)).toBe(1); // past refreshMs, inside 3,000 / 0.1
    expect(await readsAfterSnapshotAt(29_999)).toBe(1);
    cost = 0;
    expect(await readsAfterSnapshotAt(30_000)).toBe(2);
    // That one took no time: refreshMs applies again.
    expect(await readsAfterSnapshotAt(30_999)).toBe(2);
    expect(await readsAfterSnapshotAt(31_000)).toBe(3);
    // A change is never spaced: refreshAfterChange reads at once.
    cost = 3000;
    await ranking.refreshAfterChange();
    expect(reads).toBe(4);
    await ranking.refreshAfterChange();
    expect(reads).toBe(5);
  });

  it('caps the duty-cycle spacing at maxIntervalMs (default 60 s): one 100-s refresh does not hold the next one off for 1,000 s', async () => {
    const memory = await storeWith([1, 2, 3]);
    let t = 0;
    let cost = 100_000; // a refresh on a Redis that takes ~1 s per read at 1M items
    let reads = 0;
    const store = timedStore(memory, () => {
      reads++;
      t += cost;
    });
    t = 0;
    const make = (options: { refreshMs: number; maxIntervalMs?: number }): LiveCounterRanking =>
      new LiveCounterRanking({ store, ...options, now: () => t, elapsed: () => t, knownToModel: () => true });
    /** The store reads so far, after a snapshot read at time `at` and any refresh it started. */
    const readsAfterSnapshotAt = async (ranking: LiveCounterRanking, at: number): Promise<number> => {
      t = at;
      await ranking.snapshot();
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      return reads;
    };
    // Uncapped (as before the cap), the next refresh is due 100,000 / 0.1 = 1,000,000 ms after it started.
    const uncapped = make({ refreshMs: 5000, maxIntervalMs: Number.POSITIVE_INFINITY });
    await uncapped.snapshot(); // 0 → 100,000
    cost = 0;
    expect(await readsAfterSnapshotAt(uncapped, 999_999)).toBe(1);
    expect(await readsAfterSnapshotAt(uncapped, 1_000_000)).toBe(2);
    // The default cap: due 60,000 ms after it started, so a read right after its end starts the next.
    reads = 0;
    cost = 100_000;
    t = 0;
    const capped = make({ refreshMs: 5000 });
    await capped.snapshot(); // 0 → 100,000
    expect(reads).toBe(1);
    cost = 0;
    expect(await readsAfterSnapshotAt(capped, 100_001)).toBe(2);
    // A cap of its own, reached before the refresh's end would be: due 20,000 ms after it started.
    reads = 0;
    cost = 10_000;
    t = 0;
    const own = make({ refreshMs: 1000, maxIntervalMs: 20_000 });
    await own.snapshot(); // 0 → 10,000; uncapped, the next would be due at 100,000
    cost = 0;
    expect(await readsAfterSnapshotAt(own, 19_999)).toBe(1);
    expect(await readsAfterSnapshotAt(own, 20_000)).toBe(2);
    // The cap never shortens refreshMs.
    reads = 0;
    cost = 10_000;
    t = 0;
    const longRefresh = make({ refreshMs: 30_000, maxIntervalMs: 20_000 });
    await longRefresh.snapshot();
    cost = 0;
    expect(await readsAfterSnapshotAt(longRefresh, 29_999)).toBe(1);
    expect(await readsAfterSnapshotAt(longRefresh, 30_000)).toBe(2);
    for (const maxIntervalMs of [-1, Number.NaN]) {
      expect(() => make({ refreshMs: 0, maxIntervalMs })).toThrow(/maxIntervalMs must be a number ≥ 0/);
    }
  });

  it('times a refresh with the monotonic clock: a wall clock stepped forward an hour during one does not stop the next for ten hours', async () => {
    const memory = await storeWith([5, 1]);
    let t = T0;
    let step = false;
    const store = {
      name: 'stepped',
      listItemIds: () => memory.listItemIds(),
      getItemCounters: async (ids: readonly string[]) => {
        if (step) {
          step = false;
          t += 3_600_000; // NTP steps the wall clock forward an hour while this refresh reads
        }
        return memory.getItemCounters(ids);
      },
    } as Partial<FeatureStore> as FeatureStore;
    const ranking = new LiveCounterRanking({
      store,
      refreshMs: 5000,
      now: () => t,
      knownToModel: () => true,
    });
    const settle = async (): Promise<void> => {
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    await ranking.snapshot();
    t += 5000;
    step = true;
    await ranking.snapshot(); // the refresh during which the clock steps
    await settle();
    await memory.incrementItemCounters('i1', 100, T0);
    t += 5000; // a refreshMs later on the new wall time
    await ranking.snapshot();
    await settle();
    const s = await ranking.snapshot();
    expect(s.ids.at(s.byPopularity[0]!)).toBe('i1');
  });

  it('rejects a dutyCycle outside (0, 1]', () => {
    const store = new MemoryFeatureStore();
    for (const dutyCycle of [0, -0.1, 1.5, Number.NaN]) {
      expect(() => new LiveCounterRanking({ store, knownToModel: () => true, dutyCycle })).toThrow(
        /dutyCycle must be a number in \(0, 1\]/,
      );
    }
    expect(() => new LiveCounterRanking({ store, knownToModel: () => true, dutyCycle: 1 })).not.toThrow();
  });

  it('refreshAfterChange: no read waits, a refresh running since before the change is followed by one more, and the call resolves once the change is served', async () => {
    const memory = await storeWith([1, 2, 3]);
    // The port read, answered only at a gate while `held` is true (with the ids it read before
    // waiting): a refresh in flight, and behind the store, for as long as the test wants.
    let held = false;
    let release: () => void = () => undefined;
    let reads = 0;
    const store = {
      name: 'gated',
      listItemIds: async () => {
        reads++;
        const ids = await memory.listItemIds();
        if (held) await new Promise<void>((resolve) => (release = resolve));
        return ids;
      },
      getItemCounters: (ids: readonly string[]) => memory.getItemCounters(ids),
    } as Partial<FeatureStore> as FeatureStore;
    const ranking = new LiveCounterRanking({ store, refreshMs: 60_000, knownToModel: () => true });
    const first = await ranking.snapshot();
    expect(first.ids).toEqual(['i0', 'i1', 'i2']);

    // A refresh starts (and reads at the gate) before the change.
    held = true;
    const running = ranking.refreshAfterChange();
    await new Promise((resolve) => setImmediate(resolve));
    await memory.upsertItems([item('i3')]);
    await memory.incrementItemCounters('i3', 50, T0);
    held = false;
    let done = false;
    const changed = ranking.refreshAfterChange().then(() => (done = true));
    const alsoChanged = ranking.refreshAfterChange();
    // Reads do not wait: they get the snapshot from before.
    expect(await ranking.snapshot()).toBe(first);
    expect(done).toBe(false);
    release();
    await running;
    // The refresh that read before the change serves what it read…
    expect((await ranking.snapshot()).ids).toEqual(['i0', 'i1', 'i2']);
    expect(done).toBe(false);
    // …and the follow-up serves the change.
    await changed;
    await alsoChanged;
    const served = await ranking.snapshot();
    expect(served.ids).toEqual(['i0', 'i1', 'i2', 'i3']);
    expect(served.byPopularity[0]).toBe(3);
    // The first refresh, then one follow-up shared by both calls made while it ran.
    expect(reads).toBe(3);
    // With nothing running, a call refreshes once.
    await ranking.refreshAfterChange();
    expect(reads).toBe(4);
  });

  it('names featureStore.liveRanking in the degraded parts of requests served a ranking refreshed from the start-up snapshot, until a refresh reads Redis again', async () => {
    const live = await storeWith([1, 9, 2]); // Redis: i1 is the most popular
    const startup = await storeWith([5, 1, 2]); // the start-up snapshot: i0
    let down = false;
    const refused = (): Promise<never> => Promise.reject(new Error('connection refused'));
    const redis = {
      name: 'redis',
      listItemIds: () => (down ? refused() : live.listItemIds()),
      getItemCounters: (ids: readonly string[]) => (down ? refused() : live.getItemCounters(ids)),
    } as Partial<FeatureStore> as FeatureStore;
    const clock = { t: T0 };
    const breaker = new CircuitBreaker('redis', { budgetMs: 1000, retryAfterMs: 1000, now: () => clock.t });
    const store = new FallbackFeatureStore({ primary: redis, fallback: startup, breaker });
    const ranking = refreshingOnEveryRead(store);
    /** One request's read of the ranking: its most popular item and the degraded parts it named. */
    const request = async (): Promise<{ top: string; parts: string[] }> => {
      const { value, parts } = await collectDegradedParts(() => ranking.snapshot());
      return { top: value.ids.at(value.byPopularity[0]!)!, parts };
    };
    expect(await request()).toEqual({ top: 'i1', parts: [] });

    down = true;
    const fromSnapshot = await nextSnapshot(ranking); // a background refresh, answered by the snapshot
    expect(fromSnapshot.degradedParts).toEqual(['featureStore.catalog', 'featureStore.itemCounters']);
    expect(await request()).toEqual({ top: 'i0', parts: [LIVE_RANKING_PART] });
    expect(await request()).toEqual({ top: 'i0', parts: [LIVE_RANKING_PART] });
    // A request that waits for such a refresh names the ranking only: the store's own reports belong
    // to the refresh, not to the request that happened to start it.
    ranking.invalidate();
    expect(await request()).toEqual({ top: 'i0', parts: ['featureStore.liveRanking'] });

    down = false;
    clock.t += 1000; // the circuit the failed counter reads opened lets a probe through
    const fromRedis = await nextSnapshot(ranking);
    expect(fromRedis.degradedParts).toEqual([]);
    expect(await request()).toEqual({ top: 'i1', parts: [] });
  });

  it('rejects a topK or slice size that is not an integer ≥ 1', () => {
    const store = new MemoryFeatureStore();
    expect(() => new LiveCounterRanking({ store, knownToModel: () => true, topK: 0 })).toThrow(RangeError);
    expect(() => new LiveCounterRanking({ store, knownToModel: () => true, sliceSize: 2.5 })).toThrow(
      RangeError,
    );
  });
});

describe('MemoryFeatureStore.itemCounterChunks', () => {
  it('reuses one id array and two columns for every full chunk, and zeroes an item without counters', async () => {
    const store = new MemoryFeatureStore({ now: () => T0 });
    await store.upsertItems(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(item));
    // Counters at the chunks' first positions only for the first chunk: a reused column that
    // kept a's value at position 0 would give c (no counters) 8 instead of 0.
    await store.incrementItemCounters('a', 8, T0);
    await store.incrementItemCounters('b', 2, T0);
    await store.incrementItemCounters('f', 5, T0);
    const seen: { ids: ItemIdList; popularity: Float32Array; trend: Float32Array }[] = [];
    const copies: { ids: string[]; popularity: number[] }[] = [];
    for (const c of store.itemCounterChunks(2, T0)) {
      seen.push(c);
      copies.push({ ids: [...c.ids], popularity: Array.from(c.popularity) });
    }
    expect(copies).toEqual([
      { ids: ['a', 'b'], popularity: [8, 2] },
      { ids: ['c', 'd'], popularity: [0, 0] },
      { ids: ['e', 'f'], popularity: [0, 5] },
      { ids: ['g'], popularity: [0] },
    ]);
    // The three full chunks share their arrays; the partial last one has its own id array.
    expect(seen[1]!.ids).toBe(seen[0]!.ids);
    expect(seen[2]!.popularity).toBe(seen[0]!.popularity);
    expect(seen[2]!.trend).toBe(seen[1]!.trend);
    expect(seen[3]!.ids).not.toBe(seen[0]!.ids);
  });

  it('yields every item in listItemIds order with the float32 of getItemCounters, in chunks', async () => {
    const t = { now: T0 };
    const store = new MemoryFeatureStore({
      now: () => t.now,
      popularityHalfLifeDays: 1,
      trendingHalfLifeDays: 2,
    });
    await store.upsertItems(['a', 'b', 'c', 'd', 'e'].map(item));
    await store.incrementItemCounters('a', 8, T0);
    await store.incrementItemCounters('c', 3, T0 - DAY);
    await store.incrementItemCounters('e', 1, T0 + DAY); // stamped after the read time: as it is
    // Copied as they come: a chunk's arrays are reused by the next one.
    const chunks = Array.from(store.itemCounterChunks(2, T0 + DAY), (c) => ({
      ids: [...c.ids],
      popularity: Float32Array.from(c.popularity),
      trend: Float32Array.from(c.trend),
    }));
    expect(chunks.map((c) => c.ids)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    // a: 8 · 0.5^(1/1) = 4 and 8 · 0.5^(1/2) ≈ 5.657; c: 3 · 0.5^2 = 0.75 and 3 · 0.5^1 = 1.5.
    expect(chunks.flatMap((c) => Array.from(c.popularity))).toEqual([4, 0, 0.75, 0, 1]);
    expect(chunks.flatMap((c) => Array.from(c.trend))).toEqual([Math.fround(8 * Math.SQRT1_2), 0, 1.5, 0, 1]);
    t.now = T0 + DAY;
    const viaPort = await store.getItemCounters(['a', 'b', 'c', 'd', 'e']);
    expect(viaPort.map((c) => Math.fround(c?.trend ?? 0))).toEqual(
      chunks.flatMap((c) => Array.from(c.trend)),
    );
  });
});

describe('LiveCounterRanking over packed catalog ids (issue #6)', () => {
  /** A memory store seeded with a registry-like catalog of `ids` packed ({@link PackedIdList}). */
  async function packedStore(
    ids: readonly string[],
  ): Promise<{ store: MemoryFeatureStore; list: PackedIdList }> {
    const list = PackedIdList.from(ids)!;
    const catalog = CatalogTable.build(ids.map(item), {
      ids: list,
      index: new Map(ids.map((id, i) => [id, i])),
    });
    const store = new MemoryFeatureStore({ now: () => T0 });
    await store.seedCatalog(catalog, {
      itemIds: list,
      popularity: Float64Array.from(ids, (_, i) => i % 7),
      trend: Float64Array.from(ids, (_, i) => i % 5),
      updatedAt: T0,
    });
    return { store, list };
  }

  /** How many ids `run` decodes from packed lists (`PackedIdList.at` and its iterator). */
  async function decodedDuring(run: () => Promise<unknown>): Promise<number> {
    const at = vi.spyOn(PackedIdList.prototype, 'at');
    try {
      await run();
      return at.mock.calls.length;
    } finally {
      at.mockRestore();
    }
  }

  const ids = Array.from({ length: 200 }, (_, i) => `item-${i}`);

  it('a new item upserted beyond the catalog keeps the catalog part packed: no string per catalog id, same ids', async () => {
    const { store } = await packedStore(ids);
    const ranking = new LiveCounterRanking({
      store,
      sliceSize: 16,
      knownToModel: (id) => id !== 'brand-new',
    });
    await ranking.snapshot();
    await store.upsertItems([item('brand-new')]);
    await store.incrementItemCounters('brand-new', 100, T0);
    const decoded = await decodedDuring(() => ranking.refreshAfterChange());
    const s = await ranking.snapshot();
    expect([...s.ids]).toEqual(await store.listItemIds());
    expect(s.ids.at(s.byPopularity[0]!)).toBe('brand-new');
    expect(s.ids.at(s.newItems[0]!)).toBe('brand-new');
    // The ids of the last, partial chunk at most (and the new item's known-to-model check): not all 200.
    expect(decoded).toBeLessThan(2 * 16);
    // The next refresh of the same ids decodes none again.
    expect(await decodedDuring(() => ranking.refreshAfterChange())).toBeLessThan(2 * 16);
  });

  it("after a store swap (hot reload) the snapshot holds the new store's ids, not the retired ones, without decoding every id", async () => {
    const a = await packedStore(ids);
    const b = await packedStore(ids);
    let current = a.store;
    const swappable = new Proxy({} as MemoryFeatureStore, {
      get: (_, key) => {
        const v = (current as unknown as Record<PropertyKey, unknown>)[key];
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(current) : v;
      },
    });
    const ranking = new LiveCounterRanking({ store: swappable, sliceSize: 16, knownToModel: () => true });
    expect((await ranking.snapshot()).ids).toBe(a.list);
    current = b.store;
    const decoded = await decodedDuring(async () => {
      ranking.revalidate();
      await ranking.refreshAfterChange();
    });
    const s = await ranking.snapshot();
    expect(s.ids).toBe(b.list);
    // After a swap every id is asked about once (knownToModel, the new model), not also compared with the retired list's;
    // beyond that, the store's last, partial chunk per refresh (revalidate's and the follow-up).
    expect(decoded).toBeLessThan(ids.length + 4 * 16);
  });
});
