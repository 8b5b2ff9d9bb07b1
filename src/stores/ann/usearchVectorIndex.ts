import type { ItemIdList } from '../../domain/itemIdList.js';
// About 350 lines, over the ~300 guideline: the search's over-fetch loop, its exact fallback, the
// graph cache and the efSearch reload share the row store, graph and counters; split apart they
// would need to expose them.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { compileVectorFilter, passesVectorFilter } from '../embedded/compileVectorFilter.js';
import { TopKHeap } from '../embedded/topKHeap.js';
import type {
  VectorEntry,
  VectorHit,
  VectorIndex,
  VectorPayload,
  VectorSearchOptions,
} from '../vectorIndex.js';
import { checkEntryDimensions } from '../vectorIndex.js';
import { isRegularFile, makeFolder, readCacheSidecar, writeCacheSidecar } from './cacheFiles.js';
import type { HnswParameters } from './hnswParameters.js';
import { resolveHnswParameters } from './hnswParameters.js';
import { VectorRows } from './vectorRows.js';
import { unitQuery } from '../embedded/unitQuery.js';

/** Options of {@link UsearchVectorIndex.fromVectors}; every one is optional. */
export interface UsearchVectorIndexOptions {
  /** Payload per item id (a served model's `catalog` fits as is); others have none. @default none */
  readonly payloads?: ReadonlyMap<string, VectorPayload>;
  /** Graph parameters (M, efConstruction, efSearch, quantisation). @default DEFAULT_HNSW_PARAMETERS */
  readonly hnsw?: Partial<HnswParameters>;
  /** Threads of the initial build; 0 = one per core. Searches always run on the calling thread. @default 0 */
  readonly threads?: number;
  /**
   * A file to load the graph from, when it was saved for exactly these ids,
   * vectors and graph parameters (`<cacheFile>.json` holds a SHA-256
   * fingerprint of all three and the parameters in clear: metric, M,
   * efConstruction, quantisation; efSearch is search-time and not part of it);
   * otherwise the graph is built and saved there (write + rename). null = always build.
   * @default null
   */
  readonly cacheFile?: string | null;
  /**
   * Use `vectors` as the index's float32 copy without copying it: the caller
   * guarantees every row is L2-normalised (or all zeros), as a registry's
   * `items.f32` is, and never writes to it. Halves the memory of a large
   * catalog. Ignored when `itemIds` has duplicates. @default false
   */
  readonly shareVectors?: boolean;
  /**
   * The most results one graph search may be asked for while over-fetching
   * for filters and exclusions; past it (or when the graph runs out) the
   * search falls back to an exact scan of the float32 rows. @default 8192
   */
  readonly maxOverFetch?: number;
}

/** Counters of how searches were answered (for benchmarks and logs). */
export interface AnnSearchStats {
  /** Searches that reached the graph. */
  readonly searches: number;
  /** Graph searches repeated with a larger k' because filters left too few hits. */
  readonly refetches: number;
  /** Searches answered by the exact scan (filters too selective for the graph). */
  readonly exactFallbacks: number;
}

/**
 * An in-process approximate {@link VectorIndex}: an HNSW graph (Malkov &
 * Yashunin, TPAMI 2018) from USearch (`usearch`, Unum; native, prebuilt for
 * linux-x64) over inner product of L2-normalised vectors, i.e. cosine.
 *
 * - **Build:** at construction, from all vectors at once on `threads` threads
 *   (a blocking native call; with the defaults M 24, efConstruction 256 about
 *   45 s per 100k 65-d items and ~8 min for 1M on 2 busy cores, see
 *   BENCHMARKS.md), or loaded from `cacheFile`.
 * - **Search:** the graph walks with a beam of max(efSearch, k') candidates
 *   (USearch `expansion_search`) and proposes its best k' rows (k' = 2k + 4,
 *   plus |excludeIds| under constraints); each is re-scored exactly from the float32 rows
 *   (scores are exact cosines), constraints are applied, and the best k are
 *   returned by exact score (ties: lower row first). When fewer than k pass,
 *   k' is quadrupled and the graph asked again, up to `maxOverFetch`; past
 *   that the search is an exact scan (O(n·d)), so the contract's "fills k
 *   when enough items qualify" always holds. Recall is the graph's: an item
 *   the graph does not propose is missed (measured in BENCHMARKS.md).
 * - **Upsert:** replaces a row's vector in the graph (remove + add) and its
 *   payload; new ids are appended. A zero or non-finite vector is stored as zeros.
 * - A query or vector of the wrong length rejects with a RangeError; a
 *   zero-norm query returns no hits.
 */
export class UsearchVectorIndex implements VectorIndex {
  readonly name = 'usearch-hnsw';
  readonly dimension: number;
  /** The parameters in force (`efSearch` as last set by {@link UsearchVectorIndex.setEfSearch}). */
  get parameters(): HnswParameters {
    return { ...this.graphParameters, efSearch: this.efSearch };
  }
  private readonly graphParameters: HnswParameters;
  private efSearch: number;
  /** Where the graph came from and how long building or loading took, in seconds. */
  readonly origin: { readonly source: 'built' | 'cache'; readonly seconds: number };
  private graph: Index;
  private readonly maxOverFetch: number;
  private counters = { searches: 0, refetches: 0, exactFallbacks: 0 };

  private constructor(
    private readonly rows: VectorRows,
    parameters: HnswParameters,
    options: UsearchVectorIndexOptions,
  ) {
    this.dimension = rows.dimension;
    this.graphParameters = parameters;
    this.efSearch = parameters.efSearch;
    this.maxOverFetch = Math.max(1, Math.floor(options.maxOverFetch ?? 8192));
    this.graph = newGraph(rows.dimension, parameters);
    const started = performance.now();
    const source = this.buildOrLoad(options.threads ?? 0, options.cacheFile ?? null);
    this.origin = { source, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * An index over `itemIds.length` vectors (n×dimension, row-major, any norm
   * unless `shareVectors`), with payloads by id. A later duplicate id
   * replaces the earlier one's vector.
   * @throws RangeError when `vectors.length !== itemIds.length × dimension`, the
   *   dimension is not a positive integer or a parameter is out of range;
   *   Error when USearch cannot allocate the graph.
   */
  static fromVectors(
    itemIds: ItemIdList,
    vectors: Float32Array,
    dimension: number,
    options: UsearchVectorIndexOptions = {},
  ): UsearchVectorIndex {
    const parameters = resolveHnswParameters(options.hnsw);
    if (vectors.length !== itemIds.length * dimension) {
      throw new RangeError(
        `expected ${itemIds.length}×${dimension} = ${itemIds.length * dimension} values, got ${vectors.length}`,
      );
    }
    // Shared rows keep the first of duplicate ids; with duplicates, fall back to copying (the last wins).
    // The shared rows' own id map detects them, without a second set of a million ids at start-up.
    let rows: VectorRows | null =
      options.shareVectors === true ? VectorRows.shared(itemIds, vectors, dimension, options.payloads) : null;
    if (rows !== null && rows.distinctIds !== itemIds.length) rows = null;
    if (rows === null) {
      rows = new VectorRows(dimension, itemIds.length);
      for (let i = 0; i < itemIds.length; i++) {
        const id = itemIds.at(i)!;
        rows.put(id, vectors.subarray(i * dimension, (i + 1) * dimension), options.payloads?.get(id));
      }
    }
    return new UsearchVectorIndex(rows, parameters, options);
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.rows.size;
  }

  /**
   * Changes efSearch, the width of the graph walk (see HnswParameters.efSearch);
   * takes effect on the next search. USearch fixes the width when the graph
   * object is made, so a new value saves the graph to a temporary file and
   * loads it into a new graph object: about a second and, meanwhile, twice the
   * graph's memory at 1M items (a benchmark or operator action, not per request).
   * @throws RangeError unless an integer in 1..4096; Error when the temporary
   *   file cannot be written or read (the index keeps its previous efSearch).
   */
  setEfSearch(efSearch: number): void {
    const value = resolveHnswParameters({ ...this.graphParameters, efSearch }).efSearch;
    if (value === this.efSearch) return;
    const graph = newGraph(this.dimension, { ...this.graphParameters, efSearch: value });
    if (this.graph.size() > 0) {
      const tmp = join(tmpdir(), `recgate-ann-${process.pid}-${randomUUID()}.usearch`);
      try {
        this.graph.save(tmp);
        graph.load(tmp);
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    this.graph = graph;
    this.efSearch = value;
  }

  /** How searches were answered since start-up. */
  get searchStats(): AnnSearchStats {
    return { ...this.counters };
  }

  async search(query: Float32Array, k: number, options: VectorSearchOptions = {}): Promise<VectorHit[]> {
    const d = this.dimension;
    const unit = unitQuery(query, d);
    const n = this.rows.size;
    const want = Math.min(Math.floor(k), n);
    if (!(want > 0) || unit === null) return [];
    const q = unit;

    const rows = this.rows;
    const filter = compileVectorFilter(options.filter);
    const { exclude, allow } = options;
    const accepts = (row: number): boolean => {
      const id = rows.id(row);
      if (filter !== null && !passesVectorFilter(filter, id, rows.categoriesOf(row), rows.availableOf(row)))
        return false;
      if (exclude !== undefined && exclude(id)) return false;
      if (allow !== undefined && !allow(id)) return false;
      return true;
    };
    const constrained = filter !== null || exclude !== undefined || allow !== undefined;
    const cap = Math.min(n, Math.max(want, this.maxOverFetch));
    // A margin over k absorbs the quantised graph's misordering near the cut (1.25k lost 0.045 of
    // recall@100 with the i8 graph at 1M items, 2k under 0.002); re-scoring is exact.
    const margin = 2 * want + 4 + (constrained ? (filter?.excludeIds?.size ?? 0) : 0);
    // The graph's beam is max(efSearch, k'); only k' results cross into JS to be re-scored.
    let fetch = Math.min(cap, margin);
    this.counters.searches++;
    for (;;) {
      const keys = this.graph.search(q, fetch, 1).keys;
      const heap = new TopKHeap(want);
      let kept = 0;
      for (let i = 0; i < keys.length; i++) {
        const row = Number(keys[i]!);
        if (!accepts(row)) continue;
        heap.push(rows.dot(q, row), row);
        kept++;
      }
      if (kept >= want) return this.hits(heap);
      if (fetch >= cap) break;
      fetch = Math.min(cap, 4 * fetch);
      this.counters.refetches++;
    }
    this.counters.exactFallbacks++;
    const heap = new TopKHeap(want);
    for (let row = 0; row < n; row++) {
      const s = rows.dot(q, row);
      if (heap.wouldAccept(s) && accepts(row)) heap.push(s, row);
    }
    return this.hits(heap);
  }

  async vectorOf(itemId: string): Promise<Float32Array | null> {
    const row = this.rows.row(itemId);
    return row === undefined ? null : this.rows.vectorOf(row);
  }

  async upsert(entries: readonly VectorEntry[]): Promise<void> {
    checkEntryDimensions(entries, this.dimension);
    const d = this.dimension;
    for (const e of entries) {
      const existed = this.rows.row(e.itemId) !== undefined;
      const row = this.rows.put(e.itemId, e.vector, e.payload);
      const key = BigInt(row);
      if (existed) this.graph.remove(key);
      this.graph.add(key, this.rows.vectors.subarray(row * d, (row + 1) * d), 1);
    }
  }

  async close(): Promise<void> {}

  private hits(heap: TopKHeap): VectorHit[] {
    const { scores, rows } = heap.sorted();
    const hits = new Array<VectorHit>(rows.length);
    for (let r = 0; r < rows.length; r++) hits[r] = { itemId: this.rows.id(rows[r]!), score: scores[r]! };
    return hits;
  }

  /** Loads the graph from `cacheFile` when its fingerprint matches, else builds it (and saves it there). */
  private buildOrLoad(threads: number, cacheFile: string | null): 'built' | 'cache' {
    const n = this.rows.size;
    const fingerprint = cacheFile === null ? '' : this.fingerprint();
    const sidecar =
      cacheFile !== null && isRegularFile(cacheFile) ? readCacheSidecar(`${cacheFile}.json`) : null;
    if (cacheFile !== null && sidecar !== null) {
      try {
        const meta = sidecar as {
          fingerprint?: string;
          graph?: unknown;
          fileBytes?: number;
          fileSha256?: string;
        };
        // The fingerprint covers the graph parameters; the readable copy beside it must agree too.
        // USearch aborts the process on a truncated or damaged file (native code, no exception),
        // so the file's size and SHA-256 are checked before it is loaded.
        const checked = meta.fileBytes !== undefined && meta.fileSha256 !== undefined;
        if (
          meta.fingerprint === fingerprint &&
          JSON.stringify(meta.graph) === JSON.stringify(this.graphShape()) &&
          (!checked ||
            (statSync(cacheFile).size === meta.fileBytes && sha256OfFile(cacheFile) === meta.fileSha256))
        ) {
          this.graph.load(cacheFile);
          if (this.graph.size() === n) {
            // A sidecar written before the file checks existed gains them now.
            if (!checked) writeSidecar(cacheFile, { fingerprint, size: n, graph: this.graphShape() });
            return 'cache';
          }
        }
      } catch {
        // An unreadable or stale cache is rebuilt below.
      }
    }
    if (n > 0) {
      const keys = new BigUint64Array(n);
      for (let i = 0; i < n; i++) keys[i] = BigInt(i);
      this.graph.add(keys, this.rows.vectors.subarray(0, n * this.dimension), threads);
    }
    if (cacheFile !== null) {
      const tmp = `${cacheFile}.tmp-${process.pid}`;
      try {
        makeFolder(dirname(cacheFile));
        this.graph.save(tmp);
        renameSync(tmp, cacheFile);
        writeSidecar(cacheFile, { fingerprint, size: n, graph: this.graphShape() });
      } catch {
        // A cache that cannot be written only costs the next start a build. `force` does not cover
        // ENOTDIR (the cache folder's path runs through a file), hence the second catch.
        try {
          rmSync(tmp, { force: true });
        } catch {
          // nothing was written there
        }
      }
    }
    return 'built';
  }

  /**
   * What shapes the saved graph besides the vectors: the format, metric and the
   * graph parameters (efSearch does not), as written to the cache's `.json` sidecar.
   */
  private graphShape(): {
    format: number;
    metric: 'ip';
    m: number;
    efConstruction: number;
    quantization: string;
  } {
    const { m, efConstruction, quantization } = this.graphParameters;
    return { format: 1, metric: 'ip', m, efConstruction, quantization };
  }

  /** SHA-256 of {@link graphShape} (parameters), the ids and the float32 rows: what a cached graph must have been built from. */
  private fingerprint(): string {
    const hash = createHash('sha256').update(JSON.stringify(this.graphShape()));
    const n = this.rows.size;
    for (let i = 0; i < n; i++) hash.update(this.rows.id(i)).update('\n');
    const v = this.rows.vectors;
    hash.update(new Uint8Array(v.buffer, v.byteOffset, n * this.dimension * 4));
    return hash.digest('hex');
  }
}

function newGraph(dimension: number, p: HnswParameters): Index {
  const quantization = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 }[p.quantization];
  return new Index({
    dimensions: dimension,
    metric: MetricKind.IP,
    quantization,
    connectivity: p.m,
    expansion_add: p.efConstruction,
    // USearch's beam is max(expansion_search, k'): efSearch sets the width of the walk while
    // the adapter asks for only k' ≈ 2k results (returning and re-scoring 1,024 cost ~35 % of a search).
    expansion_search: p.efSearch,
    multi: false,
  });
}

/**
 * Writes the cache's `.json` sidecar: `meta` plus the graph file's size
 * (`fileBytes`) and SHA-256 (`fileSha256`), checked before the next load.
 */
function writeSidecar(cacheFile: string, meta: Record<string, unknown>): void {
  const checks = { fileBytes: statSync(cacheFile).size, fileSha256: sha256OfFile(cacheFile) };
  writeCacheSidecar(`${cacheFile}.json`, { ...meta, ...checks });
}

/** Hex SHA-256 of a file, read in 8 MiB chunks (no whole-file buffer: the 1M graph is ~280 MB). */
function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk))
      hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
