import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../models/registry/registryPaths.js';
import { createRandom } from '../domain/random.js';
import type { HnswParameters } from '../stores/ann/hnswParameters.js';
import { UsearchVectorIndex } from '../stores/ann/usearchVectorIndex.js';
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
}

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
 */
export async function annStudy(
  catalog: PreparedCatalog,
  options: {
    readonly queries: number;
    readonly cacheFile: string;
    readonly log: (line: string) => void;
    /** efSearch values to measure besides the default (recall and latency at k = 100). @default [] */
    readonly sweep?: readonly number[];
  },
): Promise<AnnStudyResult> {
  const dir = join(catalog.registry, catalog.modelName, catalog.version);
  const manifest = readManifest(catalog.registry, catalog.modelName, catalog.version);
  const r = manifest.retrieval;
  const itemIds = JSON.parse(readFileSync(join(dir, r.itemIds), 'utf8')) as string[];
  const dim = r.vectorDimension;
  const vectors = readF32(join(dir, r.itemVectors));
  const userVectors = readF32(join(dir, r.userFactors));
  const users = userVectors.length / r.dimension;
  options.log(
    `ANN study on ${catalog.name}: building or loading the HNSW graph over ${itemIds.length} vectors`,
  );
  const ann = UsearchVectorIndex.fromVectors(itemIds, vectors, dim, {
    shareVectors: true,
    cacheFile: options.cacheFile,
  });
  const exact = ExactVectorIndex.fromVectors(itemIds, vectors, dim);
  const random = createRandom(99);
  const queries: Float32Array[] = [];
  for (let q = 0; q < options.queries; q++) {
    const u = random.int(0, users - 1);
    const query = new Float32Array(dim);
    query.set(userVectors.subarray(u * r.dimension, (u + 1) * r.dimension));
    queries.push(query);
  }
  for (const q of queries.slice(0, 20)) {
    await ann.search(q, 100);
    await exact.search(q, 100);
  }
  const annH = new LatencyHistogram();
  const annFilteredH = new LatencyHistogram();
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
  let recall = 0;
  for (let i = 0; i < queries.length; i++) {
    const t = performance.now();
    const hits = await ann.search(queries[i]!, 100);
    annH.record(performance.now() - t);
    recall += hits.filter((h) => truths[i]!.has(h.itemId)).length / Math.max(1, truths[i]!.size);
  }
  for (const q of queries) {
    const excluded = Array.from({ length: 50 }, () => itemIds[random.int(0, itemIds.length - 1)]!);
    const excludedSet = new Set(excluded);
    const t = performance.now();
    await ann.search(q, 200, {
      filter: { excludeIds: excluded, availableOnly: true },
      exclude: (id) => excludedSet.has(id),
    });
    annFilteredH.record(performance.now() - t);
  }
  const searchStats = ann.searchStats;
  const parameters = ann.parameters;
  const sweep: AnnStudyResult['sweep'][number][] = [];
  for (const efSearch of options.sweep ?? []) {
    ann.setEfSearch(efSearch);
    const h = new LatencyHistogram();
    let found = 0;
    for (let q = 0; q < queries.length; q++) {
      const t = performance.now();
      const hits = await ann.search(queries[q]!, 100);
      h.record(performance.now() - t);
      found += hits.filter((x) => truths[q]!.has(x.itemId)).length / Math.max(1, truths[q]!.size);
    }
    sweep.push({ efSearch, recallAt100: found / queries.length, latency: h.summary() });
  }
  ann.setEfSearch(parameters.efSearch);
  return {
    catalog: catalog.name,
    items: itemIds.length,
    dimension: dim,
    queries: queries.length,
    parameters,
    graph: ann.origin,
    recallAt100: recall / queries.length,
    annLatency: annH.summary(),
    annFilteredLatency: annFilteredH.summary(),
    exactLatency: exactH.summary(),
    searchStats,
    sweep,
  };
}

function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
