import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../models/registry/registryPaths.js';
import { createRandom } from '../domain/random.js';
import type { HnswParameters } from '../stores/ann/hnswParameters.js';
import type { IvfParameters } from '../stores/ann/ivfParameters.js';
import { IvfVectorIndex } from '../stores/ann/ivfVectorIndex.js';
import type { IvfStorage } from '../stores/ann/ivfVectorIndex.js';
import { allocateHalfRows, allocateKernelRows } from '../stores/embedded/kernelRows.js';
import { encodeHalfRows, precisionOf } from '../domain/itemVectors.js';
import type { ItemVectors, VectorPrecision } from '../domain/itemVectors.js';
import { UsearchVectorIndex } from '../stores/ann/usearchVectorIndex.js';
import type { VectorIndex } from '../stores/vectorIndex.js';
import { ExactVectorIndex } from '../stores/embedded/exactVectorIndex.js';
import type { PreparedCatalog } from './benchCatalogs.js';
import { LatencyHistogram } from './latencyHistogram.js';
import type { LatencySummary } from './latencyHistogram.js';

/** ANN quality and speed on one catalog, against exact search on the same queries. */
export interface AnnStudyResult {
  readonly catalog: string;
  readonly items: number;
  readonly dimension: number;
  readonly queries: number;
  readonly parameters: HnswParameters;
  /** How the graph was obtained (built now or loaded from the cache) and how long it took, s. */
  readonly graph: { readonly source: 'built' | 'cache'; readonly seconds: number };
  /** Mean over queries of |ANN top 100 ∩ exact top 100| / 100. */
  readonly recallAt100: number;
  /** ANN search, k = 100, no constraints (ms). */
  readonly annLatency: LatencySummary;
  /** ANN search as the embedding source asks: k = 200, 50 excluded ids, availableOnly, an exclude predicate (ms). */
  readonly annFilteredLatency: LatencySummary;
  /** ExactVectorIndex search, k = 100 (ms). */
  readonly exactLatency: LatencySummary;
  readonly searchStats: { searches: number; refetches: number; exactFallbacks: number };
  /** Recall@100 and latency (k = 100) at other efSearch values, on the same graph and queries. */
  readonly sweep: readonly {
    readonly efSearch: number;
    readonly recallAt100: number;
    readonly latency: LatencySummary;
  }[];
  /** Growth of the process's RSS while the HNSW graph was built or loaded, bytes (GC makes it approximate). */
  readonly hnswRssGrowthBytes?: number;
  /** The IVF-Flat index on the same vectors and queries (absent in runs before it existed, or when not asked for). */
  readonly ivf?: IvfStudyResult;
  /**
   * IVF-Flat over the same vectors rounded to binary16 (`RECGATE_VECTOR_PRECISION=float16`),
   * scanned in place, against the same float32 exact truth (absent when not asked for).
   */
  readonly ivfHalf?: IvfStudyResult;
}

/** IVF-Flat measured like the HNSW graph: same queries, same exact truth, same search shapes. */
export interface IvfStudyResult {
  /** Parameters in force for the main rows (`probes` the default). */
  readonly parameters: IvfParameters;
  /** Lists of the built index. */
  readonly lists: number;
  /** How the listed rows were kept ({@link IvfVectorIndex.storage}; absent in runs before the option, which kept `float32`). */
  readonly storage?: IvfStorage;
  /** The precision of the vectors the index read (absent in runs before the option: float32). */
  readonly precision?: VectorPrecision;
  /** How the list assignment was obtained (trained now or loaded from the cache) and how long it took, s. */
  readonly build: { readonly source: 'built' | 'cache'; readonly seconds: number };
  /** WebAssembly and typed-array bytes of the index ({@link IvfVectorIndex.memoryBytes}). */
  readonly memoryBytes: number;
  /** Growth of the process's RSS while the index was built or loaded, bytes (approximate). */
  readonly rssGrowthBytes: number;
  readonly recallAt100: number;
  /**
   * Mean |IVF top 20 ∩ exact top 20| / 20 over item-vector queries (the
   * `similar` surface's: an item's own vector, {@link ITEM_QUERIES} items
   * spread over the catalog), against exact search over the float32 vectors
   * (absent in runs before it was measured).
   */
  readonly itemRecallAt20?: number;
  readonly annLatency: LatencySummary;
  readonly annFilteredLatency: LatencySummary;
  readonly searchStats: { searches: number; refetches: number; exactFallbacks: number };
  /** Recall@100 and latency (k = 100) at other probes values, on the same lists and queries. */
  readonly sweep: readonly {
    readonly probes: number;
    readonly recallAt100: number;
    readonly latency: LatencySummary;
  }[];
}

/** Item-vector queries of the IVF study ({@link IvfStudyResult.itemRecallAt20}). */
export const ITEM_QUERIES = 200;

/**
 * Measures the ANN adapter on a catalog's registry vectors: the queries are
 * `queries` trained user vectors [xᵤ, 0] (seeded sample), as the embedding
 * source sends them; recall@100 is against ExactVectorIndex on the same
 * queries; latencies are one search at a time on this thread, after 20
 * warm-up searches each: all exact searches first, then the ANN searches
 * back to back (k = 100, then k = 200 with 50 exclusions and the
 * availability filter), as the sweep measures them; `sweep` repeats
 * the ANN searches at other efSearch values (a search-time setting; each value
 * reloads the graph, see UsearchVectorIndex.setEfSearch). The graph is cached in `cacheFile` (the bench
 * server of the same catalog then loads it instead of rebuilding).
 *
 * With `ivfCacheFile`, IVF-Flat (default parameters, IvfVectorIndex) is
 * then trained (or its lists loaded from that file) on the same vectors and
 * measured the same way against the same truth, after the HNSW searches;
 * `ivfSweep` repeats its k = 100 searches at other probes values (a
 * search-time setting, no rebuild). Memory: the RSS growth while each index
 * was made (approximate: GC runs meanwhile) and IVF's own byte count.
 */
export async function annStudy(
  catalog: PreparedCatalog,
  options: {
    readonly queries: number;
    readonly cacheFile: string;
    readonly log: (line: string) => void;
    /** efSearch values to measure besides the default (recall and latency at k = 100). @default [] */
    readonly sweep?: readonly number[];
    /**
     * Also measure IVF-Flat (default parameters), its list assignment cached
     * in this file (null: trained every run; undefined: IVF not measured). @default undefined
     */
    readonly ivfCacheFile?: string | null;
    /** probes values to measure besides the default (recall and latency at k = 100). @default [] */
    readonly ivfSweep?: readonly number[];
    /** How the IVF index keeps its rows (the gateway's `RECGATE_IVF_STORAGE`). @default 'none' */
    readonly ivfStorage?: IvfStorage;
    /**
     * Also measure IVF-Flat over the vectors rounded to binary16, its lists
     * cached in this file (null: trained every run; undefined: not measured),
     * after the float32 IVF. @default undefined
     */
    readonly ivfHalfCacheFile?: string | null;
  },
): Promise<AnnStudyResult> {
  const dir = join(catalog.registry, catalog.modelName, catalog.version);
  const manifest = readManifest(catalog.registry, catalog.modelName, catalog.version);
  const r = manifest.retrieval;
  const itemIds = JSON.parse(readFileSync(join(dir, r.itemIds), 'utf8')) as string[];
  const dim = r.vectorDimension;
  // In WebAssembly memory, as the gateway loads them: IVF storage `none` scans them in place.
  const vectors = readF32(join(dir, r.itemVectors), allocateKernelRows);
  const userVectors = readF32(join(dir, r.userFactors));
  const users = userVectors.length / r.dimension;
  options.log(
    `ANN study on ${catalog.name}: building or loading the HNSW graph over ${itemIds.length} vectors`,
  );
  const rssBeforeGraph = process.memoryUsage().rss;
  const ann = UsearchVectorIndex.fromVectors(itemIds, vectors, dim, {
    shareVectors: true,
    cacheFile: options.cacheFile,
  });
  const hnswRssGrowthBytes = process.memoryUsage().rss - rssBeforeGraph;
  const exact = ExactVectorIndex.fromVectors(itemIds, vectors, dim);
  const random = createRandom(99);
  const queries: Float32Array[] = [];
  for (let q = 0; q < options.queries; q++) {
    const u = random.int(0, users - 1);
    const query = new Float32Array(dim);
    query.set(userVectors.subarray(u * r.dimension, (u + 1) * r.dimension));
    queries.push(query);
  }
  for (const q of queries.slice(0, 20)) await exact.search(q, 100);
  const exactH = new LatencyHistogram();
  // Exact search first, all queries; then the ANN searches back to back (an exact scan of
  // the whole catalog between two ANN searches would evict the CPU caches the graph uses).
  const truths: Set<string>[] = [];
  for (const q of queries) {
    const t = performance.now();
    const truth = await exact.search(q, 100);
    exactH.record(performance.now() - t);
    truths.push(new Set(truth.map((h) => h.itemId)));
  }
  const filteredShapes = queries.map(() => {
    const excluded = Array.from({ length: 50 }, () => itemIds[random.int(0, itemIds.length - 1)]!);
    return { excluded, set: new Set(excluded) };
  });
  const hnsw = await measureSearches(ann, queries, truths, filteredShapes);
  const searchStats = ann.searchStats;
  const parameters = ann.parameters;
  const sweep: AnnStudyResult['sweep'][number][] = [];
  for (const efSearch of options.sweep ?? []) {
    ann.setEfSearch(efSearch);
    sweep.push({ efSearch, ...(await recallAndLatency(ann, queries, truths)) });
  }
  ann.setEfSearch(parameters.efSearch);
  // Item-vector queries (similar items): each item's own float32 vector, with its exact top 20 as truth.
  const itemQueries: Float32Array[] = [];
  const itemTruths: Set<string>[] = [];
  if (options.ivfCacheFile !== undefined || options.ivfHalfCacheFile !== undefined) {
    for (let k = 0; k < Math.min(ITEM_QUERIES, itemIds.length); k++) {
      const row = Math.floor((k * itemIds.length) / Math.min(ITEM_QUERIES, itemIds.length));
      const q = vectors.slice(row * dim, (row + 1) * dim);
      itemQueries.push(q);
      itemTruths.push(new Set((await exact.search(q, 20)).map((h) => h.itemId)));
    }
  }
  const studyIvf = async (rows: ItemVectors, cacheFile: string | null): Promise<IvfStudyResult> => {
    const precision = precisionOf(rows);
    options.log(`ANN study on ${catalog.name}: training or loading the IVF lists (${precision} rows)`);
    const rssBefore = process.memoryUsage().rss;
    const index = IvfVectorIndex.fromVectors(itemIds, rows, dim, {
      cacheFile,
      storage: options.ivfStorage ?? 'none',
      onProgress: (p) => {
        if (p.done === p.total) options.log(`  IVF ${p.stage}: ${p.total} done`);
      },
    });
    const rssGrowthBytes = process.memoryUsage().rss - rssBefore;
    options.log(
      `  IVF: ${index.lists} lists, ${index.storage} storage, ${precision} rows, ${index.origin.source} in ${index.origin.seconds.toFixed(1)} s`,
    );
    const main = await measureSearches(index, queries, truths, filteredShapes);
    let itemRecall = 0;
    for (let k = 0; k < itemQueries.length; k++) {
      const hits = await index.search(itemQueries[k]!, 20);
      itemRecall += hits.filter((h) => itemTruths[k]!.has(h.itemId)).length / 20 / itemQueries.length;
    }
    const ivfStats = index.searchStats;
    const ivfParameters = index.parameters;
    const ivfSweep: IvfStudyResult['sweep'][number][] = [];
    for (const probes of options.ivfSweep ?? []) {
      index.setProbes(probes);
      ivfSweep.push({ probes, ...(await recallAndLatency(index, queries, truths)) });
    }
    return {
      parameters: ivfParameters,
      lists: index.lists,
      storage: index.storage,
      precision,
      itemRecallAt20: itemRecall,
      build: index.origin,
      memoryBytes: index.memoryBytes,
      rssGrowthBytes,
      ...main,
      searchStats: ivfStats,
      sweep: ivfSweep,
    };
  };
  const ivf = options.ivfCacheFile === undefined ? undefined : await studyIvf(vectors, options.ivfCacheFile);
  let ivfHalf: IvfStudyResult | undefined;
  if (options.ivfHalfCacheFile !== undefined) {
    // As the gateway loads them with RECGATE_VECTOR_PRECISION=float16: halves in WebAssembly memory.
    const halves = allocateHalfRows(vectors.length);
    encodeHalfRows(vectors, dim, halves);
    ivfHalf = await studyIvf(halves, options.ivfHalfCacheFile);
  }
  return {
    catalog: catalog.name,
    items: itemIds.length,
    dimension: dim,
    queries: queries.length,
    parameters,
    graph: ann.origin,
    recallAt100: hnsw.recallAt100,
    annLatency: hnsw.annLatency,
    annFilteredLatency: hnsw.annFilteredLatency,
    exactLatency: exactH.summary(),
    searchStats,
    sweep,
    hnswRssGrowthBytes,
    ...(ivf === undefined ? {} : { ivf }),
    ...(ivfHalf === undefined ? {} : { ivfHalf }),
  };
}

/**
 * Recall@100 against `truths` and latency of `index` on `queries` (k = 100,
 * 20 warm-up searches first), then the embedding source's shape: k = 200
 * with 50 excluded ids, availableOnly and an exclude predicate.
 */
async function measureSearches(
  index: VectorIndex,
  queries: readonly Float32Array[],
  truths: readonly Set<string>[],
  filtered: readonly { readonly excluded: string[]; readonly set: Set<string> }[],
): Promise<{ recallAt100: number; annLatency: LatencySummary; annFilteredLatency: LatencySummary }> {
  for (const q of queries.slice(0, 20)) await index.search(q, 100);
  const { recallAt100, latency } = await recallAndLatency(index, queries, truths);
  const h = new LatencyHistogram();
  for (let i = 0; i < queries.length; i++) {
    const { excluded, set } = filtered[i]!;
    const t = performance.now();
    await index.search(queries[i]!, 200, {
      filter: { excludeIds: excluded, availableOnly: true },
      exclude: (id) => set.has(id),
    });
    h.record(performance.now() - t);
  }
  return { recallAt100, annLatency: latency, annFilteredLatency: h.summary() };
}

/** Mean recall@100 against `truths` and the latency of k = 100 searches, one at a time. */
async function recallAndLatency(
  index: VectorIndex,
  queries: readonly Float32Array[],
  truths: readonly Set<string>[],
): Promise<{ recallAt100: number; latency: LatencySummary }> {
  const h = new LatencyHistogram();
  let found = 0;
  for (let q = 0; q < queries.length; q++) {
    const t = performance.now();
    const hits = await index.search(queries[q]!, 100);
    h.record(performance.now() - t);
    found += hits.filter((x) => truths[q]!.has(x.itemId)).length / Math.max(1, truths[q]!.size);
  }
  return { recallAt100: found / queries.length, latency: h.summary() };
}

function readF32(
  path: string,
  allocate: (length: number) => Float32Array = (length) => new Float32Array(length),
): Float32Array {
  const bytes = readFileSync(path);
  const out = allocate(bytes.byteLength / 4);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}
