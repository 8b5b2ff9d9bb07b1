import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { countersAt } from '../../../src/stores/decayCounter.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { featureStoreContract } from '../../contracts/featureStoreContract.js';

featureStoreContract(
  'memory',
  async (clock, options) => new MemoryFeatureStore({ now: clock.now, ...options }),
);

describe('MemoryFeatureStore', () => {
  it('counts every port method call by name, and resets the counts', async () => {
    const store = new MemoryFeatureStore();
    await store.getUsers(['a', 'b']);
    await store.getItems(['a']);
    await store.getItems(['b']);
    expect(store.calls).toEqual({ getUsers: 1, getItems: 2 });
    store.resetCalls();
    expect(store.calls).toEqual({});
  });

  it('honours its options: history size and half-lives', async () => {
    const t = { now: Date.UTC(2024, 0, 1) };
    const store = new MemoryFeatureStore({
      historySize: 2,
      popularityHalfLifeDays: 1,
      trendingHalfLifeDays: 2,
      now: () => t.now,
    });
    for (const id of ['a', 'b', 'c']) {
      await store.applyInteraction(
        'u',
        { itemId: id, type: 'CLICK', value: null, timestamp: t.now },
        {
          categories: [],
          weight: 1,
        },
      );
    }
    expect((await store.getUsers(['u']))[0]!.recent.map((e) => e.itemId)).toEqual(['c', 'b']);
    await store.incrementItemCounters('i', 8, t.now);
    t.now += 2 * 86_400_000;
    expect(await store.getItemCounters(['i'])).toEqual([{ popularity: 2, trend: 4, updatedAt: t.now }]);
  });

  it('getItemCounters equals countersAt for every item, bit for bit, whatever mix of stamps', async () => {
    const now = Date.UTC(2024, 0, 10);
    const store = new MemoryFeatureStore({ now: () => now });
    const random = createRandom(17);
    const stamps = [now - 86_400_000, now - 3_600_000, now, now + 60_000, NaN];
    const entries = Array.from({ length: 60 }, (_, i) => ({
      itemId: `i${i}`,
      counters: {
        popularity: random.next() * 100,
        trend: random.next() * 10,
        // Runs of equal stamps (seeded), and changes between them.
        updatedAt: stamps[Math.floor(i / 7) % stamps.length]!,
      },
    }));
    await store.putItemCounters(entries);
    const ids = [...entries.map((e) => e.itemId), 'none', ...entries.map((e) => e.itemId).reverse()];
    const byId = new Map(entries.map((e) => [e.itemId, e.counters]));
    const expected = ids.map((id) => {
      const c = byId.get(id);
      return c === undefined ? null : countersAt(c, now, 90 * 86_400_000, 7 * 86_400_000);
    });
    expect(await store.getItemCounters(ids)).toEqual(expected);
  });

  it('batch writes and the fold-in read equal the single-event methods in order (issue #6)', async () => {
    const T = Date.UTC(2024, 0, 1);
    const random = createRandom(5);
    const types = ['CLICK', 'VIEW', 'LIKE', 'DISMISS', 'PURCHASE', 'DISLIKE'] as const;
    const writes = Array.from({ length: 40 }, (_, k) => ({
      entry: {
        itemId: `i${random.int(0, 9)}`,
        type: types[random.int(0, types.length - 1)]!,
        value: k % 5 === 0 ? 30 : null,
        // Out of order and with ties, so insertion by time matters.
        timestamp: T + random.int(0, 20) * 1000,
      },
      categories: k % 3 === 0 ? ['a', 'b', 'a'] : ['c'],
      weight: k % 7 === 0 ? 0 : 1,
    }));
    const vector = Float32Array.from([0.5, -1, 2]);
    const single = new MemoryFeatureStore({ historySize: 8, now: () => T });
    const batched = new MemoryFeatureStore({ historySize: 8, now: () => T });
    for (const s of [single, batched]) await s.seedUsers([]);
    for (const [k, w] of writes.entries()) {
      await single.applyInteraction('u', w.entry, {
        categories: w.categories,
        weight: w.weight,
        ...(k === 24 || k === writes.length - 1 ? { vector } : {}),
      });
    }
    await batched.applyUserInteractions('u', writes.slice(0, 25), vector);
    await batched.applyUserInteractions('u', writes.slice(25), undefined);
    await batched.applyUserInteractions('u', [], null); // no write: nothing changes
    await batched.applyUserInteractions('u', writes.slice(writes.length), vector);
    await batched.applyUserInteractions('u', [], vector);
    await single.applyInteraction('v', writes[0]!.entry, { categories: [], weight: 1, vector });
    await batched.applyUserInteractions('v', [{ ...writes[0]!, categories: [], weight: 1 }], vector);
    await single.applyInteraction('v', writes[1]!.entry, { categories: [], weight: 1, vector: null });
    await batched.applyUserInteractions('v', [{ ...writes[1]!, categories: [], weight: 1 }], null);
    expect(await batched.getUsers(['u', 'v', 'w'])).toEqual(await single.getUsers(['u', 'v', 'w']));

    const [u, v, w] = await batched.getFoldInStates(['u', 'v', 'w']);
    const [full] = await batched.getUsers(['u']);
    expect(u).toEqual({
      userId: 'u',
      recent: full!.recent,
      dismissed: full!.dismissed,
      vector: full!.vector,
    });
    expect(v!.vector).toBeNull();
    expect(w).toBeNull();
    // A copy: changing what the caller holds changes nothing stored.
    (u!.recent as unknown[]).length = 0;
    (u!.dismissed as Set<string>).add('zz');
    u!.vector![0] = 99;
    expect((await batched.getFoldInStates(['u']))[0]).toEqual({
      userId: 'u',
      recent: full!.recent,
      dismissed: full!.dismissed,
      vector: full!.vector,
    });

    const increments = writes.map((w2, k) => ({
      itemId: w2.entry.itemId,
      weight: 1 + (k % 3),
      at: w2.entry.timestamp,
    }));
    for (const i of increments) await single.incrementItemCounters(i.itemId, i.weight, i.at);
    await batched.incrementItemCountersBatch(increments);
    const ids = Array.from({ length: 10 }, (_, i) => `i${i}`);
    expect(await batched.getItemCounters(ids)).toEqual(await single.getItemCounters(ids));
    await expect(batched.incrementItemCountersBatch([{ itemId: 'x', weight: NaN, at: T }])).rejects.toThrow(
      RangeError,
    );
    expect(batched.calls).toMatchObject({
      applyUserInteractions: 7,
      getFoldInStates: 2,
      incrementItemCountersBatch: 2,
    });
  });

  it('lazy fold-in: a deferred vector runs once, at the next vector read, with the vector stored then (issue #6)', async () => {
    const store = new MemoryFeatureStore();
    const entry = (itemId: string, timestamp: number) => ({
      entry: { itemId, type: 'CLICK' as const, value: null, timestamp },
      categories: ['c'],
      weight: 1,
    });
    const first = Float32Array.of(1, 2);
    await store.applyUserInteractions('u', [entry('a', 1)], first);
    const seen: (number[] | null)[] = [];
    const deferred = (result: Float32Array | null) => (current: Float32Array | null) => {
      seen.push(current === null ? null : [...current]);
      return result;
    };
    await store.applyUserInteractionsLazily('u', [entry('b', 2)], deferred(Float32Array.of(3, 4)));
    // The history is written at once; the vector waits. The history read leaves it pending.
    expect(await store.getFoldInHistories(['u', 'nobody'])).toEqual([
      { userId: 'u', recent: [entry('b', 2).entry, entry('a', 1).entry], dismissed: new Set() },
      null,
    ]);
    expect(seen).toEqual([]);
    const [u] = await store.getUsers(['u']);
    expect(seen).toEqual([[1, 2]]);
    expect([...u!.vector!]).toEqual([3, 4]);
    expect(u!.categoryWeights.get('c')).toBe(2);
    await store.getUsers(['u']);
    await store.getFoldInStates(['u']);
    expect(seen).toHaveLength(1); // once

    // A later lazy write replaces a pending one unread; null keeps the stored vector.
    await store.applyUserInteractionsLazily('u', [entry('c', 3)], deferred(Float32Array.of(5, 6)));
    await store.applyUserInteractionsLazily('u', [entry('d', 4)], deferred(null));
    await store.applyUserInteractionsLazily('u', [entry('e', 5)], undefined); // keeps the pending one
    const [s1] = await store.getFoldInStates(['u']);
    expect(seen).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect([...s1!.vector!]).toEqual([3, 4]);
    expect(s1!.recent.map((e) => e.itemId)).toEqual(['e', 'd', 'c', 'b', 'a']);

    // An explicit vector (or a re-seed) drops a pending one unread.
    await store.applyUserInteractionsLazily('u', [entry('f', 6)], deferred(Float32Array.of(7, 8)));
    await store.applyUserInteractions('u', [entry('g', 7)], Float32Array.of(9, 9));
    await store.applyUserInteractionsLazily('u', [entry('h', 8)], deferred(Float32Array.of(7, 8)));
    await store.applyInteraction('u', entry('i', 9).entry, { categories: [], weight: 1, vector: null });
    const [s2] = await store.getUsers(['u']);
    expect(s2!.vector).toBeNull();
    expect(seen).toHaveLength(2);
    // No write: nothing changes, nothing is left pending.
    await store.applyUserInteractionsLazily('u', [], deferred(Float32Array.of(1, 1)));
    await store.getUsers(['u']);
    expect(seen).toHaveLength(2);
    expect(store.calls).toMatchObject({ applyUserInteractionsLazily: 7, getFoldInHistories: 1 });
  });

  it('rejects a non-positive half-life or history size', () => {
    expect(() => new MemoryFeatureStore({ popularityHalfLifeDays: 0 })).toThrow(RangeError);
    expect(() => new MemoryFeatureStore({ historySize: 0 })).toThrow(RangeError);
    expect(() => new MemoryFeatureStore({ maxRankedLists: 0 })).toThrow(RangeError);
    expect(() => new MemoryFeatureStore({ maxRankedListBytes: 0.5 })).toThrow(RangeError);
  });

  it('paging cache: drops the oldest lists past the list count or the byte budget, keeping the newest', async () => {
    // Lists of one size: ids of one length and the same padding (the ring counts v8.serialize's bytes).
    const list = (id: string, pad = 200) => ({ requestId: id, entries: [id, 'x'.repeat(pad)] });
    const size = serialize(list('a')).length;
    const kept = async (store: MemoryFeatureStore, ids: string[]) =>
      (await Promise.all(ids.map((id) => store.getRankedList(id)))).map((l) =>
        l === null ? null : l.requestId,
      );

    const byCount = new MemoryFeatureStore({ maxRankedLists: 2 });
    for (const id of ['a', 'b', 'c']) await byCount.putRankedList(list(id), 60_000);
    expect(await kept(byCount, ['a', 'b', 'c'])).toEqual([null, 'b', 'c']);
    expect(byCount.rankedListUsage()).toEqual({ lists: 2, bytes: 2 * size });

    const byBytes = new MemoryFeatureStore({ maxRankedListBytes: 2 * size + 10 });
    for (const id of ['a', 'b', 'c']) await byBytes.putRankedList(list(id), 60_000); // c overwrites a
    expect(await kept(byBytes, ['a', 'b', 'c'])).toEqual([null, 'b', 'c']);
    expect(byBytes.rankedListUsage()).toEqual({ lists: 2, bytes: 2 * size });
    expect(await byBytes.getRankedList('b')).toEqual(list('b')); // a decoded copy of what was put
    await byBytes.putRankedList(list('big', 10 * size), 60_000); // larger than the budget: kept alone
    expect(await kept(byBytes, ['b', 'c', 'big'])).toEqual([null, null, 'big']);
    await byBytes.putRankedList(list('d'), 60_000); // the next list drops it
    expect(await kept(byBytes, ['big', 'd'])).toEqual([null, 'd']);
    expect(byBytes.rankedListUsage()).toEqual({ lists: 1, bytes: size });

    let now = 0;
    const expiring = new MemoryFeatureStore({ now: () => now });
    await expiring.putRankedList(list('old'), 1_000);
    now = 2_000;
    expect(await expiring.getRankedList('old')).toBeNull(); // expired on read: its bytes leave the budget
    expect(expiring.rankedListUsage()).toEqual({ lists: 0, bytes: 0 });
  });
});

describe('MemoryFeatureStore maxImpressionsPerUser', () => {
  it('refuses a value that is not an integer ≥ 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => new MemoryFeatureStore({ maxImpressionsPerUser: bad })).toThrow(
        new RangeError(`maxImpressionsPerUser must be an integer ≥ 1, got ${bad}`),
      );
    }
    expect(() => new MemoryFeatureStore({ maxImpressionsPerUser: 1 })).not.toThrow();
  });
});

describe('MemoryFeatureStore maxUsers (RECGATE_MEMORY_MAX_USERS)', () => {
  const seed = (userId: string) => ({
    userId,
    interactionCount: 0,
    recent: [],
    seen: [],
    dismissed: [],
    categoryWeights: {},
    categoryLastSeen: {},
    vector: null,
  });
  const click = (itemId: string) => ({
    entry: { itemId, type: 'CLICK' as const, value: null, timestamp: 1 },
    categories: ['Drama'],
    weight: 1,
  });

  it('counts seeded users; admits the users it holds and new ones up to the limit, refuses the next', async () => {
    const store = new MemoryFeatureStore({ maxUsers: 3 });
    await store.seedUsers([seed('s1'), seed('s2')]);
    expect(store.userCount()).toBe(2);
    const first = store.admitUsers(['s1', 'n1', 'n1']);
    expect([...first.refused]).toEqual([]);
    expect(first.limit).toBe(3);
    // n1 holds the last slot until it is written or released: n2 is refused, the seeded users never.
    expect([...store.admitUsers(['n2', 's2']).refused]).toEqual(['n2']);
    await store.applyUserInteractions('n1', [click('i1')], undefined);
    first.release();
    expect(store.userCount()).toBe(3);
    expect([...store.admitUsers(['n2']).refused]).toEqual(['n2']);
    expect([...store.admitUsers(['n1', 's1']).refused]).toEqual([]);
  });

  it('frees the slot of an admitted user that no write created, at release (once, however often called)', () => {
    const store = new MemoryFeatureStore({ maxUsers: 1 });
    const a = store.admitUsers(['n1']);
    const b = store.admitUsers(['n1']); // the same new user in two calls holds one slot
    expect([...store.admitUsers(['n2']).refused]).toEqual(['n2']);
    a.release();
    a.release();
    expect([...store.admitUsers(['n2']).refused]).toEqual(['n2']); // b still holds n1
    b.release();
    const c = store.admitUsers(['n2']);
    expect([...c.refused]).toEqual([]);
    expect(store.userCount()).toBe(0);
  });

  it('never refuses a write or a seed: a model with more users than the limit loads, and admits no new user', async () => {
    const store = new MemoryFeatureStore({ maxUsers: 1 });
    await store.seedUsers([seed('s1'), seed('s2'), seed('s3')]);
    expect(store.userCount()).toBe(3);
    expect([...store.admitUsers(['n1', 's3']).refused]).toEqual(['n1']);
    await store.applyUserInteractions('replayed', [click('i1')], undefined);
    await store.recordImpressions('shown', ['i1'], 1);
    expect(store.userCount()).toBe(5);
  });

  it('reads of unknown users create no state', async () => {
    const store = new MemoryFeatureStore({ maxUsers: 1 });
    expect(await store.getUsers(['ghost'])).toEqual([null]);
    expect(await store.getFoldInStates(['ghost'])).toEqual([null]);
    expect(await store.getFoldInHistories(['ghost'])).toEqual([null]);
    expect(store.userCount()).toBe(0);
    expect([...store.admitUsers(['n1']).refused]).toEqual([]);
  });

  it('has no limit with 0 (the default) and refuses a limit that is not an integer ≥ 0', () => {
    const store = new MemoryFeatureStore();
    expect(store.admitUsers(Array.from({ length: 1000 }, (_, i) => `u${i}`))).toMatchObject({ limit: 0 });
    expect(store.admitUsers(['x']).refused.size).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new MemoryFeatureStore({ maxUsers: bad })).toThrow(
        new RangeError(`maxUsers must be an integer ≥ 0 (0 = no limit), got ${bad}`),
      );
    }
  });
});
