import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserStateRecord } from '../../../models/registry/publishVersion.js';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { readUserStates } from '../../../src/inference/readUserStates.js';
import type { ServedModel } from '../../../src/inference/servedModel.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { seedColumn, seedFeatureStore } from '../../../src/stores/seedFeatureStore.js';
import { HOUR, T0 } from '../pipeline/pipelineFixtures.js';
import { tinyRegistry } from '../inference/servedModelFixtures.js';
import type { TinyRegistry } from '../inference/servedModelFixtures.js';

describe('seedFeatureStore', () => {
  let reg: TinyRegistry;
  let model: ServedModel;
  let users: UserStateRecord[];
  let store: MemoryFeatureStore;

  beforeAll(async () => {
    reg = tinyRegistry();
    model = await loadServedModel(reg.registry, 'v1');
    users = [...(await readUserStates(reg.registry, 'v1'))];
    store = new MemoryFeatureStore({ now: () => model.bundle.referenceTime });
    await seedFeatureStore(store, model, users, { chunkSize: 5 });
  });

  afterAll(async () => {
    await model?.close();
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
  });

  it('loads the catalog, with one bulk call per family (users in chunks)', async () => {
    expect((await store.listItemIds()).sort()).toEqual([...reg.catalog.keys()].sort());
    expect(await store.getItems(['m5'])).toEqual([reg.catalog.get('m5')]);
    expect(store.calls).toMatchObject({ upsertItems: 1, putItemCounters: 1, seedUsers: 4 });
  });

  it('reads a seeded history and category weights back, and keeps them when a write follows', async () => {
    const store = new MemoryFeatureStore({ now: () => model.bundle.referenceTime });
    await seedFeatureStore(store, model, users);
    // The memory store's default chunk is 50 users (small chunks die young: issue #6's start-up peak).
    expect(users.length).toBeGreaterThan(0);
    expect(store.calls.seedUsers).toBe(Math.ceil(users.length / 50));
    const [before] = await store.getUsers(['u0']);
    const [again] = await store.getUsers(['u0']);
    expect(again!.recent).toEqual(before!.recent);
    expect(again!.recent[0]).not.toBe(before!.recent[0]); // each read builds its own entries
    const [folded] = await store.getFoldInHistories(['u0']);
    expect(folded!.recent).toEqual(before!.recent);
    const last = before!.recent[0]!;
    await store.applyInteraction(
      'u0',
      { itemId: 'm1', type: 'LIKE', value: null, timestamp: last.timestamp + 1 },
      { categories: ['drama', 'comedy'], weight: 1 },
    );
    const [after] = await store.getUsers(['u0']);
    expect(Object.fromEntries(before!.categoryWeights)).toEqual({ drama: 4 });
    expect(Object.fromEntries(after!.categoryWeights)).toEqual({ drama: 5, comedy: 1 });
    expect(Object.fromEntries(after!.categoryLastSeen)).toEqual({
      ...Object.fromEntries(before!.categoryLastSeen),
      drama: last.timestamp + 1,
      comedy: last.timestamp + 1,
    });
    expect(after!.recent).toEqual([
      { itemId: 'm1', type: 'LIKE', value: null, timestamp: last.timestamp + 1 },
      ...before!.recent,
    ]);
    expect(before!.recent[0]).toEqual(last); // what a caller holds does not change
  });

  it('sets item counters to the bundle’s popularity and trend at the reference time', async () => {
    const ids = [...model.bundle.itemIds];
    const counters = await store.getItemCounters(ids);
    ids.forEach((_, i) => {
      expect(counters[i]!.popularity).toBeCloseTo(model.bundle.popularity[i]!, 6);
      expect(counters[i]!.trend).toBeCloseTo(model.bundle.trend[i]!, 6);
      expect(counters[i]!.updatedAt).toBe(model.bundle.referenceTime);
    });
  });

  it('seeds counters equal to the bundle’s float32 values and never writes into the bundle’s columns (issue #6)', async () => {
    const ids = [...model.bundle.itemIds];
    const popularity = model.bundle.popularity.slice();
    const trend = model.bundle.trend.slice();
    const other = new MemoryFeatureStore({ now: () => model.bundle.referenceTime });
    await seedFeatureStore(other, model, []);
    const counters = await other.getItemCounters(ids);
    expect(counters.map((c) => c!.popularity)).toEqual(Array.from(popularity));
    expect(counters.map((c) => c!.trend)).toEqual(Array.from(trend));
    await other.incrementItemCounters(ids[0]!, 0.1, model.bundle.referenceTime);
    await other.putItemCounters([
      { itemId: ids[1]!, counters: { popularity: 7.7, trend: 8.8, updatedAt: model.bundle.referenceTime } },
    ]);
    const [first, second] = await other.getItemCounters([ids[0]!, ids[1]!]);
    expect(first!.popularity).toBe(popularity[0]! + 0.1);
    expect(second).toEqual({ popularity: 7.7, trend: 8.8, updatedAt: model.bundle.referenceTime });
    expect(model.bundle.popularity).toEqual(popularity);
    expect(model.bundle.trend).toEqual(trend);
  });

  it('seeds a user’s history, seen set, counts, category weights and trained vector', async () => {
    // u0 clicked m0, m2, m4, m6 (drama) at hours 0..3 (syntheticWorld).
    const [u0] = await store.getUsers(['u0']);
    const ref = model.bundle.referenceTime;
    expect(u0!.recent).toEqual(
      ['m6', 'm4', 'm2', 'm0'].map((itemId) => ({ itemId, type: 'CLICK', value: null, timestamp: ref })),
    );
    expect([...u0!.seen].sort()).toEqual(['m0', 'm2', 'm4', 'm6']);
    expect(u0!.interactionCount).toBe(4);
    expect(Object.fromEntries(u0!.categoryWeights)).toEqual({ drama: 4 });
    expect(Object.fromEntries(u0!.categoryLastSeen)).toEqual({ drama: T0 + 3 * HOUR });
    expect(u0!.dismissed.size).toBe(0);
    const row = model.bundle.userIndex.get('u0')!;
    const d = model.bundle.dimension;
    expect(Array.from(u0!.vector!)).toEqual(
      Array.from(model.bundle.userVectors.subarray(row * d, (row + 1) * d)),
    );
  });

  it('reads trained vectors from the model’s column without ever writing into it (issue #6)', async () => {
    const column = model.bundle.userVectors.slice();
    const other = new MemoryFeatureStore({ now: () => model.bundle.referenceTime });
    await seedFeatureStore(other, model, users);
    const d = model.bundle.dimension;
    const [a, b] = users.filter((u) => model.bundle.userIndex.has(u.userId)).map((u) => u.userId);
    const rowOf = (id: string) => model.bundle.userIndex.get(id)!;
    const [read] = await other.getUsers([a!]);
    expect(Array.from(read!.vector!)).toEqual(
      Array.from(column.subarray(rowOf(a!) * d, (rowOf(a!) + 1) * d)),
    );
    read!.vector!.fill(9); // a caller's copy
    const entry = {
      itemId: 'm1',
      type: 'LIKE' as const,
      value: null,
      timestamp: model.bundle.referenceTime + 1,
    };
    await other.applyInteraction(a!, entry, {
      categories: [],
      weight: 1,
      vector: new Float32Array(d).fill(0.5),
    });
    let seen: Float32Array | null = null;
    await other.applyUserInteractionsLazily(b!, [{ entry, categories: [], weight: 1 }], (current) => {
      seen = current;
      return new Float32Array(d).fill(0.25);
    });
    const [afterA, afterB] = await other.getUsers([a!, b!]);
    expect(Array.from(afterA!.vector!)).toEqual(new Array(d).fill(0.5));
    expect(Array.from(afterB!.vector!)).toEqual(new Array(d).fill(0.25));
    expect(Array.from(seen!)).toEqual(Array.from(column.subarray(rowOf(b!) * d, (rowOf(b!) + 1) * d)));
    expect(model.bundle.userVectors).toEqual(column);
  });

  it('stamps history as RATING when the training data had a rating scale', async () => {
    const rated: ServedModel = {
      ...model,
      manifest: {
        ...model.manifest,
        training: { ...model.manifest.training, ratingScale: { min: 0, max: 10, positiveThreshold: 7 } },
      },
    };
    const other = new MemoryFeatureStore();
    await seedFeatureStore(other, rated, users.slice(0, 1), { referenceTime: 42 });
    const [u] = await other.getUsers([users[0]!.userId]);
    expect(u!.recent.every((e) => e.type === 'RATING' && e.value === null && e.timestamp === 42)).toBe(true);
  });

  it('stamps history with historyTime and counters with referenceTime when both are given', async () => {
    const other = new MemoryFeatureStore({ now: () => 5_000 });
    await seedFeatureStore(other, model, users.slice(0, 1), { referenceTime: 5_000, historyTime: 1_000 });
    const [u] = await other.getUsers([users[0]!.userId]);
    expect(u!.recent.length).toBeGreaterThan(0);
    expect(u!.recent.every((e) => e.timestamp === 1_000)).toBe(true);
    expect((await other.getItemCounters([model.bundle.itemIds.at(0)!]))[0]!.updatedAt).toBe(5_000);
  });

  it('gives a user the retrieval model does not know a null vector', async () => {
    const other = new MemoryFeatureStore();
    await seedFeatureStore(other, model, [{ ...users[0]!, userId: 'stranger' }]);
    expect((await other.getUsers(['stranger']))[0]!.vector).toBeNull();
  });

  it('keeps the weight of a category whatever its name, "__proto__" included', async () => {
    const other = new MemoryFeatureStore();
    const record = JSON.parse(
      '{"userId":"odd","interactionCount":4,"seen":[],"recent":[],' +
        '"categoryShare":{"__proto__":0.5,"constructor":0.25,"drama":0.25},' +
        '"categoryLastSeen":{"__proto__":7,"constructor":8,"drama":9}}',
    ) as UserStateRecord;
    await seedFeatureStore(other, model, [record]);
    const [u] = await other.getUsers(['odd']);
    expect([...u!.categoryWeights]).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
      ['drama', 1],
    ]);
    expect([...u!.categoryLastSeen]).toEqual([
      ['__proto__', 7],
      ['constructor', 8],
      ['drama', 9],
    ]);
  });

  it('refuses a store without the bulk seeding methods', async () => {
    const bare = new MemoryFeatureStore();
    const limited = Object.assign(Object.create(bare) as MemoryFeatureStore, { seedUsers: undefined });
    await expect(seedFeatureStore(limited, model, users)).rejects.toThrow(/cannot be seeded/);
  });
});

describe('seedColumn', () => {
  it('is the model’s column itself when it holds n finite values', () => {
    const column = Float32Array.from([1.5, 0, -0, 3e38]);
    expect(seedColumn(column, 4)).toBe(column);
  });

  it('is a float64 copy with 0 for a non-finite or missing value, the column untouched', () => {
    const column = Float32Array.from([1.5, NaN, Infinity, -Infinity, Math.fround(0.1)]);
    const out = seedColumn(column, 6);
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual([1.5, 0, 0, 0, Math.fround(0.1), 0]);
    expect(Number.isNaN(column[1])).toBe(true);
    expect(Array.from(seedColumn(Float32Array.from([1, 2, 3]), 2))).toEqual([1, 2]); // longer than n
  });
});
