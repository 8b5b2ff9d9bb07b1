import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/domain/random.js';
import type { VectorIndex } from '../../src/stores/vectorIndex.js';

/** Builds an index holding `vectors` (n×dimension, row-major) under `itemIds`. */
export type VectorIndexFactory = (
  itemIds: readonly string[],
  vectors: Float32Array,
  dimension: number,
) => Promise<VectorIndex>;

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
      expect(left).toEqual([{ itemId: 'new', score: expect.closeTo(1, 5) }]);
      const down = await index.search(Float32Array.from([0, -1]), 3);
      expect(down.map((h) => h.itemId)).toEqual(['a', 'new', 'b']);
      expect(Array.from((await index.vectorOf('a'))!)).toEqual([0, -1]);
      await index.close();
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
