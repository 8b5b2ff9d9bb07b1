import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { dismissedFilter } from '../../../src/components/filters/dismissedFilter.js';
import { requestFilter } from '../../../src/components/filters/requestFilter.js';
import { seedItemFilter } from '../../../src/components/filters/seedItemFilter.js';
import { seenItemsFilter } from '../../../src/components/filters/seenItemsFilter.js';
import { unavailableFilter } from '../../../src/components/filters/unavailableFilter.js';
import type { RecommendationQuery } from '../../../src/components/recommendationQuery.js';
import { createRequestLoaders } from '../../../src/loaders/requestLoaders.js';
import { addSourceHit } from '../../../src/pipeline/candidate.js';
import type { ItemFilterInput } from '../../../src/services/serviceTypes.js';
import type { UserFeatures } from '../../../src/stores/featureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { withoutItemColumnReads } from '../../support/withoutItemColumnReads.js';

const ITEMS = [
  { id: 'a', categories: ['drama'] },
  { id: 'b', categories: ['comedy'] },
  { id: 'c', categories: ['drama', 'crime'] },
  { id: 'd', categories: [] },
  { id: 'e', categories: ['comedy'], available: false },
];

async function setup(
  over: {
    filter?: ItemFilterInput | null;
    user?: Partial<UserFeatures>;
    session?: string[];
    seed?: string | null;
    /** Hide the store's column reads (the loader path, as on Redis). */
    loadersOnly?: boolean;
  } = {},
) {
  const store = new MemoryFeatureStore();
  if (over.loadersOnly === true) withoutItemColumnReads(store);
  await store.upsertItems(
    ITEMS.map((i) => ({
      id: i.id,
      title: i.id,
      categories: i.categories,
      attributes: {},
      createdAt: null,
      available: i.available ?? true,
    })),
  );
  store.resetCalls();
  const loaders = createRequestLoaders({ store, similar: async () => [] });
  const user: UserFeatures | null = over.user
    ? {
        userId: 'u',
        interactionCount: 0,
        recent: [],
        seen: new Set(),
        dismissed: new Set(),
        categoryWeights: new Map(),
        categoryLastSeen: new Map(),
        vector: null,
        impressions: new Map(),
        ...over.user,
      }
    : null;
  // Only the fields filters read; the rest of the query is irrelevant to them.
  const q = {
    filter: over.filter ?? null,
    user,
    sessionItemIds: over.session ?? [],
    seedItemId: over.seed ?? null,
    contextItemIds: [],
    env: { loaders, store },
    memo: new Map<string, unknown>(),
    model: {
      bundle: {
        itemIds: ['a', 'b'],
        itemIndex: new Map([
          ['a', 0],
          ['b', 1],
        ]),
      },
    },
  } as unknown as RecommendationQuery;
  const candidates = ['a', 'b', 'c', 'd', 'e', 'zz'].map((id, k) =>
    addSourceHit(undefined, 'POPULAR', { itemId: id, score: 1 }, k),
  );
  return { q, candidates, store };
}

const ids = (cs: readonly { itemId: string }[]): string[] => cs.map((c) => c.itemId);

describe('Filter: requestFilter', () => {
  it('treats missing and empty lists as no constraint', async () => {
    for (const filter of [null, {}, { categoriesAny: [], categoriesNone: [], excludeItemIds: [] }]) {
      const { q, candidates } = await setup({ filter });
      expect(ids(await requestFilter.filter(q, candidates))).toEqual(['a', 'b', 'c', 'd', 'e', 'zz']);
    }
  });

  it('categoriesAny keeps items in at least one listed category (items without categories go)', async () => {
    const { q, candidates } = await setup({ filter: { categoriesAny: ['drama', 'crime'] } });
    expect(ids(await requestFilter.filter(q, candidates))).toEqual(['a', 'c']);
  });

  it('categoriesNone drops items in any listed category; excludeItemIds drops those ids', async () => {
    const { q, candidates } = await setup({ filter: { categoriesNone: ['crime'], excludeItemIds: ['b'] } });
    expect(ids(await requestFilter.filter(q, candidates))).toEqual(['a', 'd', 'e', 'zz']);
  });

  it('after the unavailable filter: the same survivors from its column read, or through the loader without one', async () => {
    for (const loadersOnly of [false, true]) {
      const filter = { categoriesAny: ['drama', 'comedy'], categoriesNone: ['crime'], excludeItemIds: ['a'] };
      const { q, candidates, store } = await setup({ filter, loadersOnly });
      const available = await unavailableFilter.filter(q, candidates);
      const kept = await requestFilter.filter(q, available);
      expect(ids(kept)).toEqual(['b']);
      await nextLoopTurn();
      expect(store.calls).toEqual(loadersOnly ? { getItems: 1, getItemCounters: 1 } : { readItemColumns: 1 });
    }
  });
});

describe('Filter: unavailable', () => {
  it('through the loaders: drops unknown and unavailable items, reading the catalog once (and queueing the counters read)', async () => {
    const { q, candidates, store } = await setup({ loadersOnly: true });
    expect(ids(await unavailableFilter.filter(q, candidates))).toEqual(['a', 'b', 'c', 'd']);
    await nextLoopTurn();
    // The candidates' counters, for the itemFeatures hydrator, go in the same turn (one read).
    expect(store.calls).toEqual({ getItems: 1, getItemCounters: 1 });
  });

  it('from a store with column reads: the same survivors from one column read, no loader read', async () => {
    const { q, candidates, store } = await setup();
    expect(ids(await unavailableFilter.filter(q, candidates))).toEqual(['a', 'b', 'c', 'd']);
    await nextLoopTurn();
    expect(store.calls).toEqual({ readItemColumns: 1 });
  });

  it('from a store with column reads: loads the context items (for the reasons) through the loader', async () => {
    const { q, candidates, store } = await setup();
    (q as unknown as { contextItemIds: string[] }).contextItemIds = ['a', 'e'];
    expect(ids(await unavailableFilter.filter(q, candidates))).toEqual(['a', 'b', 'c', 'd']);
    expect(store.calls).toEqual({ readItemColumns: 1, getItems: 1 });
    expect(q.env.loaders.items.peek('e')?.available).toBe(false);
  });
});

describe('Filter: seenItems, dismissed, seedItem', () => {
  it('drops what the user interacted with and the session items', async () => {
    const { q, candidates } = await setup({ user: { seen: new Set(['a']) }, session: ['c'] });
    expect(ids(await seenItemsFilter.filter(q, candidates))).toEqual(['b', 'd', 'e', 'zz']);
  });

  it('drops items the user dismissed or disliked', async () => {
    const { q, candidates } = await setup({ user: { dismissed: new Set(['b', 'e']) } });
    expect(ids(await dismissedFilter.filter(q, candidates))).toEqual(['a', 'c', 'd', 'zz']);
  });

  it('drops the seed of a similar list', async () => {
    const { q, candidates } = await setup({ seed: 'c' });
    expect(ids(await seedItemFilter.filter(q, candidates))).toEqual(['a', 'b', 'd', 'e', 'zz']);
  });
});
