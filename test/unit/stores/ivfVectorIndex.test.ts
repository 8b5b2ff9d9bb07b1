import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { automaticIvfLists, resolveIvfParameters } from '../../../src/stores/ann/ivfParameters.js';
import { IvfVectorIndex } from '../../../src/stores/ann/ivfVectorIndex.js';
import { sphericalKMeans } from '../../../src/stores/ann/sphericalKMeans.js';
import { ExactVectorIndex } from '../../../src/stores/embedded/exactVectorIndex.js';
import { allocateKernelRows } from '../../../src/stores/embedded/kernelRows.js';
import { expectRowHints } from '../../support/vectorRowHints.js';
import { vectorIndexContract } from '../../contracts/vectorIndexContract.js';

// Default parameters: the automatic list count is at most n / 64, so the contract's catalogs of up
// to 1,024 items have at most 16 lists, all probed (exact); its 1,500-item catalog has 23 lists, and
// its 1,200 excluded ids make the search widen past the 16 probes to every list.
vectorIndexContract('ivf-flat (default parameters)', async (ids, vectors, d, payloads) =>
  IvfVectorIndex.fromVectors(ids, vectors, d, payloads === undefined ? {} : { payloads }),
);

// 16 lists all probed: the contract through the list machinery (centroid ranking, range scans,
// the threshold selection under constraints, the upsert tail).
vectorIndexContract('ivf-flat (16 lists, 16 probes)', async (ids, vectors, d, payloads) =>
  IvfVectorIndex.fromVectors(ids, vectors, d, {
    ivf: { lists: 16, probes: 16 },
    ...(payloads === undefined ? {} : { payloads }),
  }),
);

// The same contract with the caller's rows read in place (storage int8: codes, re-scored from the
// rows; none: the rows scanned in place): rows the contract gives that are not unit vectors are
// copied instead, as documented; the unit-row versions below take the shared paths.
for (const storage of ['int8', 'none'] as const) {
  vectorIndexContract(
    `ivf-flat, storage ${storage} (16 lists, 16 probes)`,
    async (ids, vectors, d, payloads) =>
      IvfVectorIndex.fromVectors(ids, inKernelRows(vectors), d, {
        ivf: { lists: 16, probes: 16 },
        storage,
        ...(payloads === undefined ? {} : { payloads }),
      }),
  );
  vectorIndexContract(
    `ivf-flat, storage ${storage}, unit rows (16 lists, 16 probes)`,
    async (ids, vectors, d, payloads) =>
      IvfVectorIndex.fromVectors(ids, inKernelRows(unitRowsOf(vectors, d)), d, {
        ivf: { lists: 16, probes: 16 },
        storage,
        ...(payloads === undefined ? {} : { payloads }),
      }),
  );
}

/** A copy of `v` in WebAssembly memory (allocateKernelRows), as a served model's item vectors are. */
function inKernelRows(v: Float32Array): Float32Array {
  const out = allocateKernelRows(v.length);
  out.set(v);
  return out;
}

/**
 * The rows of `v` (d floats each) scaled to unit length until scaling again
 * changes nothing, as a registry's items.f32 holds them (the index's own
 * normalisation then leaves them as they are).
 */
function unitRowsOf(v: Float32Array, d: number): Float32Array {
  const out = v.slice();
  for (let o = 0; o < out.length; o += d) {
    for (let pass = 0; pass < 8; pass++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += out[o + i]! * out[o + i]!;
      const scale = 1 / Math.sqrt(s);
      let changed = false;
      for (let i = 0; i < d; i++) {
        const x = Math.fround(out[o + i]! * scale);
        if (x !== out[o + i]) changed = true;
        out[o + i] = x;
      }
      if (!changed) break;
    }
  }
  return out;
}

/** n unit-ish vectors in d dimensions around `clusters` seeded centres (the shape of trained embeddings). */
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

const idsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `i${i}`);

describe('IvfVectorIndex', () => {
  it('gives every hit its build row as a hint, and −1 to an item upserted later', async () => {
    await expectRowHints(async (ids, vectors, d) =>
      IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 8, probes: 8 } }),
    );
  });

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-ivf-'));
    dirs.push(dir);
    return dir;
  };

  it('finds at least 95 % of the exact top 100 on clustered data (20,000 items, 16-d, 64 lists, 16 probes)', async () => {
    const d = 16;
    const n = 20_000;
    const vectors = clustered(n, d, 50, 1);
    const ids = idsOf(n);
    const ivf = IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 64, probes: 16 } });
    const exact = ExactVectorIndex.fromVectors(ids, vectors, d);
    expect(ivf.lists).toBeGreaterThan(48);
    const queries = clustered(40, d, 50, 2);
    let found = 0;
    for (let q = 0; q < 40; q++) {
      const query = queries.subarray(q * d, (q + 1) * d);
      const truth = new Set((await exact.search(query, 100)).map((h) => h.itemId));
      const hits = await ivf.search(query, 100);
      expect(hits.length).toBe(100);
      found += hits.filter((h) => truth.has(h.itemId)).length;
    }
    expect(found / 4000).toBeGreaterThanOrEqual(0.95);
    expect(found / 4000).toBeLessThan(1); // 16 of ~64 lists: approximate, not a disguised full scan
  });

  it('returns exactly the exact index’s hits (ids and scores) when probes ≥ lists', async () => {
    const d = 12;
    const n = 3000;
    const vectors = clustered(n, d, 20, 3);
    const ids = idsOf(n);
    const ivf = IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 32, probes: 32 } });
    const exact = ExactVectorIndex.fromVectors(ids, vectors, d);
    const queries = clustered(10, d, 20, 4);
    for (let q = 0; q < 10; q++) {
      const query = queries.subarray(q * d, (q + 1) * d);
      expect(await ivf.search(query, 50)).toEqual(await exact.search(query, 50));
      const filter = { excludeIds: ids.slice(0, 500), availableOnly: true };
      expect(await ivf.search(query, 30, { filter })).toEqual(await exact.search(query, 30, { filter }));
    }
    expect(ivf.searchStats.refetches).toBe(0);
  });

  it('widens to more lists, then scans every row, when constraints leave too few hits, and counts it', async () => {
    const d = 8;
    const n = 4000;
    const vectors = clustered(n, d, 10, 5);
    const ids = idsOf(n);
    const ivf = IvfVectorIndex.fromVectors(ids, vectors, d, {
      ivf: { lists: 64, probes: 2 },
      maxProbes: 8,
    });
    const exact = ExactVectorIndex.fromVectors(ids, vectors, d);
    const query = vectors.slice(0, d);
    const allow = (id: string): boolean => Number(id.slice(1)) % 400 === 7; // 10 items, spread over clusters
    const hits = await ivf.search(query, 10, { allow });
    expect(hits).toEqual(await exact.search(query, 10, { allow }));
    // 2 probes, then 8 (= maxProbes), then every row.
    expect(ivf.searchStats).toEqual({ searches: 1, refetches: 2, exactFallbacks: 1 });
  });

  it('keeps upserted and replaced items in a tail that every search scans', async () => {
    const d = 8;
    const n = 2000;
    const vectors = clustered(n, d, 10, 6);
    const ids = idsOf(n);
    const ivf = IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 32, probes: 1 } });
    const far = Float32Array.from({ length: d }, (_, p) => (p === 0 ? -1 : 0));
    await ivf.upsert([
      { itemId: 'new', vector: far },
      { itemId: 'i5', vector: Float32Array.from(far.map((x, p) => (p === 1 ? 0.1 : x))) },
    ]);
    const hits = await ivf.search(far, 2);
    expect(hits.map((h) => h.itemId)).toEqual(['new', 'i5']);
    expect(ivf.size).toBe(n + 1);
    // i5's old row is never returned: its own old vector now finds other items first.
    const old = vectors.slice(5 * d, 6 * d);
    const near = await ivf.search(old, 20);
    expect(near.filter((h) => h.itemId === 'i5').length).toBeLessThanOrEqual(1);
    expect(near.every((h) => h.itemId !== 'i5' || h.score < 0.5)).toBe(true);
  });

  it("answers the same through the caller's id map (idIndex) as through its own, before and after upserts", async () => {
    const d = 8;
    const n = 3000;
    const vectors = clustered(n, d, 10, 8);
    const ids = idsOf(n);
    const idIndex = new Map(ids.map((id, i) => [id, i]));
    const own = IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 32, probes: 4 } });
    const shared = IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 32, probes: 4 }, idIndex });
    // A map that does not describe `ids` is not used (here: one id short).
    const wrong = new Map(ids.slice(1).map((id, i) => [id, i]));
    const ignored = IvfVectorIndex.fromVectors(ids, vectors, d, {
      ivf: { lists: 32, probes: 4 },
      idIndex: wrong,
    });
    const far = Float32Array.from({ length: d }, (_, p) => (p === 0 ? -1 : 0));
    const steps: (() => Promise<void>)[] = [
      async () => undefined,
      async () => {
        for (const ivf of [own, shared, ignored]) {
          await ivf.upsert([
            { itemId: 'new', vector: far },
            { itemId: 'i7', vector: Float32Array.from(far.map((x, p) => (p === 2 ? 0.2 : x))) },
          ]);
          await ivf.upsert([
            { itemId: 'new', vector: Float32Array.from(far.map((x, p) => (p === 3 ? 0.1 : x))) },
          ]);
        }
      },
    ];
    for (const step of steps) {
      await step();
      for (const query of [vectors.slice(0, d), vectors.slice(7 * d, 8 * d), far]) {
        const exclude = (id: string): boolean => id.endsWith('3');
        const expected = await own.search(query, 25, { exclude });
        expect(expected.length).toBe(25);
        expect(await shared.search(query, 25, { exclude })).toEqual(expected);
        expect(await ignored.search(query, 25, { exclude })).toEqual(expected);
      }
      for (const id of ['i0', 'i7', 'new', 'absent']) {
        expect(await shared.vectorOf(id)).toEqual(await own.vectorOf(id));
      }
      expect(shared.size).toBe(own.size);
    }
    expect(own.size).toBe(n + 1);
    expect((await shared.search(far, 2)).map((h) => h.itemId)).toEqual(['new', 'i7']);
    // The caller's map and array were not written to.
    expect(idIndex.size).toBe(n);
    expect(ids.length).toBe(n);
  });

  it.each([
    ['int8', 'scans int8 codes and re-scores'],
    ['none', 'scans in place and re-scores'],
  ] as const)(
    "storage %s %s the caller's unit rows: the same hits as copied rows, in less memory",
    async (storage, _what) => {
      const d = 17; // not a multiple of 4: the gather kernel's one-by-one tail
      const n = 5000;
      const vectors = inKernelRows(unitRowsOf(clustered(n, d, 12, 9), d));
      const ids = idsOf(n);
      const idIndex = new Map(ids.map((id, i) => [id, i]));
      const before = vectors.slice();
      const options = { ivf: { lists: 32, probes: 3 }, idIndex, maxProbes: 12 };
      const copied = IvfVectorIndex.fromVectors(ids, vectors, d, options);
      const shared = IvfVectorIndex.fromVectors(ids, vectors, d, { ...options, storage });
      // Copied rows take 4·⌈d/4⌉·4 bytes each; int8 keeps one byte per dimension (rows padded to 16), none nothing.
      expect([copied.storage, shared.storage]).toEqual(['float32', storage]);
      expect(copied.memoryBytes - shared.memoryBytes).toBeGreaterThan((storage === 'int8' ? 2 : 3.5) * n * d);
      // Not unit rows: copied, as without the option.
      const raw = IvfVectorIndex.fromVectors(ids, inKernelRows(clustered(n, d, 12, 9)), d, {
        ...options,
        storage,
      });
      expect(raw.storage).toBe('float32');
      expect(Math.abs(raw.memoryBytes - copied.memoryBytes)).toBeLessThan(n * d);
      // Rows within 10⁻⁷ of unit length that normalising would still change: copied too.
      const near = inKernelRows(vectors.map((x, i) => (i < d ? x * (1 + 4e-7) : x)));
      expect(IvfVectorIndex.fromVectors(ids, near, d, { ...options, storage }).storage).toBe('float32');
      // Unit rows that are not in WebAssembly memory: none copies them (int8 needs no kernel rows).
      expect(IvfVectorIndex.fromVectors(ids, vectors.slice(), d, { ...options, storage }).storage).toBe(
        storage === 'none' ? 'float32' : 'int8',
      );
      const far = unitRowsOf(
        Float32Array.from({ length: d }, (_, p) => (p === 0 ? -1 : 0.01)),
        d,
      );
      const same = async (
        query: Float32Array,
        k: number,
        o: Parameters<IvfVectorIndex['search']>[2] = {},
      ): Promise<void> => {
        // Bit for bit: the re-score reads rows equal to the copy's.
        expect(await shared.search(query, k, o)).toEqual(await copied.search(query, k, o));
      };
      for (const step of [0, 1]) {
        if (step === 1) {
          for (const ivf of [copied, shared]) {
            await ivf.upsert([
              { itemId: 'new', vector: far },
              {
                itemId: 'i11',
                vector: unitRowsOf(
                  far.map((x, p) => (p === 1 ? 0.3 : x)),
                  d,
                ),
              },
            ]);
            await ivf.upsert([
              {
                itemId: 'new',
                vector: unitRowsOf(
                  far.map((x, p) => (p === 2 ? 0.2 : x)),
                  d,
                ),
              },
            ]);
          }
          expect((await shared.search(far, 2)).map((h) => h.itemId)).toEqual(['new', 'i11']);
        }
        for (const r of [0, 11, 4321]) await same(vectors.slice(r * d, (r + 1) * d), 50);
        await same(far, 10);
        // Constraints that leave too few hits: widening, then the exact scan of every row (tail included).
        await same(vectors.slice(0, d), 10, {
          allow: (id) => Number(id.slice(1)) % 500 === 7 || id === 'new',
        });
        await same(vectors.slice(0, d), 30, { exclude: (id) => id.endsWith('1') });
        for (const id of ['i0', 'i11', 'new', 'absent']) {
          expect(await shared.vectorOf(id)).toEqual(await copied.vectorOf(id));
        }
        expect(shared.size).toBe(copied.size);
      }
      expect(shared.searchStats.exactFallbacks).toBeGreaterThan(0);
      expect(vectors).toEqual(before); // never written to
    },
  );

  it('saves the list assignment to cacheFile and loads it for the same ids, vectors and parameters only', async () => {
    const cacheFile = path.join(tempDir(), 'lists.ivf');
    const d = 6;
    const vectors = clustered(1500, d, 8, 7);
    const ids = idsOf(1500);
    const make = (v = vectors, lists = 16): IvfVectorIndex =>
      IvfVectorIndex.fromVectors(ids, v, d, { ivf: { lists, probes: 2 }, cacheFile });
    const first = make();
    const second = make();
    expect([first.origin.source, second.origin.source]).toEqual(['built', 'cache']);
    const query = vectors.slice(3 * d, 4 * d);
    expect(await second.search(query, 10)).toEqual(await first.search(query, 10));
    expect(second.lists).toBe(first.lists);
    const changed = vectors.slice();
    changed[0] = 42;
    expect(make(changed).origin.source).toBe('built');
    expect(make(changed, 8).origin.source).toBe('built');
    expect(make(changed, 8).origin.source).toBe('cache');
  });

  it('retrains instead of loading a truncated, altered or inconsistent cache, and never throws', async () => {
    const cacheFile = path.join(tempDir(), 'lists.ivf');
    const d = 6;
    const vectors = clustered(800, d, 5, 8);
    const ids = idsOf(800);
    const make = (): IvfVectorIndex =>
      IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 8, probes: 8 }, cacheFile });
    const reference = await make().search(vectors.slice(0, d), 5);
    const whole = readFileSync(cacheFile);
    writeFileSync(cacheFile, whole.subarray(0, whole.length >> 1)); // truncated
    expect(make().origin.source).toBe('built');
    const flipped = readFileSync(cacheFile);
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0x7f; // same size, one byte changed
    writeFileSync(cacheFile, flipped);
    expect(make().origin.source).toBe('built');
    writeFileSync(`${cacheFile}.json`, '{ not json');
    const rebuilt = make();
    expect(rebuilt.origin.source).toBe('built');
    expect(await rebuilt.search(vectors.slice(0, d), 5)).toEqual(reference);
    expect(make().origin.source).toBe('cache');
  });

  it('builds and serves when the cache folder cannot be created (its path runs through a file)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'not-a-dir'), 'x');
    const vectors = clustered(300, 4, 3, 9);
    const ivf = IvfVectorIndex.fromVectors(idsOf(300), vectors, 4, {
      cacheFile: path.join(dir, 'not-a-dir', 'lists.ivf'),
    });
    expect(ivf.origin.source).toBe('built');
    expect((await ivf.search(vectors.slice(0, 4), 1))[0]!.itemId).toBe('i0');
  });

  it('takes probes as a search-time setting, range-checked', async () => {
    const d = 8;
    const vectors = clustered(3000, d, 20, 10);
    const ids = idsOf(3000);
    const ivf = IvfVectorIndex.fromVectors(ids, vectors, d, { ivf: { lists: 32, probes: 1 } });
    const exact = ExactVectorIndex.fromVectors(ids, vectors, d);
    const query = vectors.slice(0, d);
    ivf.setProbes(1000);
    expect(ivf.parameters.probes).toBe(1000);
    expect(await ivf.search(query, 40)).toEqual(await exact.search(query, 40));
    expect(() => ivf.setProbes(0)).toThrow(RangeError);
    expect(ivf.parameters.probes).toBe(1000);
  });

  it('refuses a search of the same index from inside its own predicate, and stays usable', async () => {
    const ivf = IvfVectorIndex.fromVectors(['a', 'b'], Float32Array.from([1, 0, 0, 1]), 2);
    let inner: Promise<unknown> | undefined;
    const hits = await ivf.search(Float32Array.from([1, 0]), 2, {
      exclude: () => {
        inner ??= ivf.search(Float32Array.from([0, 1]), 1);
        return false;
      },
    });
    expect(hits.map((h) => h.itemId)).toEqual(['a', 'b']);
    await expect(inner).rejects.toThrow(/its own exclude\/allow predicate/);
    expect((await ivf.search(Float32Array.from([0, 1]), 1))[0]!.itemId).toBe('b');
  });

  it('reports build progress and returns no hit for a zero query or an empty index', async () => {
    const stages = new Set<string>();
    const ivf = IvfVectorIndex.fromVectors(idsOf(500), clustered(500, 4, 3, 11), 4, {
      ivf: { lists: 9 },
      onProgress: (p) => stages.add(p.stage),
    });
    expect([...stages].sort()).toEqual(['coarse', 'copy', 'lists']);
    // Storage none copies nothing, so it reports no copy stage.
    const inPlace = new Set<string>();
    const rows = inKernelRows(unitRowsOf(clustered(500, 16, 3, 11), 16));
    const none = IvfVectorIndex.fromVectors(idsOf(500), rows, 16, {
      ivf: { lists: 9 },
      storage: 'none',
      onProgress: (p) => inPlace.add(p.stage),
    });
    expect(none.storage).toBe('none');
    expect([...inPlace].sort()).toEqual(['coarse', 'lists']);
    expect(await ivf.search(new Float32Array(4), 5)).toEqual([]);
    const empty = IvfVectorIndex.fromVectors([], new Float32Array(0), 4);
    expect(await empty.search(Float32Array.from([1, 0, 0, 0]), 3)).toEqual([]);
    await empty.upsert([{ itemId: 'a', vector: Float32Array.from([1, 0, 0, 0]) }]);
    // Upserted after the build: no row hint (VectorHit.row −1).
    expect(await empty.search(Float32Array.from([1, 0, 0, 0]), 3)).toEqual([
      { itemId: 'a', score: expect.closeTo(1, 6), row: -1 },
    ]);
  });
});

describe('sphericalKMeans', () => {
  // Hand-worked: from the initial centroids (1, 0) and (0.8, 0.6), iteration 1 puts (1,0), (0,−1),
  // (−0.6,−0.8) with (1,0) [their dots: 1, 0, −0.6 vs 0.8, −0.6, −0.96] and (0.8,0.6) alone;
  // centroid 0 = unit((0.4, −1.8)/3) = (0.21693, −0.97619). Iteration 2: (1,0) and (0.8,0.6) go to
  // (0.8,0.6), the others to centroid 0; the normalised means are unit(−0.3, −0.9) = (−0.31623,
  // −0.94868) and unit(0.9, 0.3) = (0.94868, 0.31623). Iteration 3 changes nothing.
  it('converges on a hand-worked 2-d example to the normalised means (−0.31623, −0.94868) and (0.94868, 0.31623)', () => {
    const rows = Float32Array.from([1, 0, 0.8, 0.6, 0, -1, -0.6, -0.8]);
    const centroids = sphericalKMeans(rows, 2, 2, Int32Array.from([0, 1, 2, 3]), {
      k: 2,
      iterations: 10,
      random: createRandom(1),
      initial: Float32Array.from([1, 0, 0.8, 0.6]),
    });
    const expected = [-0.316228, -0.948683, 0.948683, 0.316228];
    Array.from(centroids).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('re-seeds an empty cluster with the member worst served by its centroid', () => {
    // Both initial centroids are (1, 0): every member ties and goes to centroid 0 (ties: lower
    // centroid), whose best scores are 1, 0.8 and −1. Centroid 0 becomes unit(0.8, 0.6); the
    // empty centroid 1 takes the member worst served, (−1, 0). Iteration 2 moves (−1, 0) there.
    const rows = Float32Array.from([1, 0, 0.8, 0.6, -1, 0]);
    const centroids = sphericalKMeans(rows, 2, 2, Int32Array.from([0, 1, 2]), {
      k: 2,
      iterations: 10,
      random: createRandom(1),
      initial: Float32Array.from([1, 0, 1, 0]),
    });
    // Converged: {(1,0), (0.8,0.6)} → unit(1.8, 0.6) = (0.94868, 0.31623); {(−1, 0)} → (−1, 0).
    const expected = [0.948683, 0.316228, -1, 0];
    Array.from(centroids).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('rejects k outside 1..members and initial centroids of the wrong length', () => {
    const rows = Float32Array.from([1, 0, 0, 1]);
    const members = Int32Array.from([0, 1]);
    const opts = { iterations: 3, random: createRandom(1) };
    expect(() => sphericalKMeans(rows, 2, 2, members, { ...opts, k: 3 })).toThrow(RangeError);
    expect(() => sphericalKMeans(rows, 2, 2, members, { ...opts, k: 0 })).toThrow(RangeError);
    expect(() =>
      sphericalKMeans(rows, 2, 2, members, { ...opts, k: 2, initial: new Float32Array(3) }),
    ).toThrow(/2×2 initial centroid values, received 3/);
  });
});

describe('IVF parameters', () => {
  it('documents its defaults and the automatic list count 4·√n (power of two, ≥ 64 rows a list)', () => {
    expect(resolveIvfParameters({})).toEqual({
      lists: 0,
      probes: 16,
      trainingSample: 65_536,
      iterations: 10,
      seed: 42,
    });
    expect(automaticIvfLists(1_000_000)).toBe(4096);
    expect(automaticIvfLists(100_000)).toBe(1024);
    expect(automaticIvfLists(1500)).toBe(23); // 4·√1500 ≈ 155 → 128, capped at 1500 / 64
    expect(automaticIvfLists(10)).toBe(1);
  });

  it('refuses parameters outside their documented ranges with a RangeError naming them', () => {
    expect(() => resolveIvfParameters({ lists: -1 })).toThrow(
      /IVF lists: expected an integer in 0\.\.65536, received -1/,
    );
    expect(() => resolveIvfParameters({ probes: 0 })).toThrow(/IVF probes/);
    expect(() => resolveIvfParameters({ probes: 2.5 })).toThrow(/IVF probes/);
    expect(() => resolveIvfParameters({ iterations: 0 })).toThrow(/IVF iterations/);
    expect(() => resolveIvfParameters({ trainingSample: 0 })).toThrow(/IVF trainingSample/);
    expect(() => IvfVectorIndex.fromVectors(['a'], Float32Array.from([1, 0]), 2, { maxProbes: 0 })).toThrow(
      /IVF maxProbes: expected an integer ≥ 1, received 0/,
    );
    expect(() => IvfVectorIndex.fromVectors(['a'], Float32Array.from([1, 0, 0]), 2)).toThrow(RangeError);
  });
});
