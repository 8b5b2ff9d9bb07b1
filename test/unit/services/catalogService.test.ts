import { describe, expect, it } from 'vitest';
import { LiveCounterRanking } from '../../../src/components/sources/liveCounterRanking.js';
import { CatalogService } from '../../../src/services/catalogService.js';
import { ExactVectorIndex } from '../../../src/stores/embedded/exactVectorIndex.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';

describe('CatalogService.upsertItems and the vector index payload', () => {
  it('refreshes categories and availability of items the index holds, and adds no vector for new items', async () => {
    const store = new MemoryFeatureStore();
    // Two unit vectors in 2-d; the index starts with a's payload as trained.
    const index = ExactVectorIndex.fromVectors(['a', 'b'], Float32Array.from([1, 0, 0.8, 0.6]), 2, {
      payloads: new Map([
        ['a', { categories: ['Drama'], available: true }],
        ['b', { categories: ['Drama'], available: true }],
      ]),
    });
    const liveRanking = new LiveCounterRanking({
      store,
      refreshMs: 0,
      dutyCycle: 1,
      knownToModel: () => true,
    });
    const catalog = new CatalogService({ store, liveRanking, index });
    const query = Float32Array.from([1, 0]);
    const drama = async () =>
      (await index.search(query, 5, { filter: { categoriesAny: ['Drama'], availableOnly: true } })).map(
        (h) => h.itemId,
      );
    expect(await drama()).toEqual(['a', 'b']);

    const result = await catalog.upsertItems([
      { id: 'a', categories: ['Comedy'] },
      { id: 'b', available: false },
      { id: 'new', title: 'New', categories: ['Drama'] },
    ]);
    expect(result).toEqual({ upserted: 3, errors: [] });
    expect(await drama()).toEqual([]);
    expect(
      (await index.search(query, 5, { filter: { categoriesAny: ['Comedy'] } })).map((h) => h.itemId),
    ).toEqual(['a']);
    expect(await index.vectorOf('new')).toBeNull();
    expect(Array.from((await index.vectorOf('a'))!)).toEqual([1, 0]);
  });
});
