import { describe, expect, it } from 'vitest';
import { ExactVectorIndex } from '../../../src/stores/embedded/exactVectorIndex.js';
import { TopKHeap } from '../../../src/stores/embedded/topKHeap.js';
import { vectorIndexContract } from '../../contracts/vectorIndexContract.js';

vectorIndexContract('exact', async (ids, vectors, d, payloads) =>
  ExactVectorIndex.fromVectors(ids, vectors, d, payloads === undefined ? {} : { payloads }),
);

describe('ExactVectorIndex', () => {
  it('returns no hit for a zero query (a cosine has no direction to rank by)', async () => {
    const index = ExactVectorIndex.fromVectors(['a'], Float32Array.from([1, 0]), 2);
    expect(await index.search(new Float32Array(2), 5)).toEqual([]);
  });

  it('breaks score ties in favour of the item added first', async () => {
    const index = ExactVectorIndex.fromVectors(['x', 'y', 'z'], Float32Array.from([1, 0, 1, 0, 1, 0]), 2);
    expect((await index.search(Float32Array.from([1, 0]), 2)).map((h) => h.itemId)).toEqual(['x', 'y']);
  });

  it('grows past its initial capacity', async () => {
    const index = new ExactVectorIndex(2, 1);
    await index.upsert(
      Array.from({ length: 10 }, (_, i) => ({ itemId: `i${i}`, vector: Float32Array.from([i, 1]) })),
    );
    expect(index.size).toBe(10);
    expect((await index.search(Float32Array.from([1, 0]), 1))[0]!.itemId).toBe('i9');
  });

  it('takes payloads from a CatalogItem map as is (a served model’s catalog)', async () => {
    const catalog = new Map([
      [
        'x',
        { id: 'x', title: null, categories: ['Drama'], attributes: {}, createdAt: null, available: true },
      ],
      [
        'y',
        { id: 'y', title: null, categories: ['Comedy'], attributes: {}, createdAt: null, available: false },
      ],
    ]);
    const index = ExactVectorIndex.fromVectors(
      ['x', 'y', 'z'],
      Float32Array.from([1, 0, 1, 0.1, 1, 0.2]),
      2,
      {
        payloads: catalog,
      },
    );
    const search = async (filter: Parameters<typeof index.search>[2]): Promise<string[]> =>
      (await index.search(Float32Array.from([1, 0]), 3, filter)).map((h) => h.itemId);
    expect(await search({ filter: { availableOnly: true } })).toEqual(['x', 'z']);
    expect(await search({ filter: { categoriesNone: ['Drama'] } })).toEqual(['y', 'z']);
  });

  it('rejects vectors whose length is not ids × dimension', () => {
    expect(() => ExactVectorIndex.fromVectors(['a', 'b'], new Float32Array(3), 2)).toThrow(
      /2×2 = 4 values, got 3/,
    );
  });
});

describe('TopKHeap', () => {
  it('keeps the k best of a stream, best first, lower row first on ties', () => {
    const heap = new TopKHeap(3);
    [0.1, 0.9, 0.5, 0.9, 0.2, 0.7].forEach((s, row) => heap.push(s, row));
    const { scores, rows } = heap.sorted();
    expect(Array.from(rows)).toEqual([1, 3, 5]);
    expect(Array.from(scores)).toEqual([0.9, 0.9, 0.7]);
  });
});
