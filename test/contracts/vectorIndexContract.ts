import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/domain/random.js';
import type { VectorFilter, VectorIndex, VectorPayload } from '../../src/stores/vectorIndex.js';

/**
 * Builds an index holding `vectors` (n×dimension, row-major) under `itemIds`,
 * with `payloads` by id (ids not in it have no payload).
 */
export type VectorIndexFactory = (
  itemIds: readonly string[],
  vectors: Float32Array,
  dimension: number,
  payloads?: ReadonlyMap<string, VectorPayload>,
) => Promise<VectorIndex>;

/**
 * Seven 2-d items whose cosine to [1, 0] falls in id order a > b > … > g,
 * with categories and availability covering every filter case; `e` has no payload.
 */
const CATALOG = {
  ids: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  vectors: Float32Array.from([1, 0, 0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5, 0.5, 0.4, 0.6]),
  payloads: new Map<string, VectorPayload>([
    ['a', { categories: ['Comedy'], available: true }],
    ['b', { categories: ['Drama'], available: true }],
    ['c', { categories: ['Comedy', 'Drama'], available: true }],
    ['d', { categories: [], available: true }],
    ['f', { categories: ['Comedy'], available: false }],
    ['g', { categories: ['Horror'] }],
  ]),
};

/** Cosine top-k by brute force in float64: the reference the index is checked against. */
function bruteForce(
  ids: readonly string[],
  vectors: Float32Array,
  d: number,
  query: Float32Array,
  k: number,
): { itemId: string; score: number }[] {
  const norm = (a: ArrayLike<number>, off: number): number => {
    let s = 0;
    for (let p = 0; p < d; p++) s += a[off + p]! ** 2;
    return Math.sqrt(s);
  };
  const qn = norm(query, 0);
  return ids
    .map((itemId, i) => {
      let dot = 0;
      for (let p = 0; p < d; p++) dot += query[p]! * vectors[i * d + p]!;
      return { itemId, score: dot / (qn * norm(vectors, i * d)) };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

function randomVectors(n: number, d: number, seed: number): { ids: string[]; vectors: Float32Array } {
  const random = createRandom(seed);
  return {
    ids: Array.from({ length: n }, (_, i) => `item-${i}`),
    vectors: Float32Array.from({ length: n * d }, () => random.normal()),
  };
}

/**
 * The VectorIndex contract (conventions.md §5), the same for the exact index
 * and Qdrant: cosine top-k against brute force on seeded random data, a
 * hand-computed example, filters, upserts and dimension checks.
 * @param options.tolerance allowed score difference (an approximate index may need more). @default 1e-5
 */
export function vectorIndexContract(
  name: string,
  make: VectorIndexFactory,
  options: { readonly tolerance?: number } = {},
): void {
  const tolerance = options.tolerance ?? 1e-5;

  describe(`VectorIndex contract: ${name}`, () => {
    it('ranks by cosine: a=[1,0], b=[0,1], c=[3,3]; query [1,0.2] → a 0.98058, c 0.83205, b 0.19612', async () => {
      const index = await make(['a', 'b', 'c'], Float32Array.from([1, 0, 0, 1, 3, 3]), 2);
      const hits = await index.search(Float32Array.from([1, 0.2]), 3);
      expect(hits.map((h) => h.itemId)).toEqual(['a', 'c', 'b']);
      expect(hits[0]!.score).toBeCloseTo(0.980581, 5);
      expect(hits[1]!.score).toBeCloseTo(0.83205, 5);
      expect(hits[2]!.score).toBeCloseTo(0.196116, 5);
      expect(index.dimension).toBe(2);
      await index.close();
    });

    it('returns the same top 10 as brute force for 20 random queries over 500 random vectors', async () => {
      const d = 9;
      const { ids, vectors } = randomVectors(500, d, 11);
      const index = await make(ids, vectors, d);
      const random = createRandom(12);
      for (let q = 0; q < 20; q++) {
        const query = Float32Array.from({ length: d }, () => random.normal());
        const hits = await index.search(query, 10);
        const expected = bruteForce(ids, vectors, d, query, 10);
        expect(hits.map((h) => h.itemId)).toEqual(expected.map((h) => h.itemId));
        hits.forEach((h, k) => expect(Math.abs(h.score - expected[k]!.score)).toBeLessThan(tolerance));
      }
      await index.close();
    });

    it('scores cosines: scaling the query changes nothing, an item’s own vector scores 1', async () => {
      const d = 5;
      const { ids, vectors } = randomVectors(50, d, 3);
      const index = await make(ids, vectors, d);
      const own = vectors.slice(7 * d, 8 * d);
      const hits = await index.search(own, 3);
      expect(hits[0]!.itemId).toBe('item-7');
      expect(hits[0]!.score).toBeCloseTo(1, 5);
      const scaled = await index.search(
        own.map((v) => v * 7.5),
        3,
      );
      expect(scaled.map((h) => h.itemId)).toEqual(hits.map((h) => h.itemId));
      await index.close();
    });

    it('returns at most k hits, all items when k exceeds them, none for k = 0', async () => {
      const { ids, vectors } = randomVectors(6, 3, 4);
      const index = await make(ids, vectors, 3);
      const query = Float32Array.from([1, 2, 3]);
      expect((await index.search(query, 4)).length).toBe(4);
      expect((await index.search(query, 100)).length).toBe(6);
      expect(await index.search(query, 0)).toEqual([]);
      await index.close();
    });

    it('never returns an excluded item nor one outside `allow`, and still fills k', async () => {
      const d = 4;
      const { ids, vectors } = randomVectors(100, d, 5);
      const index = await make(ids, vectors, d);
      const query = Float32Array.from([1, -1, 0.5, 2]);
      const top = await index.search(query, 5);
      const excluded = new Set(top.slice(0, 3).map((h) => h.itemId));
      const even = (id: string): boolean => Number(id.split('-')[1]) % 2 === 0;
      const hits = await index.search(query, 5, { exclude: (id) => excluded.has(id), allow: even });
      expect(hits.length).toBe(5);
      for (const h of hits) {
        expect(excluded.has(h.itemId)).toBe(false);
        expect(even(h.itemId)).toBe(true);
      }
      const expected = bruteForce(ids, vectors, d, query, 100)
        .filter((h) => !excluded.has(h.itemId) && even(h.itemId))
        .slice(0, 5);
      expect(hits.map((h) => h.itemId)).toEqual(expected.map((h) => h.itemId));
      await index.close();
    });

    it('returns the stored vector L2-normalised, null for an unknown id', async () => {
      const index = await make(['a'], Float32Array.from([3, 4]), 2);
      const v = await index.vectorOf('a');
      expect(Array.from(v!)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
      expect(await index.vectorOf('nope')).toBeNull();
      await index.close();
    });

    it('adds new items and replaces existing ones with upsert', async () => {
      const index = await make(['a', 'b'], Float32Array.from([1, 0, 0, 1]), 2);
      await index.upsert([
        { itemId: 'new', vector: Float32Array.from([-2, 0]) },
        { itemId: 'a', vector: Float32Array.from([0, -5]) },
      ]);
      const left = await index.search(Float32Array.from([-1, 0]), 1);
      // `row` is an optional hint (VectorHit.row): not part of what every adapter answers.
      expect(left.map(({ itemId, score }) => ({ itemId, score }))).toEqual([
        { itemId: 'new', score: expect.closeTo(1, 5) },
      ]);
      const down = await index.search(Float32Array.from([0, -1]), 3);
      expect(down.map((h) => h.itemId)).toEqual(['a', 'new', 'b']);
      expect(Array.from((await index.vectorOf('a'))!)).toEqual([0, -1]);
      await index.close();
    });

    describe('structured filter (payload: categories, availability)', () => {
      const east = Float32Array.from([1, 0]);
      const ids = async (index: VectorIndex, filter: VectorFilter, k = 10): Promise<string[]> =>
        (await index.search(east, k, { filter })).map((h) => h.itemId);
      const catalogIndex = (): Promise<VectorIndex> =>
        make(CATALOG.ids, CATALOG.vectors, 2, CATALOG.payloads);

      it('categoriesAny keeps items in at least one listed category; an item without payload has none', async () => {
        const index = await catalogIndex();
        expect(await ids(index, { categoriesAny: ['Comedy', 'Horror'] })).toEqual(['a', 'c', 'f', 'g']);
        await index.close();
      });

      it('categoriesNone drops items in any listed category and keeps items without categories', async () => {
        const index = await catalogIndex();
        expect(await ids(index, { categoriesNone: ['Drama'] })).toEqual(['a', 'd', 'e', 'f', 'g']);
        await index.close();
      });

      it('availableOnly drops available: false; a missing flag or payload counts as available', async () => {
        const index = await catalogIndex();
        expect(await ids(index, { availableOnly: true })).toEqual(['a', 'b', 'c', 'd', 'e', 'g']);
        await index.close();
      });

      it('excludeIds never returns those ids and still fills k from further down', async () => {
        const index = await catalogIndex();
        expect(await ids(index, { excludeIds: ['a', 'c', 'zzz'] }, 3)).toEqual(['b', 'd', 'e']);
        await index.close();
      });

      it('combines every constraint with AND, and with the exclude / allow predicates', async () => {
        const index = await catalogIndex();
        const filter = { excludeIds: ['d'], categoriesNone: ['Horror'], availableOnly: true };
        expect(await ids(index, filter)).toEqual(['a', 'b', 'c', 'e']);
        const hits = await index.search(east, 10, {
          filter: { categoriesAny: ['Comedy'] },
          exclude: (id) => id === 'a',
          allow: (id) => id !== 'f',
        });
        expect(hits.map((h) => h.itemId)).toEqual(['c']);
        await index.close();
      });

      it('treats empty lists and availableOnly false as no constraint (never as "match nothing")', async () => {
        const index = await catalogIndex();
        const all = await ids(index, {});
        expect(all).toEqual(CATALOG.ids);
        const empty = { excludeIds: [], categoriesAny: [], categoriesNone: [], availableOnly: false };
        expect(await ids(index, empty)).toEqual(all);
        expect(await ids(index, { categoriesAny: [], categoriesNone: ['Drama'] })).toEqual([
          'a',
          'd',
          'e',
          'f',
          'g',
        ]);
        await index.close();
      });

      it('fills k under a filter that rejects most of the best items', async () => {
        const index = await catalogIndex();
        expect(await ids(index, { categoriesAny: ['Horror'] }, 1)).toEqual(['g']);
        expect(await ids(index, { categoriesAny: ['Comedy'] }, 2)).toEqual(['a', 'c']);
        await index.close();
      });

      it('upsert stores the entry’s payload and replaces it: no payload = no categories, available', async () => {
        const index = await catalogIndex();
        await index.upsert([
          { itemId: 'h', vector: Float32Array.from([1, 0.05]), payload: { categories: ['Horror'] } },
          { itemId: 'a', vector: Float32Array.from([1, 0]) },
          { itemId: 'b', vector: Float32Array.from([0.9, 0.1]), payload: { available: false } },
        ]);
        expect(await ids(index, { categoriesAny: ['Horror'] })).toEqual(['h', 'g']);
        expect(await ids(index, { categoriesAny: ['Comedy'] })).toEqual(['c', 'f']);
        expect(await ids(index, { availableOnly: true }, 3)).toEqual(['a', 'h', 'c']);
        await index.close();
      });

      it('excludes a large id list (1,200 of 1,500 items, best ones included) exactly like brute force', async () => {
        const d = 3;
        const { ids: all, vectors } = randomVectors(1500, d, 21);
        const index = await make(all, vectors, d);
        const query = Float32Array.from([0.3, -1, 0.2]);
        const ranked = bruteForce(all, vectors, d, query, all.length);
        const excluded = ranked.filter((_, r) => r % 5 !== 4).map((h) => h.itemId);
        expect(excluded.length).toBe(1200);
        const hits = await index.search(query, 10, { filter: { excludeIds: excluded } });
        const excludedSet = new Set(excluded);
        const expected = ranked.filter((h) => !excludedSet.has(h.itemId)).slice(0, 10);
        expect(hits.map((h) => h.itemId)).toEqual(expected.map((h) => h.itemId));
        await index.close();
      });
    });

    it('rejects a query or an upserted vector of the wrong dimension', async () => {
      const index = await make(['a'], Float32Array.from([1, 0, 0]), 3);
      await expect(index.search(Float32Array.from([1, 0]), 1)).rejects.toThrow(RangeError);
      await expect(index.upsert([{ itemId: 'b', vector: Float32Array.from([1]) }])).rejects.toThrow(
        RangeError,
      );
      await index.close();
    });
  });
}
