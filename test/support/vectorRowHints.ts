import { expect } from 'vitest';
import { createRandom } from '../../src/domain/random.js';
import type { VectorIndex } from '../../src/stores/vectorIndex.js';

/**
 * Every hit of a built item carries its position in the build's ids as its row hint
 * (VectorHit.row), and a hit of an item upserted later carries −1.
 */
export async function expectRowHints(
  build: (
    ids: string[],
    vectors: Float32Array,
    d: number,
  ) => Promise<{
    search: VectorIndex['search'];
    upsert: VectorIndex['upsert'];
  }>,
): Promise<void> {
  const random = createRandom(5);
  const d = 4;
  const ids = Array.from({ length: 300 }, (_, i) => `item-${i}`);
  const vectors = Float32Array.from({ length: ids.length * d }, () => random.next() - 0.5);
  const index = await build(ids, vectors, d);
  await index.upsert([{ itemId: 'late', vector: Float32Array.from([1, 1, 1, 1]) }]);
  const hits = await index.search(Float32Array.from([1, 1, 1, 1]), 50);
  expect(hits.length).toBe(50);
  expect(hits[0]!.itemId).toBe('late');
  expect(hits[0]!.row).toBe(-1);
  for (const h of hits.slice(1)) expect(ids[h.row!]).toBe(h.itemId);
}
