import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import { IvfVectorIndex } from '../../src/stores/ann/ivfVectorIndex.js';
import type { IvfStorage } from '../../src/stores/ann/ivfVectorIndex.js';
import { FileModelRegistry } from '../../src/stores/file/fileModelRegistry.js';
import { loadVersionBundle } from '../../models/registry/loadVersionBundle.js';
import { ExactVectorIndex } from '../../src/stores/embedded/exactVectorIndex.js';
import { halfTable } from '../../src/domain/halfFloat.js';
import { unitQuery } from '../../src/stores/embedded/unitQuery.js';
import { float32Vectors } from '../../src/domain/itemVectors.js';
import type { Gateway } from '../../src/services/gateway.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * `RECGATE_VECTOR_INDEX=ivf`: the gateway serves from an IVF-Flat index built
 * from the model's vectors, caches its list assignment in `annCacheDir`
 * and, on the next start, loads it instead of training again.
 */
let registry: string;
let tmp: string;

beforeAll(async () => {
  registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-ivf-gateway-'));
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function start(ivfStorage: IvfStorage = 'float32'): Promise<Gateway> {
  return createGateway({
    registryDir: registry,
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    vectorIndex: 'ivf',
    ivfProbes: 4,
    ivfStorage,
    annCacheDir: path.join(tmp, 'ann'),
  });
}

describe('Gateway: IVF-Flat vector index', () => {
  it('serves similar items from the IVF index and caches its lists for the next start', async () => {
    const first = await start();
    const cached = readdirSync(path.join(tmp, 'ann'));
    expect(cached.filter((f) => f.endsWith('.ivf'))).toHaveLength(1);
    // RECGATE_VECTOR_PRECISION=auto (the default) with storage float32: float32 rows, lists trained on them.
    expect(cached.filter((f) => f.includes('-f16'))).toEqual([]);
    const file = path.join(
      tmp,
      'ann',
      cached.find((f) => f.endsWith('.ivf'))!,
    );
    expect(existsSync(`${file}.json`)).toBe(true);
    const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
    const items = JSON.parse(
      readFileSync(path.join(registry, 'default', version, 'items.json'), 'utf8'),
    ) as string[];
    const seed = items[0]!;
    const ask = { itemId: seed, userId: null, first: 10, filter: null };
    const similar = await first.similarItems(ask, first.createRequestScope());
    expect(similar.items.length).toBe(10);
    expect(similar.items.map((i) => i.itemId)).not.toContain(seed);
    const written = statSync(file).mtimeMs;
    await first.close();
    const second = await start();
    const again = await second.similarItems(ask, second.createRequestScope());
    expect(again.items.map((i) => i.itemId)).toEqual(similar.items.map((i) => i.itemId));
    expect(statSync(file).mtimeMs).toBe(written); // loaded, not trained and written again
    await second.close();
  });

  it('drops an item made unavailable through upsertItems from the IVF hits, and brings it back when it is available again', async () => {
    const gateway = await start();
    try {
      const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
      const items = JSON.parse(
        readFileSync(path.join(registry, 'default', version, 'items.json'), 'utf8'),
      ) as string[];
      const ask = { itemId: items[3]!, userId: null, first: 10, filter: null };
      const ids = async (): Promise<string[]> =>
        (await gateway.similarItems(ask, gateway.createRequestScope())).items.map((i) => i.itemId);
      const before = await ids();
      const hidden = before[0]!;
      expect((await gateway.upsertItems([{ id: hidden, available: false }])).upserted).toBe(1);
      const without = await ids();
      expect(without).not.toContain(hidden);
      expect(without.slice(0, 9)).toEqual(before.slice(1));
      await gateway.upsertItems([{ id: hidden, available: true }]);
      expect(await ids()).toEqual(before);
    } finally {
      await gateway.close();
    }
  });

  it.each(['int8', 'none'] as const)(
    "with RECGATE_IVF_STORAGE=%s shares the trained model's rows and finds exactly what float32 finds",
    async (storage) => {
      // The index as the gateway builds it, both ways, on the trained registry's own rows. Compared
      // below the ranker: a served list also holds near-tied ranker scores and exploration slots.
      const files = new FileModelRegistry({ dir: registry, modelName: 'default' });
      const { bundle, catalog } = await files.load((await files.currentVersion())!);
      const dim = bundle.dimension + 1;
      const build = (s: IvfStorage): IvfVectorIndex =>
        IvfVectorIndex.fromVectors(bundle.itemIds, bundle.itemVectors, dim, {
          payloads: catalog,
          idIndex: bundle.itemIndex,
          storage: s,
          ivf: { probes: 4 },
        });
      const float32 = build('float32');
      const shared = build(storage);
      expect([float32.storage, shared.storage]).toEqual(['float32', storage]);
      const n = bundle.itemIds.length;
      for (let j = 0; j < 60; j++) {
        const row = Math.floor((j * n) / 60);
        const query = float32Vectors(bundle.itemVectors, dim).slice(row * dim, (row + 1) * dim);
        for (const k of [10, 200]) {
          const options =
            j % 2 === 0 ? {} : { availableOnly: true, exclude: (id: string) => id.endsWith('7') };
          expect(await shared.search(query, k, options)).toEqual(await float32.search(query, k, options));
        }
      }
      // And the gateway serves with it.
      const gateway = await start(storage);
      try {
        const similar = await gateway.similarItems(
          { itemId: bundle.itemIds.at(0)!, userId: null, first: 10, filter: null },
          gateway.createRequestScope(),
        );
        expect(similar.items).toHaveLength(10);
      } finally {
        await gateway.close();
      }
    },
  );

  it('with RECGATE_VECTOR_PRECISION=float16 scans the halves in place and finds the exact top k of their decoded values', async () => {
    const files = new FileModelRegistry({ dir: registry, modelName: 'default', vectorPrecision: 'float16' });
    const { bundle, catalog } = await files.load((await files.currentVersion())!);
    const halves = bundle.itemVectors;
    expect(halves).toBeInstanceOf(Uint16Array);
    const dim = bundle.dimension + 1;
    const n = bundle.itemIds.length;
    const ivf = IvfVectorIndex.fromVectors(bundle.itemIds, halves, dim, {
      payloads: catalog,
      idIndex: bundle.itemIndex,
      storage: 'none',
    });
    expect(ivf.storage).toBe('none'); // no copy: the halves are the rows it scans
    ivf.setProbes(ivf.lists); // every list: the result must be the exact top k
    const table = halfTable();
    for (let j = 0; j < 12; j++) {
      const row = Math.floor((j * n) / 12);
      const query = float32Vectors(halves, dim).slice(row * dim, (row + 1) * dim);
      // The index scores the unit query: float64 sums of its float32 values times the decoded halves.
      const unit = unitQuery(query, dim)!;
      const scores = Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let p = 0; p < dim; p++) s += unit[p]! * table[halves[i * dim + p]!]!;
        s += unit[dim - 1]!; // the last value of a half row is stored minus 1 (ItemVectors)
        return { itemId: bundle.itemIds.at(i), s };
      }).sort((a, b) => b.s - a.s);
      const hits = await ivf.search(query, 10);
      expect(hits.map((h) => h.itemId)).toEqual(scores.slice(0, 10).map((x) => x.itemId));
      expect(hits.map((h) => h.score)).toEqual(scores.slice(0, 10).map((x) => x.s));
    }
    // The gateway serves with it, and keeps its IVF list cache apart from the float32 one.
    const gateway = await createGateway({
      registryDir: registry,
      eventLogFile: path.join(tmp, 'events-f16.jsonl'),
      eventLogFsync: 'never',
      vectorIndex: 'ivf',
      ivfProbes: 4,
      ivfStorage: 'none',
      vectorPrecision: 'float16',
      annCacheDir: path.join(tmp, 'ann-f16'),
    });
    try {
      const similar = await gateway.similarItems(
        { itemId: bundle.itemIds.at(0)!, userId: null, first: 10, filter: null },
        gateway.createRequestScope(),
      );
      expect(similar.items).toHaveLength(10);
      expect(
        readdirSync(path.join(tmp, 'ann-f16')).filter((f) => f.endsWith('-f16.l0-s65536-i10-r42.ivf')),
      ).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });

  it('with RECGATE_VECTOR_PRECISION=auto (the default) keeps halves once the catalog passes annMinItems, float32 below', async () => {
    const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
    const { bundle } = loadVersionBundle(registry, 'default', version);
    const n = bundle.itemIds.length;
    const serveWith = async (annMinItems: number, cacheDir: string): Promise<string[]> => {
      const gateway = await createGateway({
        registryDir: registry,
        eventLogFile: path.join(tmp, `events-auto-${annMinItems}.jsonl`),
        eventLogFsync: 'never',
        annMinItems, // vectorIndex embedded, ivfStorage none and vectorPrecision auto: the defaults
        ivfProbes: 4,
        annCacheDir: path.join(tmp, cacheDir),
      });
      try {
        const similar = await gateway.similarItems(
          {
            itemId: bundle.itemIds.at(0)!,
            userId: null,
            first: 10,
            filter: null,
          },
          gateway.createRequestScope(),
        );
        expect(similar.items).toHaveLength(10);
      } finally {
        await gateway.close();
      }
      const dir = path.join(tmp, cacheDir);
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ivf')) : [];
    };
    // Past annMinItems: IVF-Flat over the halves, its lists trained on them (the -f16 cache file).
    const past = await serveWith(n - 1, 'ann-auto-past');
    expect(past).toHaveLength(1);
    expect(past[0]).toMatch(/-f16\./);
    // At annMinItems: the exact index, no IVF lists at all.
    expect(await serveWith(n, 'ann-auto-at')).toEqual([]);
  });

  it('with RECGATE_VECTOR_PRECISION=float16 answers item-vector queries (similar items) like exact search over float32', async () => {
    // Regression (attack on the float16 work): a model's item vectors end in sqrt(1 − ‖y‖²/M²), near 1
    // for most items, and item-to-item scores all lie near 1; rounded to binary16 directly, that value
    // (steps of 2⁻¹¹) decided the ranking: the same few items for every seed, recall@20 0.025.
    const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
    const l32 = loadVersionBundle(registry, 'default', version);
    const l16 = loadVersionBundle(registry, 'default', version, { vectorPrecision: 'float16' });
    const dim = l32.manifest.retrieval.vectorDimension;
    const ids = [...l32.bundle.itemIds];
    const exact32 = ExactVectorIndex.fromVectors(ids, l32.bundle.itemVectors as Float32Array, dim);
    const ivf16 = IvfVectorIndex.fromVectors(ids, l16.bundle.itemVectors, dim, {
      storage: 'none',
      idIndex: l16.bundle.itemIndex,
      ivf: { probes: 65536 }, // every list: this is not about the lists
    });
    expect(ivf16.storage).toBe('none');
    let recall = 0;
    let maxScore = -Infinity;
    const tops = new Set<string>();
    const seeds = 50;
    for (let k = 0; k < seeds; k++) {
      const seed = ids[(k * 7919) % ids.length]!;
      const q = (await exact32.vectorOf(seed))!;
      const truth = new Set((await exact32.search(q, 20)).map((h) => h.itemId));
      const hits = await ivf16.search(q, 20);
      recall += hits.filter((h) => truth.has(h.itemId)).length / 20 / seeds;
      maxScore = Math.max(maxScore, ...hits.map((h) => h.score));
      tops.add(hits[0]!.itemId);
    }
    // Rows rounded to binary16 are unit to ~10⁻⁵: a cosine may pass 1 by that much, not more.
    expect(maxScore).toBeLessThanOrEqual(1 + 1e-4);
    expect(tops.size).toBeGreaterThan(seeds / 2); // not the same few rows for every seed
    expect(recall).toBeGreaterThan(0.8); // 0.951 on the bundled data; 0.025 before the fix
  }, 300_000);

  it('keeps one cache file per list count, so replicas with different RECGATE_IVF_LISTS sharing a folder both load theirs', async () => {
    // Regression: the file name held only the model version, so each replica overwrote the other's lists.
    const dir = mkdtempSync(path.join(tmp, 'shared-'));
    const open = (ivfLists: number): Promise<Gateway> =>
      createGateway({
        registryDir: registry,
        eventLogFile: path.join(dir, `events-${ivfLists}.jsonl`),
        eventLogFsync: 'never',
        vectorIndex: 'ivf',
        ivfLists,
        annCacheDir: path.join(dir, 'ann'),
      });
    const files = (): string[] =>
      readdirSync(path.join(dir, 'ann'))
        .filter((f) => f.endsWith('.ivf'))
        .sort();
    const written = (): number[] => files().map((f) => statSync(path.join(dir, 'ann', f)).mtimeMs);
    for (const lists of [8, 16]) await (await open(lists)).close();
    expect(files()).toHaveLength(2);
    expect(files()[0]).toMatch(/\.l16-s65536-i10-r42\.ivf$/);
    expect(files()[1]).toMatch(/\.l8-s65536-i10-r42\.ivf$/);
    const first = written();
    for (const lists of [8, 16]) await (await open(lists)).close();
    expect(files()).toHaveLength(2);
    expect(written()).toEqual(first); // both loaded, neither trained and written again
  });

  it('is the embedded default past annMinItems; `ann` still picks HNSW', async () => {
    const pick = async (vectorIndex: 'embedded' | 'ann', annMinItems: number): Promise<string[]> => {
      const dir = mkdtempSync(path.join(tmp, `pick-${vectorIndex}-`));
      const g = await createGateway({
        registryDir: registry,
        eventLogFile: path.join(dir, 'events.jsonl'),
        eventLogFsync: 'never',
        vectorIndex,
        annMinItems,
        annCacheDir: path.join(dir, 'ann'),
      });
      await g.close();
      return existsSync(path.join(dir, 'ann'))
        ? readdirSync(path.join(dir, 'ann')).filter((f) => !f.endsWith('.json'))
        : [];
    };
    // The cache file names the index the gateway built.
    expect((await pick('embedded', 10)).map((f) => path.extname(f))).toEqual(['.ivf']);
    expect(await pick('embedded', 1_000_000)).toEqual([]); // exact: nothing to cache
    expect((await pick('ann', 1_000_000)).map((f) => path.extname(f))).toEqual(['.usearch']);
  });
});
