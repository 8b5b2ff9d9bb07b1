import { describe, expect, it } from 'vitest';
import { CatalogTable } from '../../../models/registry/catalogTable.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { PackedIdList } from '../../../src/domain/itemIdList.js';
import type { ItemIdList } from '../../../src/domain/itemIdList.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import type { SeedCounters } from '../../../src/stores/memory/memoryFeatureStore.js';
import type { ItemCounters, UserSeed } from '../../../src/stores/featureStore.js';
import type { ItemColumns } from '../../../src/stores/itemColumnReads.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 10);

const item = (id: string, title = `t-${id}`): CatalogItem => ({
  id,
  title,
  categories: [`c${id.length}`],
  attributes: {},
  createdAt: null,
  available: true,
});

/** The same store state reached by the generic port calls: what `seedCatalog` must equal. */
async function seedGeneric(
  store: MemoryFeatureStore,
  catalog: ReadonlyMap<string, CatalogItem>,
  c: SeedCounters,
): Promise<void> {
  await store.upsertItems([...catalog.values()]);
  await store.putItemCounters(
    [...c.itemIds].map((itemId, i) => ({
      itemId,
      counters: { popularity: c.popularity[i]!, trend: c.trend[i]!, updatedAt: c.updatedAt },
    })),
  );
}

/** Everything the store answers about items and counters, at its clock. */
async function observe(store: MemoryFeatureStore, probe: readonly string[]) {
  const ids = await store.listItemIds();
  // Copied as they come: a chunk's arrays are reused by the next one.
  const chunks = Array.from(store.itemCounterChunks(2, T0 + 3 * DAY), (c) => ({
    ids: [...c.ids],
    popularity: [...c.popularity],
    trend: [...c.trend],
  }));
  const all = [...ids, ...probe];
  const items = await store.getItems(all);
  const counters = await store.getItemCounters(all);
  const calls = { ...store.calls };
  const columns = store.readItemColumns(all);
  store.resetCalls();
  Object.assign(store.calls, calls);
  // The column read gives the object reads' values (issue #6: the ranking stage reads columns).
  expect(columnsOf(columns)).toEqual(expectedColumns(items, counters));
  return { ids, items, counters, chunks };
}

/** Plain arrays of a column read, for toEqual. */
function columnsOf(c: ItemColumns) {
  return {
    known: [...c.known],
    available: [...c.available],
    createdAt: [...c.createdAt],
    categories: c.categories,
    hasCounters: [...c.hasCounters],
    popularity: [...c.popularity],
    trend: [...c.trend],
  };
}

/** What a column read must hold, from `getItems` and `getItemCounters` of the same ids. */
function expectedColumns(items: readonly (CatalogItem | null)[], counters: readonly (ItemCounters | null)[]) {
  return {
    known: items.map((i) => (i === null ? 0 : 1)),
    available: items.map((i) => (i !== null && i.available !== false ? 1 : 0)),
    createdAt: items.map((i) => i?.createdAt ?? NaN),
    categories: items.map((i) => i?.categories ?? []),
    hasCounters: counters.map((c) => (c === null ? 0 : 1)),
    popularity: counters.map((c) => c?.popularity ?? 0),
    trend: counters.map((c) => c?.trend ?? 0),
  };
}

/** The same writes on both stores, then the same observation. */
async function both(
  a: MemoryFeatureStore,
  b: MemoryFeatureStore,
  write: (s: MemoryFeatureStore) => Promise<void>,
  probe: readonly string[],
): Promise<void> {
  await write(a);
  await write(b);
  expect(await observe(a, probe)).toEqual(await observe(b, probe));
}

const clock = { now: T0 + DAY };
const store = () => new MemoryFeatureStore({ now: () => clock.now });

/** A store seeded with a registry table of the four `lines` over model ids `itemIds`, counters 1..4 / 4..1 at T0. */
async function seededFourItems(itemIds: string[], lines: CatalogItem[], packTitlesFrom?: number) {
  const catalog = CatalogTable.build(
    lines,
    { ids: itemIds, index: new Map(itemIds.map((id, i) => [id, i])) },
    packTitlesFrom,
  );
  const seeded = store();
  await seeded.seedCatalog(catalog, {
    itemIds,
    popularity: Float64Array.from([1, 2, 3, 4]),
    trend: Float64Array.from([4, 3, 2, 1]),
    updatedAt: T0,
  });
  return { catalog, seeded };
}

describe('MemoryFeatureStore.seedCatalog', () => {
  for (const shape of [
    'aligned registry table',
    'aligned registry table, packed ids',
    'table in another order',
    'plain map',
  ] as const) {
    it(`answers like upsertItems + putItemCounters, before and after writes (${shape})`, async () => {
      const idArray = ['a', 'bb', 'ccc', 'dddd'];
      const itemIds: ItemIdList = shape.endsWith('packed ids') ? PackedIdList.from(idArray)! : idArray;
      const lines = shape.startsWith('aligned registry table')
        ? idArray.map((id) => item(id))
        : [item('ccc'), item('zz-only-in-catalog'), item('a'), item('bb')];
      const catalog =
        shape === 'plain map'
          ? new Map(lines.map((i) => [i.id, i]))
          : CatalogTable.build(lines, { ids: itemIds, index: new Map(idArray.map((id, i) => [id, i])) });
      const counters: SeedCounters = {
        itemIds,
        popularity: Float64Array.from([4, 0, 2.5, 1]),
        trend: Float64Array.from([1, 0, 0.5, 3]),
        updatedAt: T0,
      };
      const seeded = store();
      const generic = store();
      const probe = ['unknown', 'dddd'];
      await seeded.seedCatalog(catalog, counters);
      await seedGeneric(generic, catalog, counters);
      expect(seeded.calls).toEqual({ upsertItems: 1, putItemCounters: 1 });
      expect(await observe(seeded, probe)).toEqual(await observe(generic, probe));
      await both(seeded, generic, (s) => s.upsertItems([item('a', 'renamed'), item('new')]), probe);
      await both(seeded, generic, (s) => s.incrementItemCounters('a', 2, T0 + 2 * DAY), probe);
      await both(seeded, generic, (s) => s.incrementItemCounters('ccc', 1, T0 - DAY), probe); // late event
      await both(seeded, generic, (s) => s.incrementItemCounters('new', 1, T0), probe);
      await both(seeded, generic, (s) => s.incrementItemCounters('unknown', 1, T0), probe);
      await both(
        seeded,
        generic,
        (s) =>
          s.putItemCounters([
            { itemId: 'bb', counters: { popularity: 7, trend: 7, updatedAt: T0 + DAY } },
            { itemId: 'zz-only-in-catalog', counters: { popularity: 1, trend: 2, updatedAt: T0 } },
          ]),
        probe,
      );
      clock.now = T0 + 5 * DAY;
      expect(await observe(seeded, probe)).toEqual(await observe(generic, probe));
      clock.now = T0 + DAY;
    });
  }

  it('reads float32 columns in place until the first write, then keeps float64 precision (issue #6)', async () => {
    const itemIds = ['a', 'bb', 'ccc', 'dddd'];
    const catalog = CatalogTable.build(
      itemIds.map((id) => item(id)),
      { ids: itemIds, index: new Map(itemIds.map((id, i) => [id, i])) },
    );
    const popularity = Float32Array.from([4.1, 0, 0.3, 1e-3]);
    const trend = Float32Array.from([1.7, 0, -0, 3.3]);
    const before = { popularity: popularity.slice(), trend: trend.slice() };
    const seeded = new MemoryFeatureStore({ now: () => clock.now });
    const generic = new MemoryFeatureStore({ now: () => clock.now });
    await seeded.seedCatalog(catalog, { itemIds, popularity, trend, updatedAt: T0 });
    // The generic store gets the same values as float64 numbers.
    await seedGeneric(generic, catalog, {
      itemIds,
      popularity: Float64Array.from(popularity),
      trend: Float64Array.from(trend),
      updatedAt: T0,
    });
    const probe = ['unknown'];
    expect(await observe(seeded, probe)).toEqual(await observe(generic, probe));
    clock.now = T0;
    const [a, c] = await seeded.getItemCounters(['a', 'ccc']);
    expect(a).toEqual({ popularity: Math.fround(4.1), trend: Math.fround(1.7), updatedAt: T0 });
    expect(Object.is(c!.trend, -0)).toBe(true);
    // A write at the seed time (no decay): float64 sums, not rounded to float32.
    await both(seeded, generic, (s) => s.incrementItemCounters('a', 0.1, T0), probe);
    const [written, other] = await seeded.getItemCounters(['a', 'ccc']);
    expect(written!.popularity).toBe(Math.fround(4.1) + 0.1);
    expect(Math.fround(written!.popularity)).not.toBe(written!.popularity);
    expect(other).toEqual({ popularity: Math.fround(0.3), trend: -0, updatedAt: T0 });
    clock.now = T0 + DAY;
    await both(seeded, generic, (s) => s.incrementItemCounters('dddd', 0.25, T0 + 2 * DAY), probe);
    await both(seeded, generic, (s) => s.incrementItemCounters('bb', 1, T0 - DAY), probe); // late event
    await both(
      seeded,
      generic,
      (s) =>
        s.putItemCounters([
          { itemId: 'ccc', counters: { popularity: 0.1, trend: 0.2, updatedAt: T0 + DAY } },
        ]),
      probe,
    );
    expect((await seeded.getItemCounters(['ccc']))[0]).toEqual({
      popularity: 0.1,
      trend: 0.2,
      updatedAt: T0 + DAY,
    });
    // The caller's float32 columns (the model's) were never written to.
    expect(popularity).toEqual(before.popularity);
    expect(trend).toEqual(before.trend);
  });

  it('adds to a store that already holds items as the generic calls would', async () => {
    const itemIds = ['a', 'b'];
    const catalog = CatalogTable.build([item('a'), item('b')], {
      ids: itemIds,
      index: new Map(itemIds.map((id, i) => [id, i])),
    });
    const counters: SeedCounters = {
      itemIds,
      popularity: Float64Array.from([1, 2]),
      trend: Float64Array.from([3, 4]),
      updatedAt: T0,
    };
    const seeded = store();
    const generic = store();
    for (const s of [seeded, generic]) {
      await s.upsertItems([item('b', 'old'), item('x')]);
      await s.incrementItemCounters('x', 1, T0);
    }
    await seeded.seedCatalog(catalog, counters);
    await seedGeneric(generic, catalog, counters);
    expect(await observe(seeded, [])).toEqual(await observe(generic, []));
    // A second seed on a seeded store also falls back to the generic writes.
    await seeded.seedCatalog(catalog, counters);
    await seedGeneric(generic, catalog, counters);
    expect(await observe(seeded, [])).toEqual(await observe(generic, []));
  });

  for (const packTitlesFrom of [0, Infinity]) {
    it(`reads columns equal to the object reads for unavailable, dated, irregular and replaced items (titles packed: ${packTitlesFrom === 0})`, async () => {
      const itemIds = ['a', 'b', 'c', 'd'];
      const lines: CatalogItem[] = [
        { ...item('a'), createdAt: T0 - DAY, categories: ['x', 'y'] },
        { ...item('b'), available: false },
        // Another key order: kept as parsed (an irregular item).
        { available: false, id: 'c', title: 'c', categories: ['z'], attributes: {}, createdAt: T0 },
        item('d'),
      ];
      const { seeded } = await seededFourItems(itemIds, lines, packTitlesFrom);
      await seeded.upsertItems([{ ...item('d'), available: false, createdAt: T0 + DAY }, item('e')]);
      const { items } = await observe(seeded, ['nope', 'a']);
      expect(items.map((i) => i?.available ?? null)).toEqual([true, false, false, false, true, null, true]);
      const columns = seeded.readItemColumns(['c', 'a', 'nope']);
      expect([...columns.available]).toEqual([0, 1, 0]);
      expect([...columns.createdAt]).toEqual([T0, T0 - DAY, NaN]);
      expect(columns.categories).toEqual([['z'], ['x', 'y'], []]);
    });
  }

  it("reads the same columns with the caller's row positions, using them only for the catalog's own id list", async () => {
    const itemIds = ['a', 'b', 'c', 'd'];
    const { catalog, seeded } = await seededFourItems(
      itemIds,
      itemIds.map((id) => item(id)),
    );
    expect(catalog.ids).toBe(itemIds); // aligned with the model: the table keeps the model's array
    await seeded.upsertItems([{ ...item('b'), available: false, createdAt: T0 }, item('new')]);
    await seeded.incrementItemCounters('new', 2, T0);
    const read = ['d', 'new', 'b', 'nope', 'a', 'd'];
    const at = Int32Array.from(read, (id) => itemIds.indexOf(id));
    const plain = columnsOf(seeded.readItemColumns(read));
    expect(columnsOf(seeded.readItemColumns(read, { ids: itemIds, at }))).toEqual(plain);
    // Positions into another array (equal content, another object) are not the catalog's: ignored.
    const wrong = Int32Array.from(read, () => 0);
    expect(columnsOf(seeded.readItemColumns(read, { ids: [...itemIds], at: wrong }))).toEqual(plain);
    // Into the catalog's own array they are used as given (the caller's contract).
    expect(
      columnsOf(seeded.readItemColumns(['d'], { ids: itemIds, at: Int32Array.of(0) })).popularity,
    ).toEqual(columnsOf(seeded.readItemColumns(['a'])).popularity);
  });

  it('rejects counter columns shorter than the ids', async () => {
    await expect(
      store().seedCatalog(new Map(), {
        itemIds: ['a'],
        popularity: new Float64Array(0),
        trend: new Float64Array(1),
        updatedAt: T0,
      }),
    ).rejects.toThrow(RangeError);
  });
});

describe('MemoryFeatureStore.seedUsers over a catalog with packed ids', () => {
  it('keeps seeded item lists as catalog rows and answers as with string ids; an item outside the catalog keeps its user as strings', async () => {
    const idArray = ['a', 'bb', 'ccc', 'dddd'];
    const users: UserSeed[] = [
      {
        userId: 'u1',
        interactionCount: 3,
        recent: ['ccc', 'a'].map((itemId) => ({ itemId, type: 'VIEW' as const, value: null, timestamp: T0 })),
        seen: ['ccc', 'a', 'dddd'],
        dismissed: [],
        categoryWeights: { c1: 1 },
        categoryLastSeen: { c1: T0 },
        vector: null,
      },
      {
        userId: 'u2',
        interactionCount: 1,
        recent: [{ itemId: 'not-in-catalog', type: 'LIKE' as const, value: null, timestamp: T0 }],
        seen: ['bb', 'not-in-catalog'],
        dismissed: ['bb'],
        categoryWeights: {},
        categoryLastSeen: {},
        vector: null,
      },
    ];
    const answers = [];
    for (const ids of [idArray, PackedIdList.from(idArray)!]) {
      const catalog = CatalogTable.build(
        idArray.map((id) => item(id)),
        { ids, index: new Map(idArray.map((id, i) => [id, i])) },
      );
      const s = store();
      await s.seedCatalog(catalog, {
        itemIds: ids,
        popularity: Float64Array.from([1, 2, 3, 4]),
        trend: Float64Array.from([4, 3, 2, 1]),
        updatedAt: T0,
      });
      await s.seedUsers(users);
      const before = await s.getUsers(['u1', 'u2']);
      // A write turns the seeded lists into the writable forms: the next read includes it.
      await s.applyInteraction(
        'u1',
        { itemId: 'bb', type: 'LIKE', value: null, timestamp: T0 + 1 },
        {
          categories: ['c2'],
          weight: 1,
        },
      );
      answers.push({ before, after: await s.getUsers(['u1', 'u2']) });
    }
    expect(answers[1]).toEqual(answers[0]);
    const [u1, u2] = answers[0]!.before;
    expect([...u1!.seen]).toEqual(['ccc', 'a', 'dddd']);
    expect(u1!.recent.map((e) => e.itemId)).toEqual(['ccc', 'a']);
    expect([...u2!.seen]).toEqual(['bb', 'not-in-catalog']);
    expect([...answers[0]!.after[0]!.seen]).toEqual(['ccc', 'a', 'dddd', 'bb']);
  });
});
