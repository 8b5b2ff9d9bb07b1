import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserStateRecord } from '../../models/registry/publishVersion.js';
import { loadServedModel } from '../../src/inference/loadServedModel.js';
import { CHECK_CHUNK_RECORDS, checkUserStates, readUserStates } from '../../src/inference/readUserStates.js';
import type { ServedModel } from '../../src/inference/servedModel.js';
import { FileModelRegistry } from '../../src/stores/file/fileModelRegistry.js';
import { MemoryFeatureStore } from '../../src/stores/memory/memoryFeatureStore.js';
import { deleteKeysByPrefix } from '../../src/stores/redis/deleteKeysByPrefix.js';
import { RedisFeatureStore } from '../../src/stores/redis/redisFeatureStore.js';
import {
  SEED_CHUNK_ITEMS,
  SHARED_SEED_CHUNK_USERS,
  seedFeatureStore,
} from '../../src/stores/seedFeatureStore.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';
import { loopTurns } from '../support/loopTurns.js';

// Real Redis (REDIS_URL; CI guarantees one), private key prefix deleted afterwards.
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `recgate-test:${randomBytes(6).toString('hex')}:`;

/** Adds `n` to `perTurn`'s entry for `turn`. */
function add(perTurn: Map<number, number>, turn: number, n: number): void {
  perTurn.set(turn, (perTurn.get(turn) ?? 0) + n);
}

/** The records of `records`, each counted in `perTurn` under the turn it was read in. */
function* counted<T>(records: Iterable<T>, turn: () => number, perTurn: Map<number, number>): Generator<T> {
  for (const record of records) {
    add(perTurn, turn(), 1);
    yield record;
  }
}

/**
 * A re-seed of an emptied Redis runs inside a serving gateway (attack report:
 * `/healthz` answered in up to 586 ms, recommendations fell to 4–16 req/s):
 * the seed must parse, write and handle the replies of a bounded number of
 * users and items per event-loop turn, whatever the model's size. The
 * trained registry (the bundled data: ~16,500 users, ~10,500 items) is larger
 * than every chunk, so one unsliced step shows as a turn with more.
 */
describe('seeding the Redis feature store in slices (re-seed under load)', () => {
  let dir: string;
  let registry: FileModelRegistry;
  let version: string;
  let model: ServedModel;
  let store: RedisFeatureStore;

  beforeAll(async () => {
    dir = await trainedRegistry();
    registry = new FileModelRegistry({ dir, modelName: TEST_MODEL_NAME });
    version = (await registry.currentVersion())!;
    model = await loadServedModel(registry, version);
    store = await RedisFeatureStore.connect({ url, prefix });
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await model?.close();
    const redis = new Redis(url, { lazyConnect: true });
    try {
      await redis.connect();
      await deleteKeysByPrefix(redis, prefix);
    } finally {
      redis.disconnect();
    }
  });

  it('writes at most one chunk of users or items per event-loop turn, and all of them', async () => {
    const records = [...(await readUserStates(registry, version))];
    expect(records.length).toBeGreaterThan(10 * SHARED_SEED_CHUNK_USERS);
    expect(model.catalog.size).toBeGreaterThan(5 * SEED_CHUNK_ITEMS);

    const loop = loopTurns();
    const read = new Map<number, number>();
    const users = new Map<number, number>();
    const items = new Map<number, number>();
    const counters = new Map<number, number>();
    // The real store, its bulk writes tagged with the turn they were called in.
    const seedUsers = store.seedUsers.bind(store);
    const upsertItems = store.upsertItems.bind(store);
    const putItemCounters = store.putItemCounters.bind(store);
    const tagged = Object.assign(Object.create(store) as RedisFeatureStore, {
      seedUsers: (u: Parameters<typeof seedUsers>[0]) => (add(users, loop.turn(), u.length), seedUsers(u)),
      upsertItems: (i: Parameters<typeof upsertItems>[0]) => (
        add(items, loop.turn(), i.length),
        upsertItems(i)
      ),
      putItemCounters: (c: Parameters<typeof putItemCounters>[0]) => (
        add(counters, loop.turn(), c.length),
        putItemCounters(c)
      ),
    });
    try {
      await seedFeatureStore(tagged, model, counted<UserStateRecord>(records, loop.turn, read));
    } finally {
      loop.stop();
    }

    const sum = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const most = (m: Map<number, number>): number => Math.max(...m.values());
    // Everything written...
    expect(sum(read)).toBe(records.length);
    expect(sum(users)).toBe(records.length);
    expect(sum(items)).toBe(model.catalog.size);
    expect(sum(counters)).toBe(model.bundle.itemIds.length);
    // ...one chunk per turn at most (before: 2,000 users, and the whole catalog, in one turn).
    expect(most(read)).toBeLessThanOrEqual(SHARED_SEED_CHUNK_USERS);
    expect(most(users)).toBeLessThanOrEqual(SHARED_SEED_CHUNK_USERS);
    expect(most(items)).toBeLessThanOrEqual(SEED_CHUNK_ITEMS);
    expect(most(counters)).toBeLessThanOrEqual(SEED_CHUNK_ITEMS);

    // And it landed in Redis.
    expect((await store.listItemIds()).length).toBe(model.catalog.size);
    const first = records[0]!;
    const [user] = await store.getUsers([first.userId]);
    expect(user?.interactionCount).toBe(first.interactionCount);
    expect([...user!.seen].sort()).toEqual([...new Set(first.seen)].sort());
  }, 120_000);

  it("seeds a memory store (a new model's snapshot) in chunks of 50 users, one per turn", async () => {
    // The memory store answers in microtasks: without an explicit yield the whole seed is one task.
    const records = [...(await readUserStates(registry, version))];
    const memory = new MemoryFeatureStore({ now: () => model.bundle.referenceTime });
    const loop = loopTurns();
    const read = new Map<number, number>();
    try {
      await seedFeatureStore(memory, model, counted<UserStateRecord>(records, loop.turn, read));
    } finally {
      loop.stop();
    }
    expect([...read.values()].reduce((a, b) => a + b, 0)).toBe(records.length);
    expect(Math.max(...read.values())).toBeLessThanOrEqual(50);
    expect(memory.calls.seedUsers).toBe(Math.ceil(records.length / 50));
    await memory.close();
  }, 60_000);

  it('checks the user state file in slices of at most CHECK_CHUNK_RECORDS records per turn', async () => {
    const loop = loopTurns();
    const read = new Map<number, number>();
    const sliced = Object.assign(Object.create(registry) as FileModelRegistry, {
      readUserStates: async (v: string) => counted(await registry.readUserStates(v), loop.turn, read),
    });
    let n: number;
    try {
      n = await checkUserStates(sliced, version);
    } finally {
      loop.stop();
    }
    expect(n).toBeGreaterThan(10 * CHECK_CHUNK_RECORDS);
    expect([...read.values()].reduce((a, b) => a + b, 0)).toBe(n);
    expect(Math.max(...read.values())).toBeLessThanOrEqual(CHECK_CHUNK_RECORDS);
  }, 60_000);
});
