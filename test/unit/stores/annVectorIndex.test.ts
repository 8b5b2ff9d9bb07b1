import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { resolveHnswParameters } from '../../../src/stores/ann/hnswParameters.js';
import { UsearchVectorIndex } from '../../../src/stores/ann/usearchVectorIndex.js';
import { vectorIndexContract } from '../../contracts/vectorIndexContract.js';

// threads: 1 makes the graph, and so every result, reproducible.
vectorIndexContract('usearch-hnsw (default i8 graph, exact re-scoring)', async (ids, vectors, d, payloads) =>
  UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1, ...(payloads ? { payloads } : {}) }),
);

vectorIndexContract('usearch-hnsw (f16 graph, M = 8)', async (ids, vectors, d, payloads) =>
  UsearchVectorIndex.fromVectors(ids, vectors, d, {
    threads: 1,
    hnsw: { m: 8, efConstruction: 64, quantization: 'f16' },
    ...(payloads ? { payloads } : {}),
  }),
);

/** n unit vectors in d dimensions around `clusters` seeded centres (the shape of trained embeddings). */
function clustered(n: number, d: number, clusters: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const centres = Float32Array.from({ length: clusters * d }, () => random.normal());
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = random.int(0, clusters - 1);
    for (let p = 0; p < d; p++) out[i * d + p] = centres[c * d + p]! + 0.6 * random.normal();
  }
  return out;
}

function bruteForceTop(vectors: Float32Array, d: number, query: Float32Array, k: number): number[] {
  const n = vectors.length / d;
  const cos = (i: number): number => {
    let dot = 0;
    let nv = 0;
    let nq = 0;
    for (let p = 0; p < d; p++) {
      dot += query[p]! * vectors[i * d + p]!;
      nv += vectors[i * d + p]! ** 2;
      nq += query[p]! ** 2;
    }
    return dot / Math.sqrt(nv * nq);
  };
  return Array.from({ length: n }, (_, i) => [i, cos(i)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([i]) => i);
}

describe('UsearchVectorIndex', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('finds at least 95 % of the exact top 100 on clustered data (4,000 items, 16-d, 30 queries)', async () => {
    const d = 16;
    const vectors = clustered(4000, d, 40, 1);
    const ids = Array.from({ length: 4000 }, (_, i) => `i${i}`);
    const index = UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1, hnsw: { efSearch: 64 } });
    const queries = clustered(30, d, 40, 2);
    let found = 0;
    for (let q = 0; q < 30; q++) {
      const query = queries.subarray(q * d, (q + 1) * d);
      const truth = new Set(bruteForceTop(vectors, d, query, 100).map((i) => `i${i}`));
      const hits = await index.search(query, 100);
      expect(hits.length).toBe(100);
      found += hits.filter((h) => truth.has(h.itemId)).length;
    }
    expect(found / 3000).toBeGreaterThanOrEqual(0.95);
  });

  it('answers a filter too selective for the graph by an exact scan, and counts it', async () => {
    const d = 8;
    const vectors = clustered(3000, d, 10, 3);
    const ids = Array.from({ length: 3000 }, (_, i) => `i${i}`);
    const index = UsearchVectorIndex.fromVectors(ids, vectors, d, {
      threads: 1,
      maxOverFetch: 64,
      hnsw: { efSearch: 16 },
    });
    const query = vectors.slice(0, d);
    const allowed = (id: string): boolean => Number(id.slice(1)) % 250 === 7; // 12 items
    const hits = await index.search(query, 20, { allow: allowed });
    const expected = bruteForceTop(vectors, d, query, 3000)
      .map((i) => `i${i}`)
      .filter(allowed);
    expect(hits.map((h) => h.itemId)).toEqual(expected);
    expect(index.searchStats).toEqual({ searches: 1, refetches: 1, exactFallbacks: 1 });
  });

  it('shares a normalised vector array without copying it, and never writes to it', async () => {
    const vectors = Float32Array.from([1, 0, 0, 1, 0.6, 0.8]);
    const before = Array.from(vectors);
    const index = UsearchVectorIndex.fromVectors(['a', 'b', 'c'], vectors, 2, {
      shareVectors: true,
      threads: 1,
    });
    await index.upsert([{ itemId: 'a', vector: Float32Array.from([0, -1]) }]);
    expect(Array.from(vectors)).toEqual(before);
    expect((await index.search(Float32Array.from([0, -1]), 1))[0]!.itemId).toBe('a');
    expect(Array.from((await index.vectorOf('c'))!)).toEqual([
      expect.closeTo(0.6, 6),
      expect.closeTo(0.8, 6),
    ]);
  });

  it('saves the graph to cacheFile and loads it on the next start for the same vectors only', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-ann-'));
    dirs.push(dir);
    const cacheFile = path.join(dir, 'graph.usearch');
    const d = 6;
    const vectors = clustered(500, d, 5, 4);
    const ids = Array.from({ length: 500 }, (_, i) => `i${i}`);
    const first = UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1, cacheFile });
    const second = UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1, cacheFile });
    expect([first.origin.source, second.origin.source]).toEqual(['built', 'cache']);
    const query = vectors.slice(3 * d, 4 * d);
    expect(await second.search(query, 10)).toEqual(await first.search(query, 10));
    const changed = vectors.slice();
    changed[0] = 42;
    const third = UsearchVectorIndex.fromVectors(ids, changed, d, { threads: 1, cacheFile });
    expect(third.origin.source).toBe('built');
  });

  it('rebuilds instead of loading a truncated or altered graph file (USearch would abort the process), and upgrades an old sidecar', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-ann-'));
    dirs.push(dir);
    const cacheFile = path.join(dir, 'graph.usearch');
    const d = 6;
    const vectors = clustered(400, d, 5, 7);
    const ids = Array.from({ length: 400 }, (_, i) => `i${i}`);
    const build = (): UsearchVectorIndex =>
      UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1, cacheFile });
    expect(build().origin.source).toBe('built');
    const whole = readFileSync(cacheFile);
    const meta = JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({
      fileBytes: whole.length,
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    writeFileSync(cacheFile, whole.subarray(0, Math.floor(whole.length / 3))); // truncated
    expect(build().origin.source).toBe('built');
    const flipped = readFileSync(cacheFile);
    flipped[flipped.length - 10] = flipped[flipped.length - 10]! ^ 0xff; // same size, one byte changed
    writeFileSync(cacheFile, flipped);
    expect(build().origin.source).toBe('built');
    // A sidecar from before the file checks: loaded as before, then given the checks.
    const {
      fileBytes: _bytes,
      fileSha256: _hash,
      ...old
    } = JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8')) as Record<string, unknown>;
    writeFileSync(`${cacheFile}.json`, JSON.stringify(old));
    expect(build().origin.source).toBe('cache');
    expect(JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8'))).toHaveProperty('fileSha256');
  });

  it('rebuilds a cached graph saved with other graph parameters, and records them beside it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-ann-'));
    dirs.push(dir);
    const cacheFile = path.join(dir, 'graph.usearch');
    const d = 6;
    const vectors = clustered(300, d, 5, 6);
    const ids = Array.from({ length: 300 }, (_, i) => `i${i}`);
    const build = (hnsw: Parameters<typeof resolveHnswParameters>[0]): UsearchVectorIndex =>
      UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1, cacheFile, hnsw });
    expect(build({ m: 8, efConstruction: 32 }).origin.source).toBe('built');
    expect(build({ m: 8, efConstruction: 32, efSearch: 7 }).origin.source).toBe('cache'); // efSearch is search-time
    expect(build({ m: 12, efConstruction: 32 }).origin.source).toBe('built');
    expect(build({ m: 12, efConstruction: 48 }).origin.source).toBe('built');
    expect(build({ m: 12, efConstruction: 48, quantization: 'f32' }).origin.source).toBe('built');
    const meta = JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8')) as { graph: unknown; size: number };
    expect(meta).toMatchObject({
      size: 300,
      graph: { metric: 'ip', m: 12, efConstruction: 48, quantization: 'f32' },
    });
  });

  it('takes efSearch as a search-time setting: raising it never lowers recall, and it is range-checked', async () => {
    const d = 16;
    const vectors = clustered(3000, d, 30, 5);
    const ids = Array.from({ length: 3000 }, (_, i) => `i${i}`);
    // f32: graph distances are exact, so a beam over every item ranks the true top first.
    const index = UsearchVectorIndex.fromVectors(ids, vectors, d, {
      threads: 1,
      hnsw: { efSearch: 8, quantization: 'f32' },
    });
    const query = vectors.slice(0, d);
    const truth = new Set(bruteForceTop(vectors, d, query, 50).map((i) => `i${i}`));
    const recall = async (): Promise<number> =>
      (await index.search(query, 50)).filter((h) => truth.has(h.itemId)).length / 50;
    const low = await recall();
    index.setEfSearch(3000);
    expect(index.parameters.efSearch).toBe(3000);
    expect(await recall()).toBe(1); // a beam of n: the walk visits every item
    expect(low).toBeLessThanOrEqual(1);
    expect(() => index.setEfSearch(0)).toThrow(RangeError);
  });

  it('keeps upserted items across a change of efSearch (the graph is reloaded with the new width)', async () => {
    const d = 8;
    const vectors = clustered(400, d, 4, 7);
    const ids = Array.from({ length: 400 }, (_, i) => `i${i}`);
    const index = UsearchVectorIndex.fromVectors(ids, vectors, d, { threads: 1 });
    const fresh = Float32Array.from({ length: d }, (_, p) => (p === 0 ? 1 : 0));
    await index.upsert([{ itemId: 'new', vector: fresh }]);
    index.setEfSearch(64);
    expect(index.parameters.efSearch).toBe(64);
    expect(index.size).toBe(401);
    expect((await index.search(fresh, 1))[0]).toEqual({ itemId: 'new', score: expect.closeTo(1, 6) });
    const empty = UsearchVectorIndex.fromVectors([], new Float32Array(0), d, { threads: 1 });
    empty.setEfSearch(32);
    expect(await empty.search(fresh, 3)).toEqual([]);
  });

  it('builds and serves when the cache folder cannot be created (its path runs through a file)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-ann-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'not-a-dir'), 'x');
    const d = 6;
    const vectors = clustered(300, d, 3, 9);
    const ids = Array.from({ length: 300 }, (_, i) => `i${i}`);
    const index = UsearchVectorIndex.fromVectors(ids, vectors, d, {
      threads: 1,
      cacheFile: path.join(dir, 'not-a-dir', 'graph.usearch'),
    });
    expect(index.origin.source).toBe('built');
    expect((await index.search(vectors.slice(0, d), 1))[0]!.itemId).toBe('i0');
  });

  it('returns no hit for a zero query', async () => {
    const index = UsearchVectorIndex.fromVectors(['a'], Float32Array.from([1, 0]), 2, { threads: 1 });
    expect(await index.search(new Float32Array(2), 5)).toEqual([]);
  });

  it('refuses parameters outside their documented ranges with a RangeError naming them', () => {
    expect(() => resolveHnswParameters({ m: 2 })).toThrow(
      /HNSW m: expected an integer in 4\.\.64, received 2/,
    );
    expect(() => resolveHnswParameters({ efConstruction: 8 })).toThrow(/efConstruction/);
    expect(() => resolveHnswParameters({ quantization: 'f8' as 'f16' })).toThrow(/quantization/);
    expect(resolveHnswParameters({})).toEqual({
      m: 24,
      efConstruction: 256,
      efSearch: 1024,
      quantization: 'i8',
    });
  });
});
