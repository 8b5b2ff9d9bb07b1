/**
 * The VectorIndex contract against a REAL Qdrant, plus the start-up checks
 * that only a live server can confirm (metadata round trip, 404/409 codes).
 * Runs when QDRANT_URL is set (e.g. `docker compose -f docker/compose.yaml up qdrant`,
 * then `QDRANT_URL=http://127.0.0.1:6333 npx vitest run test/unit/stores/qdrantLive.test.ts`);
 * skipped otherwise, with the reason in the skipped suite's name. Every
 * collection it makes is named `recgate-test-<random>…` and deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, describe, expect, it } from 'vitest';
import { VectorIndexConfigError } from '../../../src/stores/qdrant/qdrantErrors.js';
import { QdrantVectorIndex } from '../../../src/stores/qdrant/qdrantVectorIndex.js';
import { vectorEntries } from '../../../src/stores/qdrant/vectorEntries.js';
import { vectorIndexContract } from '../../contracts/vectorIndexContract.js';

const url = process.env['QDRANT_URL'];
const apiKey = process.env['QDRANT_API_KEY'] ?? null;

if (url === undefined || url === '') {
  describe.skip('QDRANT_URL not set: no Qdrant server on this machine; run docker compose -f docker/compose.yaml up qdrant', () => {
    it('runs the VectorIndex contract and the start-up checks against a real Qdrant', () => {});
  });
} else {
  const run = `recgate-test-${randomBytes(4).toString('hex')}`;
  let made = 0;
  const admin = new QdrantClient({ url, ...(apiKey ? { apiKey } : {}), checkCompatibility: false });

  afterAll(async () => {
    const { collections } = await admin.getCollections();
    await Promise.all(
      collections.filter((c) => c.name.startsWith(run)).map((c) => admin.deleteCollection(c.name)),
    );
  });

  const open = (base: string, dimension: number, items?: Parameters<typeof vectorEntries>) =>
    QdrantVectorIndex.open({
      url,
      apiKey,
      collection: base,
      modelVersion: 'v1',
      dimension,
      ...(items !== undefined ? { items: vectorEntries(...items) } : {}),
    });

  // HNSW is approximate in general, but collections this small are searched exactly
  // (below Qdrant's indexing threshold); the tolerance allows float32 arithmetic.
  vectorIndexContract(
    'qdrant (live)',
    async (ids, vectors, d, payloads) => open(`${run}-${++made}`, d, [ids, vectors, d, payloads]),
    { tolerance: 1e-4 },
  );

  describe('QdrantVectorIndex against a live Qdrant', () => {
    const ids = ['a', 'b', 'c'];
    const vectors = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);

    it('stores the completion mark: a second open uploads nothing', async () => {
      const base = `${run}-reopen`;
      await open(base, 3, [ids, vectors, 3]);
      const progress: unknown[] = [];
      const again = await QdrantVectorIndex.open({
        url,
        apiKey,
        collection: base,
        modelVersion: 'v1',
        dimension: 3,
        items: vectorEntries(ids, vectors, 3),
        onProgress: (p) => progress.push(p),
      });
      expect(progress).toEqual([]);
      expect((await again.search(Float32Array.from([0, 1, 0]), 1))[0]!.itemId).toBe('b');
      const { count } = await admin.count(again.collection, { exact: true });
      expect(count).toBe(3);
    });

    it('refuses an existing collection of another dimension', async () => {
      const base = `${run}-dims`;
      await open(base, 3, [ids, vectors, 3]);
      await expect(open(base, 4)).rejects.toThrow(VectorIndexConfigError);
      await expect(open(base, 4)).rejects.toThrow(/holds 3-dimensional vectors but model v1 has 4/);
    });

    it('a missing collection without items is a start-up error with status 404', async () => {
      const err = await open(`${run}-missing`, 3).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VectorIndexConfigError);
      expect((err as VectorIndexConfigError).status).toBe(404);
    });
  });
}
