import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../src/stores/redis/deleteKeysByPrefix.js';
import type { HistoryEntry } from '../../../src/stores/featureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import {
  decodeEntry,
  encodeEntry,
  MGET_CHUNK_KEYS,
  RedisFeatureStore,
} from '../../../src/stores/redis/redisFeatureStore.js';
import { IMPRESSIONS_MIGRATION_MAX_ITEMS } from '../../../src/stores/redis/redisScripts.js';
import { featureStoreContract } from '../../contracts/featureStoreContract.js';
import { plainItem } from '../../support/catalogItems.js';
import { startRedis } from '../../support/redisServers.js';

// Real Redis (CI guarantees one): an unreachable server fails these tests with
// RedisFeatureStore.connect's message, it never skips them.
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Every key of this run starts with it; each store adds its own number. */
const runPrefix = `recgate-test:${randomBytes(6).toString('hex')}:`;
let stores = 0;
const connect = (options: Parameters<typeof RedisFeatureStore.connect>[0] = {}) =>
  RedisFeatureStore.connect({ url, prefix: `${runPrefix}${++stores}:`, ...options });

afterAll(async () => {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    await deleteKeysByPrefix(redis, runPrefix);
  } finally {
    redis.disconnect();
  }
});

featureStoreContract('redis', async (clock, options) => connect({ now: clock.now, ...options }));

describe('RedisFeatureStore', () => {
  let store: RedisFeatureStore;
  beforeAll(async () => {
    store = await connect();
    return async () => store.close();
  });

  it('reads 50 users in one round trip', async () => {
    const ids = Array.from({ length: 50 }, (_, k) => `u${k}`);
    for (const id of ids.slice(0, 25)) {
      await store.applyInteraction(
        id,
        { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
        { categories: ['x'], weight: 1 },
      );
    }
    store.resetCalls();
    const users = await store.getUsers(ids);
    expect(store.roundTrips).toBe(1);
    expect(users.filter((u) => u !== null).length).toBe(25);
  });

  it('reads items and item counters with one round trip each', async () => {
    await store.upsertItems([
      { id: 'a', title: null, categories: [], attributes: {}, createdAt: null, available: true },
    ]);
    await store.incrementItemCounters('a', 1, Date.now());
    store.resetCalls();
    await store.getItems(['a', 'b', 'c']);
    expect(store.roundTrips).toBe(1);
    await store.getItemCounters(['a', 'b', 'c']);
    expect(store.roundTrips).toBe(2);
  });

  it('reads the counters and items of a 1M-id list in MGETs of MGET_CHUNK_KEYS (one MGET of 1M keys overflowed the stack)', async () => {
    const n = 1_000_000;
    const ids = Array.from({ length: n }, (_, i) => `big${i}`);
    // Items with counters at both edges of every chunk border the list crosses first and last.
    const stored = [0, MGET_CHUNK_KEYS - 1, MGET_CHUNK_KEYS, 2 * MGET_CHUNK_KEYS, n - 1];
    await store.upsertItems(stored.map((i) => plainItem(ids[i]!, `t${i}`)));
    for (const [k, i] of stored.entries()) await store.incrementItemCounters(ids[i]!, k + 1, Date.now());
    store.resetCalls();
    const counters = await store.getItemCounters(ids);
    expect(store.roundTrips).toBe(n / MGET_CHUNK_KEYS);
    expect(counters).toHaveLength(n);
    const found = counters.flatMap((c, i) => (c === null ? [] : [i]));
    expect(found).toEqual(stored);
    // The k-th stored item got weight k + 1 moments ago: its popularity is that weight, barely decayed.
    for (const [k, i] of stored.entries()) expect(counters[i]!.popularity).toBeCloseTo(k + 1, 3);
    const items = await store.getItems(ids);
    expect(items).toHaveLength(n);
    expect(items.flatMap((item, i) => (item === null ? [] : [[i, item.title]]))).toEqual(
      stored.map((i) => [i, `t${i}`]),
    );
  });

  it('upserts 150,000 items and their counters in one call each (one SADD of 150,000 ids overflowed the stack)', async ({
    onTestFinished,
  }) => {
    const big = await connect();
    onTestFinished(() => big.close());
    const n = 150_000;
    const now = Date.now();
    const items = Array.from({ length: n }, (_, i) => plainItem(`u${i}`, `t${i}`));
    await big.upsertItems(items);
    await big.putItemCounters(
      items.map((item, i) => ({ itemId: item.id, counters: { popularity: i, trend: 1, updatedAt: now } })),
    );
    expect((await big.listItemIds()).length).toBe(n);
    const probe = [0, MGET_CHUNK_KEYS - 1, MGET_CHUNK_KEYS, n - 1];
    expect((await big.getItems(probe.map((i) => `u${i}`))).map((item) => item?.title)).toEqual(
      probe.map((i) => `t${i}`),
    );
    const counters = await big.getItemCounters(probe.map((i) => `u${i}`));
    // Written moments ago: popularity i, barely decayed.
    for (const [j, i] of probe.entries()) expect(counters[j]!.popularity).toBeCloseTo(i, -1);
  });

  it('seeds a user who interacted with 150,000 items (one SADD of 150,000 ids overflowed the stack)', async ({
    onTestFinished,
  }) => {
    const s = await connect();
    onTestFinished(() => s.close());
    const n = 150_000;
    const seen = Array.from({ length: n }, (_, i) => `s${i}`);
    const dismissed = Array.from({ length: n }, (_, i) => `d${i}`);
    await s.seedUsers([
      {
        userId: 'heavy',
        interactionCount: 2 * n,
        recent: [],
        seen,
        dismissed,
        categoryWeights: {},
        categoryLastSeen: {},
        vector: null,
      },
    ]);
    const [user] = await s.getUsers(['heavy']);
    expect(user!.seen.size).toBe(n);
    expect(user!.dismissed.size).toBe(n);
    for (const i of [0, MGET_CHUNK_KEYS - 1, MGET_CHUNK_KEYS, n - 1]) {
      expect(user!.seen.has(`s${i}`)).toBe(true);
      expect(user!.dismissed.has(`d${i}`)).toBe(true);
    }
  });

  it('lists an item that a replica of the previous version added (SADD without the mark) during a rolling upgrade', async ({
    onTestFinished,
  }) => {
    const prefix = `${runPrefix}${++stores}:`;
    const a = await RedisFeatureStore.connect({ url, prefix });
    const raw = new Redis(url);
    onTestFinished(async () => {
      await a.close();
      raw.disconnect();
    });
    await a.upsertItems([plainItem('x'), plainItem('y')]);
    const first = await a.listItemIds();
    expect([...first].sort()).toEqual(['x', 'y']);
    // What upsertItems of the version before the mark sent: the item's SET and the SADD, no mark.
    await raw.set(`${prefix}{items}:item:old`, JSON.stringify(plainItem('old')));
    await raw.sadd(`${prefix}{items}:ids`, 'old');
    expect([...(await a.listItemIds())].sort()).toEqual(['old', 'x', 'y']);
    // Still one round trip while nothing changed.
    const second = await a.listItemIds();
    a.resetCalls();
    expect(await a.listItemIds()).toBe(second);
    expect(a.roundTrips).toBe(1);
  });

  it('lists item ids again only when the catalog changed, on this replica or another (one GET otherwise)', async ({
    onTestFinished,
  }) => {
    const prefix = `${runPrefix}${++stores}:`;
    const a = await RedisFeatureStore.connect({ url, prefix });
    const b = await RedisFeatureStore.connect({ url, prefix });
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    await a.upsertItems([plainItem('x'), plainItem('y')]);
    const first = await a.listItemIds();
    expect([...first].sort()).toEqual(['x', 'y']);
    a.resetCalls();
    expect(await a.listItemIds()).toBe(first);
    expect(a.roundTrips).toBe(1);
    // Another replica adds an item: the mark changes, and this replica reads the members again.
    await b.upsertItems([plainItem('z')]);
    a.resetCalls();
    const second = await a.listItemIds();
    expect([...second].sort()).toEqual(['x', 'y', 'z']);
    expect(a.roundTrips).toBe(2);
    expect(await a.listItemIds()).toBe(second);
    // Redis lost its data (no mark, no members): nothing cached is answered.
    const raw = new Redis(url);
    onTestFinished(() => raw.disconnect());
    await deleteKeysByPrefix(raw, prefix);
    expect(await a.listItemIds()).toEqual([]);
    await a.upsertItems([plainItem('w')]);
    expect(await a.listItemIds()).toEqual(['w']);
  });

  it('round-trips a vector bit for bit (stored as float32 bytes)', async () => {
    const v = Float32Array.from([Math.PI, -0, 1e-38, 3.4e38, -1 / 3, 0, 0.1]);
    v[5] = new Float32Array(new Uint32Array([1]).buffer)[0]!; // the smallest subnormal
    await store.applyInteraction(
      'vec',
      { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
      { categories: [], weight: 1, vector: v },
    );
    const [u] = await store.getUsers(['vec']);
    expect(Buffer.from(u!.vector!.buffer)).toEqual(Buffer.from(v.buffer));
    const raw = await store.redis.getBuffer(`${store.prefix}{u:vec}:vec`);
    expect(raw!.length).toBe(4 * v.length);
  });

  it('expires user keys after ttlSeconds when configured', async () => {
    const ttl = await connect({ ttlSeconds: 60 });
    try {
      await ttl.recordImpressions('t', ['a'], 1);
      const ms = await ttl.redis.pttl(`${ttl.prefix}{u:t}:imp`);
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(60_000);
    } finally {
      await ttl.close();
    }
  });

  it('refreshes the TTL of every user key an interaction writes, the vector included (one script)', async () => {
    const ttl = await connect({ ttlSeconds: 60 });
    try {
      await ttl.applyInteraction(
        't2',
        { itemId: 'a', type: 'LIKE', value: null, timestamp: 5 },
        { categories: ['drama', 'drama'], weight: 1, vector: Float32Array.of(1, 2) },
      );
      expect(ttl.roundTrips).toBe(1);
      for (const suffix of ['meta', 'hist', 'seen', 'cat', 'catAt', 'vec']) {
        const ms = await ttl.redis.pttl(`${ttl.prefix}{u:t2}:${suffix}`);
        expect([suffix, ms > 0 && ms <= 60_000]).toEqual([suffix, true]);
      }
      const [u] = await ttl.getUsers(['t2']);
      expect(Object.fromEntries(u!.categoryWeights)).toEqual({ drama: 1 });
      expect(Object.fromEntries(u!.categoryLastSeen)).toEqual({ drama: 5 });
      expect(Array.from(u!.vector!)).toEqual([1, 2]);
    } finally {
      await ttl.close();
    }
  });

  it('keeps the item family under the one hash tag {items} (Cluster-ready MGETs)', async () => {
    await store.upsertItems([
      { id: 'tagged', title: null, categories: [], attributes: {}, createdAt: null, available: true },
    ]);
    await store.incrementItemCounters('tagged', 1, Date.now());
    expect(await store.redis.get(`${store.prefix}{items}:item:tagged`)).toContain('"id":"tagged"');
    expect((await store.redis.getBuffer(`${store.prefix}{items}:ctr:tagged`))!.length).toBe(24);
    expect(await store.redis.sismember(`${store.prefix}{items}:ids`, 'tagged')).toBe(1);
  });

  it('marks a seeding with a token only while that token is stored (a loss during seeding leaves no mark)', async () => {
    expect(await store.seededVersion()).toBeNull();
    const token = await store.beginSeeding();
    expect(await store.redis.get(`${store.prefix}{meta}:seeding`)).toBe(token);
    // What a FLUSHALL during the seeding does to the token (this store's keys only: the server is shared).
    await store.redis.del(`${store.prefix}{meta}:seeding`);
    expect(await store.markSeeded('v1', token)).toBe(false);
    expect(await store.seededVersion()).toBeNull();
    const second = await store.beginSeeding();
    expect(second).not.toBe(token);
    expect(await store.markSeeded('v1', token)).toBe(false); // a stale token
    expect(await store.markSeeded('v1', second)).toBe(true);
    expect(await store.seededVersion()).toBe('v1');
    expect(await store.redis.exists(`${store.prefix}{meta}:seeding`)).toBe(0);
    expect(await store.markSeeded('v2')).toBe(true); // without a token: unconditional
    expect(await store.seededVersion()).toBe('v2');
  });

  it('deleteUserStates deletes every user key of its prefix but the impressions, and nothing else', async () => {
    const own = await connect();
    const other = await connect();
    try {
      own.setVectorVersion('v1');
      const ids = Array.from({ length: 40 }, (_, k) => `del${k}`);
      for (const id of ids) {
        await own.applyInteraction(
          id,
          { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
          { categories: ['x'], weight: 1, vector: Float32Array.from([1, 2]) },
        );
      }
      await own.recordImpressions('del0', ['a', 'b'], 5);
      await own.upsertItems([
        { id: 'a', title: null, categories: ['x'], attributes: {}, createdAt: null, available: true },
      ]);
      await own.putRankedList({ requestId: 'r1', entries: ['a'] }, 60_000);
      await own.markSeeded('v1');
      await own.redis.set(`${own.prefix}events`, 'a stream would live here');
      await other.applyInteraction(
        'del0',
        { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
        { categories: ['x'], weight: 1 },
      );

      const userKeys = await own.redis.keys(`${own.prefix}{u:*`);
      expect(userKeys).toContain(`${own.prefix}{u:del39}:vec:v1`);
      expect(await own.deleteUserStates()).toBe(userKeys.length - 2);
      expect(await own.getUsers(ids)).toEqual(ids.map(() => null));
      expect(await own.redis.keys(`${own.prefix}{u:*`)).toEqual(
        expect.arrayContaining([`${own.prefix}{u:del0}:imp`, `${own.prefix}{u:del0}:impAt`]),
      );
      expect(await own.redis.keys(`${own.prefix}{u:*`)).toHaveLength(2);
      expect((await own.getItems(['a']))[0]?.id).toBe('a');
      expect(await own.getRankedList('r1')).not.toBeNull();
      expect(await own.seededVersion()).toBe('v1');
      expect(await own.redis.get(`${own.prefix}events`)).toBe('a stream would live here');
      expect((await other.getUsers(['del0']))[0]?.interactionCount).toBe(1);
    } finally {
      await Promise.all([own.close(), other.close()]);
    }
  });

  it('fails with a clear message naming the URL when Redis is unreachable', async () => {
    await expect(
      RedisFeatureStore.connect({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 }),
    ).rejects.toThrow(/^cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});

describe('RedisFeatureStore batch writes (issue #6)', () => {
  it('applyUserInteractions leaves the state of one applyInteraction per write, in order, in one round trip', async () => {
    const single = await connect({ historySize: 3, now: () => 5_000 });
    const batched = await connect({ historySize: 3, now: () => 5_000 });
    try {
      const writes = [
        {
          entry: { itemId: 'a', type: 'CLICK', value: null, timestamp: 100 },
          categories: ['x', 'y', 'x'],
          weight: 1,
        },
        { entry: { itemId: 'b', type: 'LIKE', value: null, timestamp: 50 }, categories: ['y'], weight: 1 },
        {
          entry: { itemId: 'a', type: 'DISMISS', value: null, timestamp: 300 },
          categories: ['x'],
          weight: 0,
        },
        { entry: { itemId: 'c', type: 'RATING', value: 9, timestamp: 200 }, categories: ['z'], weight: 1 },
        { entry: { itemId: 'd', type: 'VIEW', value: null, timestamp: 400 }, categories: [], weight: 1 },
      ] as const;
      const vector = Float32Array.of(0.25, -1.5, 3);
      for (const [k, w] of writes.entries()) {
        await single.applyInteraction('u', w.entry, {
          categories: w.categories,
          weight: w.weight,
          ...(k === writes.length - 1 ? { vector } : {}),
        });
      }
      batched.resetCalls();
      await batched.applyUserInteractions('u', writes, vector);
      expect(batched.roundTrips).toBe(1);
      const [a] = await single.getUsers(['u']);
      const [b] = await batched.getUsers(['u']);
      expect(b).toEqual(a);
      expect(b!.recent.map((e) => e.itemId)).toEqual(['d', 'a', 'c']);
      expect(Array.from(b!.vector!)).toEqual([0.25, -1.5, 3]);
      // undefined keeps the vector, null deletes it.
      await batched.applyUserInteractions('u', writes.slice(0, 1), undefined);
      expect((await batched.getUsers(['u']))[0]!.vector).not.toBeNull();
      await batched.applyUserInteractions('u', writes.slice(0, 1), null);
      expect((await batched.getUsers(['u']))[0]!.vector).toBeNull();
    } finally {
      await single.close();
      await batched.close();
    }
  });

  it('applies a batch split over several scripts after the server lost its script cache (SCRIPT FLUSH: NOSCRIPT inside the MULTI failed it every time)', async ({
    onTestFinished,
  }) => {
    // A private server: SCRIPT FLUSH on the shared one would hit every other test's scripts.
    const server = await startRedis();
    onTestFinished(() => server.stop());
    const s = await RedisFeatureStore.connect({ url: server.url, prefix: 'flush:' });
    onTestFinished(() => s.close());
    const categories = Array.from({ length: 100 }, (_, c) => `c${c}`);
    const writes = (user: string) =>
      Array.from({ length: 200 }, (_, i) => ({
        entry: { itemId: `${user}${i}`, type: 'CLICK', value: null, timestamp: 1000 + i } as const,
        categories,
        weight: 1,
      }));
    // The script is sent (EVAL) once on this connection; ioredis sends EVALSHA from then on.
    await s.applyUserInteractions('warm', writes('w'), undefined);
    await s.redis.script('FLUSH');
    s.resetCalls();
    await s.applyUserInteractions('after', writes('a'), Float32Array.of(3));
    const [u] = await s.getUsers(['after']);
    expect(u!.interactionCount).toBe(200);
    expect(u!.seen.size).toBe(200);
    expect(u!.categoryWeights.get('c99')).toBe(200);
    expect(Array.from(u!.vector!)).toEqual([3]);
    // Applied once: the MULTI that failed wrote nothing.
    await s.applyUserInteractions('after', writes('b'), undefined);
    const [v] = await s.getUsers(['after']);
    expect(v!.interactionCount).toBe(400);
  });

  it('records impressions after the server lost its script cache (SCRIPT FLUSH: NOSCRIPT inside the MULTI failed every call until a reconnect)', async ({
    onTestFinished,
  }) => {
    const server = await startRedis(); // private: SCRIPT FLUSH on the shared one would hit every test
    onTestFinished(() => server.stop());
    const s = await RedisFeatureStore.connect({ url: server.url, prefix: 'flush:' });
    onTestFinished(() => s.close());
    await s.recordImpressions('u', ['a'], 1000); // the script is sent once; EVALSHA from then on
    await s.redis.script('FLUSH');
    await s.recordImpressions('u', ['b'], 2000);
    await s.recordImpressions('u', ['b', 'c'], 3000);
    const [u] = await s.getUsers(['u']);
    expect([...u!.impressions].sort()).toEqual([
      ['a', { count: 1, lastAt: 1000 }],
      ['b', { count: 2, lastAt: 3000 }],
      ['c', { count: 1, lastAt: 3000 }],
    ]);
  });

  it('applies 1,000 events of one user on items of 100 categories in one round trip (one script of ~106,000 arguments overflowed the stack)', async ({
    onTestFinished,
  }) => {
    const s = await connect();
    onTestFinished(() => s.close());
    // The API's caps: 1,000 events per recordFeedbackBatch, 100 categories per item.
    const categories = Array.from({ length: 100 }, (_, c) => `c${c}`);
    const writes = Array.from({ length: 1000 }, (_, i) => {
      const dismiss = i % 10 === 0;
      return {
        entry: { itemId: `i${i}`, type: dismiss ? 'DISMISS' : 'CLICK', value: null, timestamp: 1000 + i },
        categories,
        weight: dismiss ? 0 : 1,
      } as const;
    });
    s.resetCalls();
    await s.applyUserInteractions('heavy', writes, Float32Array.of(1, 2));
    expect(s.roundTrips).toBe(1);
    const [u] = await s.getUsers(['heavy']);
    expect(u!.interactionCount).toBe(900);
    expect(u!.seen.size).toBe(1000);
    expect(u!.dismissed.size).toBe(100);
    expect(u!.recent.map((e) => e.itemId)).toEqual(Array.from({ length: 50 }, (_, k) => `i${999 - k}`));
    for (const c of categories) {
      expect(u!.categoryWeights.get(c)).toBe(900);
      expect(u!.categoryLastSeen.get(c)).toBe(1999);
    }
    expect(Array.from(u!.vector!)).toEqual([1, 2]);
  });

  it('incrementItemCountersBatch equals one incrementItemCounters per increment, in order, in one round trip', async () => {
    const single = await connect({ now: () => 10 * 86_400_000 });
    const batched = await connect({ now: () => 10 * 86_400_000 });
    try {
      const increments = [
        { itemId: 'a', weight: 1, at: 2 * 86_400_000 },
        { itemId: 'b', weight: 3, at: 3 * 86_400_000 },
        { itemId: 'a', weight: 2, at: 86_400_000 }, // older than the stored time: decayed into it
        { itemId: 'a', weight: 0.5, at: 5 * 86_400_000 },
      ];
      for (const i of increments) await single.incrementItemCounters(i.itemId, i.weight, i.at);
      batched.resetCalls();
      await batched.incrementItemCountersBatch(increments);
      expect(batched.roundTrips).toBe(1);
      expect(await batched.getItemCounters(['a', 'b', 'c'])).toEqual(
        await single.getItemCounters(['a', 'b', 'c']),
      );
      await expect(batched.incrementItemCountersBatch([{ itemId: 'a', weight: NaN, at: 1 }])).rejects.toThrow(
        RangeError,
      );
    } finally {
      await single.close();
      await batched.close();
    }
  });
});

describe('RedisFeatureStore write coalescing (issue #6)', () => {
  it('sends the interaction scripts of one tick in one socket write, each with its own reply, in call order', async () => {
    const store = await connect({ historySize: 5 });
    try {
      // 'bad' has a string where its seen set belongs: its script fails with WRONGTYPE.
      await store.redis.set(`${store.prefix}{u:bad}:seen`, 'x');
      const socket = (store.redis as Redis).stream as unknown as {
        _write: (...a: unknown[]) => void;
        _writev: (...a: unknown[]) => void;
      };
      const writes = { single: 0, vectored: 0 };
      const [write, writev] = [socket._write, socket._writev];
      socket._write = function (...a: unknown[]) {
        writes.single++;
        return write.apply(this, a);
      };
      socket._writev = function (...a: unknown[]) {
        writes.vectored++;
        return writev.apply(this, a);
      };
      const click = (itemId: string, timestamp: number) => ({
        entry: { itemId, type: 'CLICK' as const, value: null, timestamp },
        categories: ['c'],
        weight: 1,
      });
      let calls: Promise<void>[];
      try {
        calls = [
          ...Array.from({ length: 20 }, (_, k) =>
            store.applyUserInteractions(`u${k}`, [click('a', k)], undefined),
          ),
          store.applyUserInteractions('same', [click('first', 10)], Float32Array.of(1)),
          store.applyUserInteractions('bad', [click('a', 1)], undefined),
          store.applyUserInteractions('same', [click('second', 10)], Float32Array.of(2)),
        ];
        const settled = await Promise.allSettled(calls);
        expect(writes.single + writes.vectored).toBe(1);
        expect(settled.map((r) => r.status)).toEqual([
          ...Array(21).fill('fulfilled'),
          'rejected',
          'fulfilled',
        ]);
        expect(String((settled[21] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
      } finally {
        socket._write = write;
        socket._writev = writev;
      }
      const [same, u19] = await store.getUsers(['same', 'u19']);
      // Equal timestamps: the later call's entry comes first; the later vector wins.
      expect(same!.recent.map((e) => e.itemId)).toEqual(['second', 'first']);
      expect(Array.from(same!.vector!)).toEqual([2]);
      expect(same!.interactionCount).toBe(2);
      expect(u19!.recent).toEqual([{ itemId: 'a', type: 'CLICK', value: null, timestamp: 19 }]);
      // Calls in later ticks still work.
      await store.applyUserInteractions('same', [click('third', 11)], undefined);
      expect((await store.getUsers(['same']))[0]!.recent[0]!.itemId).toBe('third');
    } finally {
      await store.close();
    }
  });

  it('inserts history entries in the order the memory store keeps them (newest-first fast path and ordered insert)', async () => {
    const redis = await connect({ historySize: 6 });
    const memory = new MemoryFeatureStore({ historySize: 6 });
    try {
      // Newer, equal, older than the head, older than every entry, into an empty and a full list.
      const stamps = [5, 5, 7, 3, 7, 1, 9, 6, 6, 2, 10, 4, 10, 0, 8];
      for (const [k, timestamp] of stamps.entries()) {
        const entry = { itemId: `i${k}`, type: 'CLICK' as const, value: k % 2 ? 1.5 : null, timestamp };
        await redis.applyUserInteractions('u', [{ entry, categories: [], weight: 1 }], undefined);
        await memory.applyInteraction('u', entry, { categories: [], weight: 1 });
        const [[r], [m]] = [await redis.getUsers(['u']), await memory.getUsers(['u'])];
        expect(r!.recent).toEqual(m!.recent);
      }
      // Several entries in one script: the same order too.
      const many = stamps.map((timestamp, k) => ({
        entry: { itemId: `j${k}`, type: 'VIEW' as const, value: k, timestamp: timestamp + 5 },
        categories: [],
        weight: 1,
      }));
      await redis.applyUserInteractions('v', many, undefined);
      for (const w of many) await memory.applyInteraction('v', w.entry, { categories: [], weight: 1 });
      expect((await redis.getUsers(['v']))[0]!.recent).toEqual((await memory.getUsers(['v']))[0]!.recent);
    } finally {
      await redis.close();
    }
  });
});

describe('decodeEntry', () => {
  /** The reference decoding: JSON.parse of the part after the timestamp. */
  const viaJson = (s: string): HistoryEntry => {
    const sep = s.indexOf(':');
    const [itemId, type, value] = JSON.parse(s.slice(sep + 1)) as [
      string,
      HistoryEntry['type'],
      number | null,
    ];
    return { itemId, type, value, timestamp: Number(s.slice(0, sep)) };
  };

  it('decodes what encodeEntry writes, as JSON.parse would, for plain and awkward ids and values', () => {
    const ids = [
      'm1',
      '',
      'a:b',
      'say "hi"',
      'back\\slash',
      'tab\there',
      '","',
      '["x"]',
      'ünï 🎬',
      '\u2028',
      'x,1]',
    ];
    const values = [null, 0, -0, 3, -2.5, 1e21, 1.5e-7, 123456.789, Number.MAX_VALUE, NaN, Infinity];
    for (const itemId of ids) {
      for (const value of values) {
        const entry: HistoryEntry = { itemId, type: 'RATING', value, timestamp: 1_700_000_000_123 };
        const s = encodeEntry(entry);
        expect(decodeEntry(s)).toEqual(viaJson(s));
        expect(decodeEntry(s).itemId).toBe(itemId);
      }
    }
  });

  it('falls back to JSON.parse for shapes it does not know, and throws on a malformed entry', () => {
    expect(decodeEntry('5:["a","CLICK",1.0]')).toEqual({
      itemId: 'a',
      type: 'CLICK',
      value: 1,
      timestamp: 5,
    });
    expect(decodeEntry('5:[ "a","CLICK",null]')).toEqual({
      itemId: 'a',
      type: 'CLICK',
      value: null,
      timestamp: 5,
    });
    expect(decodeEntry('5:["a","CLICK",2E3]')).toEqual(viaJson('5:["a","CLICK",2E3]'));
    expect(() => decodeEntry('5:["a","CLICK",0x10]')).toThrow(SyntaxError);
    expect(() => decodeEntry('5:["a","CLICK",]')).toThrow(SyntaxError);
    expect(() => decodeEntry('5:not json')).toThrow(SyntaxError);
  });
});

describe('RedisFeatureStore.setVectorVersion', () => {
  it('keeps user vectors of each model version apart; other state is shared', async () => {
    const store = await connect();
    try {
      const entry = { itemId: 'a', type: 'CLICK' as const, value: null, timestamp: 1 };
      store.setVectorVersion('v1');
      await store.applyInteraction('u', entry, {
        categories: [],
        weight: 1,
        vector: Float32Array.from([1, 2]),
      });
      store.setVectorVersion('v2');
      const [underV2] = await store.getUsers(['u']);
      expect(underV2?.vector).toBeNull();
      expect(underV2?.interactionCount).toBe(1);
      await store.applyInteraction(
        'u',
        { ...entry, timestamp: 2 },
        { categories: [], weight: 1, vector: Float32Array.from([3, 4]) },
      );
      expect(Array.from((await store.getUsers(['u']))[0]!.vector!)).toEqual([3, 4]);
      store.setVectorVersion('v1');
      expect(Array.from((await store.getUsers(['u']))[0]!.vector!)).toEqual([1, 2]);
      expect(() => store.setVectorVersion('')).toThrow(RangeError);
    } finally {
      await store.close();
    }
  });
});

describe('RedisFeatureStore impressions kept per user (P{u:<id>}:imp and :impAt)', () => {
  const T = Date.UTC(2024, 0, 1);

  it('refuses a maxImpressionsPerUser that is not an integer ≥ 1, before connecting', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(connect({ maxImpressionsPerUser: bad })).rejects.toThrow(
        new RangeError(`maxImpressionsPerUser must be an integer ≥ 1, got ${bad}`),
      );
    }
  });

  it('keeps :impAt, a sorted set of the kept items scored by lastAt, beside the hash', async ({
    onTestFinished,
  }) => {
    const s = await connect({ maxImpressionsPerUser: 2 });
    onTestFinished(() => s.close());
    await s.recordImpressions('z', ['a', 'b'], T + 1);
    await s.recordImpressions('z', ['c'], T + 2);
    expect(await s.redis.zrange(`${s.prefix}{u:z}:impAt`, 0, -1, 'WITHSCORES')).toEqual([
      'b',
      String(T + 1),
      'c',
      String(T + 2),
    ]);
    expect(await s.redis.hgetall(`${s.prefix}{u:z}:imp`)).toEqual({ b: `1:${T + 1}`, c: `1:${T + 2}` });
  });

  it('caps a user written by the previous version (hash only, no :impAt) at the next write, keeping the latest', async ({
    onTestFinished,
  }) => {
    const s = await connect({ maxImpressionsPerUser: 3 });
    onTestFinished(() => s.close());
    const k = `${s.prefix}{u:old}`;
    // What the previous version left: the meta hash and an impressions hash of 6 items, no sorted set.
    await s.redis.hset(`${k}:meta`, 'n', 2);
    await s.redis.hset(`${k}:imp`, {
      a: `4:${T + 10}`,
      b: `1:${T + 60}`,
      c: `2:${T + 30}`,
      d: `1:${T + 50}`,
      e: `7:${T + 20}`,
      f: `1:${T + 40}`,
    });
    await s.recordImpressions('old', ['g'], T + 70);
    const [u] = await s.getUsers(['old']);
    expect(Object.fromEntries(u!.impressions)).toEqual({
      b: { count: 1, lastAt: T + 60 },
      d: { count: 1, lastAt: T + 50 },
      g: { count: 1, lastAt: T + 70 },
    });
    expect(await s.redis.zrange(`${k}:impAt`, 0, -1)).toEqual(['d', 'b', 'g']);
    expect(u!.interactionCount).toBe(2);
  });

  it('migrates a hash of IMPRESSIONS_MIGRATION_MAX_ITEMS (5,000) items in one call (Lua unpack in chunks)', async ({
    onTestFinished,
  }) => {
    const s = await connect({ maxImpressionsPerUser: 5 });
    onTestFinished(() => s.close());
    const k = `${s.prefix}{u:big}`;
    const n = IMPRESSIONS_MIGRATION_MAX_ITEMS;
    const fields: Record<string, string> = {};
    for (let i = 0; i < n; i++) fields[`i${i}`] = `1:${T + i}`;
    await s.redis.hset(`${k}:imp`, fields);
    await s.recordImpressions('big', ['i0'], T + n); // the oldest one, shown again
    expect(await s.redis.hlen(`${k}:imp`)).toBe(5);
    const last = [n - 4, n - 3, n - 2, n - 1].map((i) => `i${i}`);
    expect(await s.redis.zrange(`${k}:impAt`, 0, -1)).toEqual([...last, 'i0']);
    const [u] = await s.getUsers(['big']);
    expect(u!.impressions.get('i0')).toEqual({ count: 2, lastAt: T + n });
  });

  it('drops an old hash larger than IMPRESSIONS_MIGRATION_MAX_ITEMS instead of migrating it: the user starts afresh', async ({
    onTestFinished,
  }) => {
    const s = await connect({ maxImpressionsPerUser: 5 });
    onTestFinished(() => s.close());
    const k = `${s.prefix}{u:huge}`;
    const n = IMPRESSIONS_MIGRATION_MAX_ITEMS + 1;
    const fields: Record<string, string> = {};
    for (let i = 0; i < n; i++) fields[`i${i}`] = `3:${T + i}`;
    await s.redis.hset(`${k}:imp`, fields);
    await s.recordImpressions('huge', ['i7', 'new'], T + n);
    // Rebuilding a hash that size would block Redis for its whole length: only the call's items remain.
    expect(await s.redis.hgetall(`${k}:imp`)).toEqual({ i7: `1:${T + n}`, new: `1:${T + n}` });
    expect(await s.redis.zrange(`${k}:impAt`, 0, -1)).toEqual(['i7', 'new']);
    // A later call on the now consistent keys counts and caps as usual.
    await s.recordImpressions('huge', ['i7'], T + n + 1);
    const [u] = await s.getUsers(['huge']);
    expect(Object.fromEntries(u!.impressions)).toEqual({
      i7: { count: 2, lastAt: T + n + 1 },
      new: { count: 1, lastAt: T + n },
    });
  });

  it('gives :impAt the TTL of the other user keys, and an interaction refreshes it', async ({
    onTestFinished,
  }) => {
    const s = await connect({ ttlSeconds: 60 });
    onTestFinished(() => s.close());
    const key = `${s.prefix}{u:t3}:impAt`;
    await s.recordImpressions('t3', ['a'], T);
    const ms = await s.redis.pttl(key);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(60_000);
    await s.redis.persist(key);
    await s.applyInteraction(
      't3',
      { itemId: 'b', type: 'CLICK', value: null, timestamp: T },
      {
        categories: [],
        weight: 1,
      },
    );
    const refreshed = await s.redis.pttl(key);
    expect(refreshed).toBeGreaterThan(0);
    expect(refreshed).toBeLessThanOrEqual(60_000);
  });

  it('seedUsers deletes :impAt with the rest of the user', async ({ onTestFinished }) => {
    const s = await connect();
    onTestFinished(() => s.close());
    await s.recordImpressions('seeded', ['a', 'b'], T);
    await s.seedUsers([
      {
        userId: 'seeded',
        interactionCount: 0,
        recent: [],
        seen: [],
        dismissed: [],
        categoryWeights: {},
        categoryLastSeen: {},
        vector: null,
      },
    ]);
    expect(await s.redis.exists(`${s.prefix}{u:seeded}:imp`, `${s.prefix}{u:seeded}:impAt`)).toBe(0);
    await s.recordImpressions('seeded', ['c'], T + 1);
    expect(await s.redis.zrange(`${s.prefix}{u:seeded}:impAt`, 0, -1)).toEqual(['c']);
  });
});
