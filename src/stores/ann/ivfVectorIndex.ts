import type { ItemIdList } from '../../domain/itemIdList.js';
// About 880 lines (a third of them docs), over the ~300 guideline: the build (training or cache), the
// probe/widen/fallback search and the upsert tail share the row store (float32 rows, int8 codes with
// the caller's rows, or the caller's rows alone), the list layout and the per-position arrays; split
// apart they would have to expose all three. The k-means, the list layout, the cache file, the int8
// kernel (codeScorer.ts) and the gather kernel over the caller's rows (kernelRows.ts) live in their
// own modules.
import { decodeTableOf, float32Vectors, halfRowOffset, readVectorValues } from '../../domain/itemVectors.js';
import type { ItemVectors } from '../../domain/itemVectors.js';
import { createRandom } from '../../domain/random.js';
import { kthLargest } from '../embedded/exactVectorIndex.js';
import type { RowConstraints as Constraints } from '../embedded/rowConstraints.js';
import { compileRowConstraints, passesPayload } from '../embedded/rowConstraints.js';
import { KernelRows } from '../embedded/kernelRows.js';
import { RowScorer } from '../embedded/rowScorer.js';
import { TopKHeap } from '../embedded/topKHeap.js';
import { unitQuery } from '../embedded/unitQuery.js';
import type {
  VectorEntry,
  VectorHit,
  VectorIndex,
  VectorPayload,
  VectorSearchOptions,
} from '../vectorIndex.js';
import { checkEntryDimensions, payloadReader } from '../vectorIndex.js';
import type { IvfAssignment } from './ivfCacheFile.js';
import { ivfFingerprint, readIvfCache, writeIvfCache } from './ivfCacheFile.js';
import type { IvfParameters } from './ivfParameters.js';
import { automaticIvfLists, resolveIvfParameters } from './ivfParameters.js';
import type { IvfBuildProgress } from './ivfQuantiser.js';
import {
  itemVectorIvfRows,
  listOrder,
  permuteRows,
  stridedIvfRows,
  trainIvfQuantiser,
} from './ivfQuantiser.js';
import type { AnnSearchStats } from './usearchVectorIndex.js';
import { CategoryInterner } from '../embedded/categoryInterner.js';
import { CodeScorer } from './codeScorer.js';

/** Bound on |float32 kernel score − float64 score| for unit vectors (see ExactVectorIndex's ROUNDING_MARGIN). */
const ROUNDING_MARGIN = 1e-4;

/** Rows kept free past the last row: the kernel reads and writes up to 7 rows past a range. */
const SLACK_ROWS = 8;

/** How an {@link IvfVectorIndex} keeps its listed rows: see {@link IvfVectorIndexOptions.storage}. */
export type IvfStorage = 'float32' | 'int8' | 'none';

/** Options of {@link IvfVectorIndex.fromVectors}; every one is optional. */
export interface IvfVectorIndexOptions {
  /** Payload per item id (a served model's `catalog` fits as is); others have none. @default none */
  readonly payloads?: ReadonlyMap<string, VectorPayload>;
  /** Lists, probes, training sample, iterations, seed. @default DEFAULT_IVF_PARAMETERS */
  readonly ivf?: Partial<IvfParameters>;
  /**
   * A file to load the list assignment from (centroids, list boundaries,
   * row order: about 4·(n + lists·d) bytes), when it was saved for exactly
   * these ids, vectors and build parameters (`<cacheFile>.json` holds their
   * SHA-256 fingerprint and the file's size and SHA-256); otherwise the
   * index is trained and the assignment saved there (write + rename). A
   * stale, truncated or damaged file is retrained over, never loaded.
   * null = always train. @default null
   */
  readonly cacheFile?: string | null;
  /**
   * The most lists a search probes while widening because constraints left
   * fewer than k hits (probes, 4·probes, 16·probes … while ≤ this); past
   * it the search scans every row (exact). Integer ≥ 1. @default 256
   */
  readonly maxProbes?: number;
  /** Called as a long build progresses (k-means stages, row copy). @default none */
  readonly onProgress?: (p: IvfBuildProgress) => void;
  /**
   * The caller's map of each id to its position in `itemIds`, when `itemIds`
   * has no duplicate (a served model's `bundle.itemIndex`): the index then
   * reads ids through it and `itemIds`, and keeps no id map or id array of
   * its own (issue #6: about 45 MB of heap at 1M items that every major GC
   * marked). Neither may change afterwards. A map whose size differs from
   * `itemIds.length`, or that does not give position 0 and n − 1 for the
   * first and last id, is not used. @default none: the index maps the ids itself
   */
  readonly idIndex?: ReadonlyMap<string, number>;
  /**
   * How the listed rows are kept (issue #6: memory at 1M items):
   * - `float32`: a normalised float32 copy in list order (272 MB at 1M × 65),
   *   scanned as contiguous ranges: the least CPU per search.
   * - `int8`: no float32 copy (IVF-SQ8, FAISS `IndexIVFScalarQuantizer` with
   *   exact re-scoring): the scan reads int8 codes of the rows in list order
   *   (one byte per dimension, rows padded to 16: 80 MB at 1M × 65), and
   *   candidates are re-scored exactly from the caller's `vectors`, read in
   *   place. The selection margin grows by the codes' error bound,
   *   Σ_p |q_p|·scale_p / 2, so the exact top k of the scanned rows is still
   *   found; only more candidates are re-scored.
   * - `none`: no copy and no codes: the scan reads the caller's `vectors` in
   *   place, row by row through the list order ({@link KernelRows}' gather
   *   kernel: about 2.7× the scan's time of contiguous rows, BENCHMARKS.md).
   *   Needs `vectors` made by `allocateKernelRows` (a served model's item
   *   vectors are: `loadVersionBundle`); other arrays get the `float32` copy.
   *   Half-precision vectors (a Uint16Array of binary16 values from
   *   `allocateKernelHalves`, `RECGATE_VECTOR_PRECISION=float16`) are scanned
   *   and re-scored in place the same way, as the decoded values they hold
   *   (not required to be unit length to the last float32 bit: they are the
   *   model's unit rows rounded to binary16); with another storage, or
   *   outside WebAssembly memory, they are decoded to float32 first and
   *   handled as float32 vectors.
   *
   * `int8` and `none` need the caller's guarantee that every row has norm 1
   * or is all zeros (a registry's `items.f32` does, docs/registry.md) and
   * that it never writes to the array. They apply only when the ids are
   * distinct and normalising the rows would not change them (checked at
   * build, O(n·d)), so scores equal the float32 index's bit for bit;
   * otherwise the rows are copied as with `float32` ({@link storage} says
   * which). Upserted rows are kept as float32 in every mode.
   * @default 'float32'
   */
  readonly storage?: IvfStorage;
}

/**
 * An in-process approximate {@link VectorIndex}: IVF-Flat, an inverted file
 * with an exact scan of the probed lists (Jégou, Douze & Schmid, TPAMI 2011,
 * §IV, without the product quantiser; FAISS `IndexIVFFlat`), over inner
 * product of L2-normalised vectors, i.e. cosine.
 *
 * - **Build:** the coarse quantiser (about `lists` centroids) is two-level
 *   spherical k-means on a seeded sample ({@link trainIvfQuantiser}), every
 *   row goes to one list, and the normalised rows are stored in list order
 *   in WebAssembly memory ({@link RowScorer}: one float32 copy, 4·⌈d/4⌉·4
 *   bytes per row, 272 MB at 1M × 65), so each list is a contiguous row
 *   range; a row permutation (`orderOf`, Int32Array) maps positions back
 *   to the input ids. Or the assignment is loaded from `cacheFile`. 15 s at
 *   1M × 65 (4,095 lists), 2 s from the cache. With `storage` `int8` the
 *   list-ordered rows are int8 codes instead (per-dimension scale
 *   max|v|/127), and the exact re-score reads the caller's rows in place;
 *   with `none` nothing is stored in list order: the scan reads the caller's
 *   rows in place through `orderOf` (registry rows are unit vectors).
 * - **Search:** score the query against every centroid (SIMD), take the
 *   `probes` best lists (plus the upsert tail), score their rows with the
 *   SIMD kernel, and select the exact top k of those rows: float32 scores
 *   pick candidates, which are re-scored in float64 (steps 1–4 of
 *   ExactVectorIndex: a candidate threshold t, constraints checked only
 *   above it, the k-th exact score must clear t + rounding margin). Scores
 *   are exact cosines; an item in an unprobed list is missed (recall in
 *   BENCHMARKS.md). Ties: the item added first. When constraints leave fewer
 *   than k, the search widens to 4× the lists, up to `maxProbes`, then scans
 *   every row, so "fills k when enough items qualify" always holds.
 *   probes ≥ lists is exact search. At 1M items with the defaults a search
 *   scans ~4k rows plus 4k centroids: ~0.6 ms of CPU (BENCHMARKS.md).
 * - **Upsert:** new and replaced items are appended to a tail that every
 *   search scans in full (a replaced item's old row is marked dead); the
 *   lists are not retrained, so a large tail costs latency linearly until
 *   the next build. A zero or non-finite vector is stored as zeros.
 * - A query or vector of the wrong length rejects with a RangeError; a
 *   zero-norm query returns no hits; a predicate that searches the same
 *   index again makes that inner search reject (per-index scratch memory).
 */
export class IvfVectorIndex implements VectorIndex {
  readonly name = 'ivf-flat';
  readonly dimension: number;
  /** Where the list assignment came from and how long building or loading took, in seconds. */
  get origin(): { readonly source: 'built' | 'cache'; readonly seconds: number } {
    return this.originValue;
  }
  private originValue: { readonly source: 'built' | 'cache'; readonly seconds: number } = {
    source: 'built',
    seconds: 0,
  };
  private readonly buildParameters: IvfParameters;
  private probes: number;
  private readonly maxProbes: number;
  private readonly scorer: RowScorer;
  private centroids: RowScorer | null = null;
  /**
   * Shared rows ({@link IvfVectorIndexOptions.storage} `int8` or `none`): the
   * caller's unit rows, `dimension` floats each, row r = order key r;
   * positions below `built` are scanned from {@link codes} (int8) or from
   * these rows in place ({@link gathered}, none), re-scored from these rows,
   * and only the upsert tail is in `scorer` (scorer row = position − built).
   * null: every position p is scorer row p.
   */
  private shared: ItemVectors | null = null;
  /** The kernels over the shared rows, when they are in WebAssembly memory (`allocateKernelRows`). */
  private gathered: KernelRows | null = null;
  /** Scores of a shared-rows scan, one per scanned position (grown with the search scratch). */
  private scanScores: Float32Array = new Float32Array(0);
  /**
   * Shared rows: int8 codes of the listed rows in list order (position p at
   * code row p), c = round(v / scale) per dimension, scale = max |v| / 127
   * over the listed rows: the scan's approximate scores.
   */
  private codes: CodeScorer | null = null;
  /** Per dimension: the codes' scale (0 for a dimension that is 0 in every row). */
  private scales: Float64Array = new Float64Array(0);
  /** The scan's weights: query component × scale. */
  private weights: Float32Array = new Float32Array(0);
  /**
   * The current search's bound on |scan score − exact score|: the float32
   * rounding margin, plus Σ_p |q_p|·scale_p / 2 with codes (each code is
   * within half a step of its component).
   */
  private margin = ROUNDING_MARGIN;
  /** Shared rows are scanned through int8 codes (storage `int8`), not in place. */
  private encode = false;
  private listedStarts = new Int32Array(2);
  private listedCounts = new Int32Array(2);
  private listCount = 0;
  private listStart: Int32Array = new Int32Array(1);
  /** Positions 0 .. built − 1 are in lists; built .. count − 1 are the upsert tail. */
  private built = 0;
  private count = 0;
  /** Per position: the order key (index of first arrival; ties and ids go by it). */
  private orderOf: Int32Array;
  /** Per order key: the current position (the inverse of `orderOf` over live rows). */
  private positionOfOrder: Int32Array;
  /** Ids of order keys 0 .. baseIds.length − 1 (the build's distinct ids; the caller's array with `idIndex`). */
  private baseIds: ItemIdList = [];
  /** Id → order key of the build's ids (the caller's `idIndex`, or the map built while deduplicating). */
  private baseOrder: ReadonlyMap<string, number> = new Map();
  /** Ids first seen by {@link upsert}, with order keys from baseIds.length on. */
  private readonly addedIds: string[] = [];
  private readonly addedOrder = new Map<string, number>();
  /** Per position: the code of its category list in {@link interned}. */
  private categoryCodes: Int32Array;
  private available: Uint8Array;
  private dead: Uint8Array;
  private deadCount = 0;
  private blocked: Uint8Array;
  private readonly interned = new CategoryInterner();
  /** Search scratch: one entry per scanned position ({@link reserveScratch}). */
  private slotPos: Int32Array;
  private passPos: Int32Array;
  private passScores: Float32Array;
  private selectScratch: Float32Array;
  private selectList: Int32Array;
  private rangeStarts = new Int32Array(2);
  private rangeCounts = new Int32Array(2);
  private searching = false;
  private readonly counters = { searches: 0, refetches: 0, exactFallbacks: 0 };

  private constructor(
    dimension: number,
    capacity: number,
    parameters: IvfParameters,
    maxProbes: number,
    shared: ItemVectors | null,
  ) {
    this.dimension = dimension;
    this.buildParameters = parameters;
    this.probes = parameters.probes;
    this.maxProbes = maxProbes;
    this.shared = shared;
    this.scorer = new RowScorer(dimension, shared === null ? capacity + SLACK_ROWS : SLACK_ROWS);
    const cap = Math.ceil((capacity + SLACK_ROWS) / 8) * 8;
    this.orderOf = new Int32Array(cap);
    this.positionOfOrder = new Int32Array(cap);
    this.available = new Uint8Array(cap);
    this.categoryCodes = new Int32Array(cap);
    this.dead = new Uint8Array(cap);
    this.blocked = new Uint8Array(cap);
    // The search scratch grows with the rows a search scans ({@link reserveScratch}), not with the index.
    this.slotPos = new Int32Array(0);
    this.passPos = new Int32Array(0);
    this.passScores = new Float32Array(0);
    this.selectScratch = new Float32Array(0);
    this.selectList = new Int32Array(0);
  }

  /**
   * Makes the search scratch hold `m` scanned positions (doubling): about
   * 4k at 1M items with the default probes, so 24 bytes × 4k instead of
   * 24 bytes × n (24 MB at 1M items, issue #6) until a search scans every row.
   */
  private reserveScratch(m: number): void {
    if (m <= this.slotPos.length) return;
    const cap = Math.ceil(Math.max(m, 2 * this.slotPos.length, 1024) / 8) * 8;
    this.slotPos = new Int32Array(cap);
    this.passPos = new Int32Array(cap);
    this.passScores = new Float32Array(cap);
    this.selectScratch = new Float32Array(cap);
    this.selectList = new Int32Array(cap);
    if (this.shared !== null) this.scanScores = new Float32Array(cap);
  }

  /**
   * An index over `itemIds.length` vectors (n×dimension, row-major, any
   * norm; float32 values, or binary16 halves: see {@link IvfVectorIndexOptions.storage}), with payloads by id. A later duplicate id replaces the earlier
   * one's vector (the item keeps its first place for ties).
   * @throws RangeError when `vectors.length !== itemIds.length × dimension`, the
   *   dimension is not a positive integer, a parameter is out of range
   *   ({@link resolveIvfParameters}) or maxProbes is not an integer ≥ 1; a
   *   RangeError from WebAssembly when the rows exceed its 4 GiB.
   */
  static fromVectors(
    itemIds: ItemIdList,
    vectors: ItemVectors,
    dimension: number,
    options: IvfVectorIndexOptions = {},
  ): IvfVectorIndex {
    const storage = options.storage ?? 'float32';
    const parameters = resolveIvfParameters(options.ivf);
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new RangeError(`vector dimension must be a positive integer, got ${dimension}`);
    }
    if (vectors.length !== itemIds.length * dimension) {
      throw new RangeError(
        `expected ${itemIds.length}×${dimension} = ${itemIds.length * dimension} values, got ${vectors.length}`,
      );
    }
    const maxProbes = options.maxProbes ?? 256;
    if (!Number.isInteger(maxProbes) || maxProbes < 1) {
      throw new RangeError(`IVF maxProbes: expected an integer ≥ 1, received ${maxProbes}`);
    }
    const n = itemIds.length;
    const idIndex = options.idIndex;
    let distinct: ItemIdList;
    let first: ReadonlyMap<string, number>;
    let source: Int32Array;
    if (
      idIndex !== undefined &&
      idIndex.size === n &&
      (n === 0 || (idIndex.get(itemIds.at(0)!) === 0 && idIndex.get(itemIds.at(n - 1)!) === n - 1))
    ) {
      distinct = itemIds;
      first = idIndex;
      source = Int32Array.from({ length: n }, (_, i) => i);
    } else {
      // Distinct ids in order of first arrival; each takes the vector of its last occurrence.
      const own = new Map<string, number>();
      const ids: string[] = [];
      const from: number[] = [];
      for (let i = 0; i < n; i++) {
        const id = itemIds.at(i)!;
        const j = own.get(id);
        if (j === undefined) {
          own.set(id, ids.length);
          ids.push(id);
          from.push(i);
        } else from[j] = i;
      }
      distinct = ids;
      first = own;
      source = Int32Array.from(from);
    }
    let distinctRows = distinct.length === n;
    for (let i = 0; distinctRows && i < n; i++) distinctRows = source[i] === i;
    // Halves are scanned in place only with storage none, distinct ids and rows in WebAssembly memory;
    // otherwise they are decoded and handled as float32 vectors.
    const halvesInPlace =
      vectors instanceof Uint16Array &&
      storage === 'none' &&
      distinctRows &&
      KernelRows.of(vectors, dimension) !== null;
    const rows: ItemVectors =
      vectors instanceof Uint16Array && !halvesInPlace ? float32Vectors(vectors, dimension) : vectors;
    const gathered = storage === 'float32' ? null : KernelRows.of(rows, dimension);
    const shareable =
      (storage === 'int8' || (storage === 'none' && gathered !== null)) &&
      distinctRows &&
      (rows instanceof Uint16Array || unitRows(rows, n, dimension));
    const shared = shareable ? rows : null;
    const index = new IvfVectorIndex(dimension, distinct.length, parameters, maxProbes, shared);
    index.gathered = shared === null ? null : gathered;
    index.encode = storage === 'int8';
    const started = performance.now();
    const from = index.buildOrLoad(distinct, source, itemIds, rows, options);
    index.originValue = {
      source: from,
      seconds: (performance.now() - started) / 1000,
    };
    index.baseIds = distinct;
    index.baseOrder = first;
    const payloadOf = payloadReader(options.payloads);
    for (let p = 0; p < index.built; p++) {
      const order = index.orderOf[p]!;
      index.positionOfOrder[order] = p;
      index.setPayload(p, payloadOf(distinct.at(order)!));
    }
    return index;
  }

  /** Number of stored items. */
  get size(): number {
    return this.baseIds.length + this.addedIds.length;
  }

  /** The current position of an item id, or undefined. */
  private positionOf(itemId: string): number | undefined {
    const order = this.baseOrder.get(itemId) ?? this.addedOrder.get(itemId);
    return order === undefined ? undefined : this.positionOfOrder[order];
  }

  /** The id of an order key. */
  private idOf(order: number): string {
    const base = this.baseIds.length;
    return order < base ? this.baseIds.at(order)! : this.addedIds[order - base]!;
  }

  /**
   * Bytes held outside the JavaScript heap's objects: the WebAssembly rows
   * and scratch of the row store and of the centroids, the typed arrays per
   * position and order key (11 bytes each) and the search scratch (20 bytes
   * per scanned position). Ids, their map and payloads are not counted.
   */
  get memoryBytes(): number {
    const perPosition = 7 * this.orderOf.length + 4 * this.positionOfOrder.length + 20 * this.slotPos.length;
    const scan = 4 * this.scanScores.length + (this.codes?.bytes ?? 0);
    return this.scorer.bytes + (this.centroids?.bytes ?? 0) + perPosition + scan + 8 * this.listStart.length;
  }

  /** How the listed rows are kept ({@link IvfVectorIndexOptions.storage} as applied): a `float32` copy, `int8` codes, or `none` (the caller's rows). */
  get storage(): IvfStorage {
    if (this.codes !== null) return 'int8';
    return this.shared === null ? 'float32' : 'none';
  }

  /** Number of lists of the built index (0 when it was built empty). */
  get lists(): number {
    return this.listCount;
  }

  /** The parameters in force (`probes` as last set by {@link setProbes}; `lists` as asked, see {@link lists}). */
  get parameters(): IvfParameters {
    return { ...this.buildParameters, probes: this.probes };
  }

  /** How searches were answered: `refetches` counts widenings to more lists, `exactFallbacks` scans of every row after widening. */
  get searchStats(): AnnSearchStats {
    return { ...this.counters };
  }

  /**
   * Sets the lists scanned per search (a search-time setting, no rebuild).
   * @throws RangeError unless an integer in 1..65536.
   */
  setProbes(probes: number): void {
    this.probes = resolveIvfParameters({ ...this.buildParameters, probes }).probes;
  }

  async search(query: Float32Array, k: number, options: VectorSearchOptions = {}): Promise<VectorHit[]> {
    const unit = unitQuery(query, this.dimension);
    const want = Math.min(Math.floor(k), this.size);
    if (!(want > 0) || unit === null) return [];
    if (this.searching) throw new Error('IvfVectorIndex.search called from its own exclude/allow predicate');
    this.searching = true;
    this.prepareQuery(unit);
    let constraints: Constraints | null = null;
    try {
      constraints = this.compile(options);
      this.counters.searches++;
      const lists = this.listCount;
      let probes = Math.min(this.probes, lists);
      for (;;) {
        const everything = probes >= lists;
        const scores = this.scan(unit, everything ? lists : probes, everything);
        const heap = this.select(unit, scores, want, constraints);
        if (heap.count >= want || everything) return this.hits(heap);
        this.counters.refetches++;
        if (4 * probes <= this.maxProbes && 4 * probes < lists) probes *= 4;
        else {
          probes = lists;
          this.counters.exactFallbacks++;
        }
      }
    } finally {
      if (constraints !== null) for (const p of constraints.blockedRows) this.blocked[p] = 0;
      this.searching = false;
    }
  }

  async vectorOf(itemId: string): Promise<Float32Array | null> {
    const p = this.positionOf(itemId);
    if (p === undefined) return null;
    if (this.shared !== null && p < this.built) {
      const d = this.dimension;
      const row = this.orderOf[p]!;
      const out = new Float32Array(d);
      readVectorValues(this.shared, d, row * d, out);
      return out;
    }
    return this.scorer.vectorAt(p - this.tailBase);
  }

  async upsert(entries: readonly VectorEntry[]): Promise<void> {
    checkEntryDimensions(entries, this.dimension);
    for (const e of entries) {
      let p = this.positionOf(e.itemId);
      if (p === undefined || p < this.built) {
        let order: number;
        if (p === undefined) {
          order = this.size;
          if (order + 1 > this.positionOfOrder.length) {
            const grown = new Int32Array(Math.max(2 * this.positionOfOrder.length, order + 1));
            grown.set(this.positionOfOrder);
            this.positionOfOrder = grown;
          }
          this.addedIds.push(e.itemId);
          this.addedOrder.set(e.itemId, order);
        } else {
          order = this.orderOf[p]!;
          this.dead[p] = 1; // the listed row stays in place, never returned again
          this.deadCount++;
        }
        p = this.count;
        if (
          p + 1 + SLACK_ROWS > this.orderOf.length ||
          p - this.tailBase + 1 + SLACK_ROWS > this.scorer.capacity
        )
          this.grow(p + 1 + SLACK_ROWS);
        this.count++;
        this.orderOf[p] = order;
        this.positionOfOrder[order] = p;
      }
      this.writeRow(p, e.vector);
      this.setPayload(p, e.payload);
    }
  }

  async close(): Promise<void> {}

  /**
   * Scores the rows of the `probes` lists whose centroids score best (or
   * every row), plus the upsert tail, into the kernel's score area; fills
   * `slotPos` with each score's position. @returns the scores (a view of
   * the kernel's score area, valid until the next scan).
   */
  private scan(q: Float32Array, probes: number, everything: boolean): Float32Array {
    const starts = this.rangeStarts;
    const counts = this.rangeCounts;
    let ranges = 0;
    if (everything) {
      starts[0] = 0;
      counts[0] = this.count;
      ranges = 1;
    } else {
      const centroidScores = this.centroids!.scores(q, this.listCount);
      const best = new TopKHeap(probes);
      for (let l = 0; l < this.listCount; l++) {
        if (best.wouldAccept(centroidScores[l]!)) best.push(centroidScores[l]!, l);
      }
      // In list (= memory) order: the scan then walks forward through the rows.
      const chosen = best.sorted().rows.sort();
      for (const l of chosen) {
        starts[ranges] = this.listStart[l]!;
        counts[ranges++] = this.listStart[l + 1]! - this.listStart[l]!;
      }
      if (this.count > this.built) {
        starts[ranges] = this.built;
        counts[ranges++] = this.count - this.built;
      }
    }
    let scanned = 0;
    for (let r = 0; r < ranges; r++) scanned += counts[r]!;
    this.reserveScratch(scanned);
    let m = 0;
    const slotPos = this.slotPos;
    for (let r = 0; r < ranges; r++) {
      for (let p = starts[r]!, end = p + counts[r]!; p < end; p++) slotPos[m++] = p;
    }
    if (this.shared === null) return this.scorer.scoreRanges(q, starts, counts, ranges);
    return this.scanShared(q, starts, counts, ranges);
  }

  /** Scorer rows start at this position: 0 with copied rows, `built` with shared rows. */
  private get tailBase(): number {
    return this.shared === null ? 0 : this.built;
  }

  /** Sets the scan's weights and the search's {@link margin} for the unit query `q`. */
  private prepareQuery(q: Float32Array): void {
    if (this.codes === null) {
      this.margin = ROUNDING_MARGIN;
      return;
    }
    let bound = 0;
    for (let p = 0; p < this.dimension; p++) {
      const scale = this.scales[p]!;
      this.weights[p] = q[p]! * scale;
      bound += Math.abs(q[p]!) * scale;
    }
    this.margin = ROUNDING_MARGIN + bound / 2;
  }

  /**
   * {@link scan}'s scores with shared rows: listed positions from their int8
   * codes (SIMD kernel) or from the caller's rows (gather kernel), tail
   * positions by the float32 kernel; in range order, as `slotPos` lists them
   * (every listed range comes before the tail).
   */
  private scanShared(q: Float32Array, starts: Int32Array, counts: Int32Array, ranges: number): Float32Array {
    const built = this.built;
    if (this.listedStarts.length < ranges) {
      this.listedStarts = new Int32Array(ranges);
      this.listedCounts = new Int32Array(ranges);
    }
    let listed = 0;
    let tailFrom = -1;
    let tailEnd = -1;
    for (let r = 0; r < ranges; r++) {
      const start = starts[r]!;
      const end = start + counts[r]!;
      if (start < built) {
        this.listedStarts[listed] = start;
        this.listedCounts[listed++] = Math.min(end, built) - start;
      }
      if (end > built) {
        tailFrom = Math.max(start, built);
        tailEnd = end;
      }
    }
    const out = this.scanScores;
    let m: number;
    if (this.codes !== null) {
      const approx = this.codes.scoreRanges(this.weights, this.listedStarts, this.listedCounts, listed);
      out.set(approx, 0);
      m = approx.length;
    } else {
      // storage none: the caller's rows in place, listed positions p → caller row orderOf[p].
      m = this.gathered!.scoreRanges(q, this.orderOf, this.listedStarts, this.listedCounts, listed, out);
      if (this.shared instanceof Uint16Array) {
        // Half rows hold their last value minus 1 (ItemVectors): add q's last value back.
        const offset = halfRowOffset(q, this.dimension);
        if (offset !== 0) for (let j = 0; j < m; j++) out[j] = out[j]! + offset;
      }
    }
    if (tailFrom >= 0) {
      const tail = this.scorer.scoreRanges(
        q,
        Int32Array.of(tailFrom - built),
        Int32Array.of(tailEnd - tailFrom),
        1,
      );
      out.set(tail, m);
      m += tail.length;
    }
    return out.subarray(0, m);
  }

  /**
   * Float64 scores of positions `list[0..m)`: ExactVectorIndex's exact sum
   * (Σ in index order of float64 products of the float32 values).
   */
  private exactScores(q: Float32Array, list: Int32Array, m: number): Float64Array {
    if (this.shared === null) return this.scorer.exactScores(q, list, m);
    const v = this.shared;
    const d = this.dimension;
    const built = this.built;
    const out = new Float64Array(m);
    let tailCount = 0;
    const gathered = this.gathered;
    if (gathered !== null) {
      // The same float64 sums, by the exact kernel over the caller's rows in place.
      const rows = new Int32Array(m);
      let listedCount = 0;
      for (let j = 0; j < m; j++) {
        const p = list[j]!;
        if (p >= built) tailCount++;
        else rows[listedCount++] = this.orderOf[p]!;
      }
      const exact = new Float64Array(listedCount);
      gathered.exactScores(q, rows, listedCount, exact);
      if (v instanceof Uint16Array) {
        // Half rows hold their last value minus 1 (ItemVectors): add q's last value back.
        const offset = halfRowOffset(q, d);
        if (offset !== 0) for (let k = 0; k < listedCount; k++) exact[k] = exact[k]! + offset;
      }
      for (let j = 0, k = 0; j < m; j++) if (list[j]! < built) out[j] = exact[k++]!;
    } else {
      const table = decodeTableOf(v);
      for (let j = 0; j < m; j++) {
        const p = list[j]!;
        if (p >= built) {
          tailCount++;
          continue;
        }
        const o = this.orderOf[p]! * d;
        let s = 0;
        if (table === null) for (let i = 0; i < d; i++) s += q[i]! * v[o + i]!;
        else {
          for (let i = 0; i < d; i++) s += q[i]! * table[v[o + i]!]!;
          s += halfRowOffset(q, d);
        }
        out[j] = s;
      }
    }
    if (tailCount > 0) {
      const tail = new Int32Array(tailCount);
      const at: number[] = [];
      for (let j = 0; j < m; j++) {
        if (list[j]! >= built) {
          tail[at.length] = list[j]! - built;
          at.push(j);
        }
      }
      const exact = this.scorer.exactScores(q, tail, tailCount);
      for (let k = 0; k < tailCount; k++) out[at[k]!] = exact[k]!;
    }
    return out;
  }

  /**
   * The exact top `want` of the scanned positions (`slotPos`, float32
   * `scores`) that pass the constraints (fewer when fewer pass):
   * ExactVectorIndex's threshold selection. The threshold t only goes down,
   * so no position is checked twice.
   */
  private select(q: Float32Array, scores: Float32Array, want: number, c: Constraints | null): TopKHeap {
    const m = scores.length;
    const constrained = c !== null || this.deadCount > 0;
    const slotPos = this.slotPos;
    const pos = this.passPos;
    const passScores = this.passScores;
    let passed = 0;
    let checked = 0;
    let t = Infinity;
    let kPrime = !constrained ? want + 8 : want + (c?.blockedRows.length ?? 0) + (want >> 3) + 16;
    for (;;) {
      const next = kPrime >= m ? -Infinity : kthLargest(scores, m, kPrime, this.selectScratch);
      if (next < t) {
        for (let j = 0; j < m; j++) {
          const a = scores[j]!;
          if (a < next || a >= t) continue;
          checked++;
          const p = slotPos[j]!;
          if (constrained && !this.passes(p, c)) continue;
          pos[passed] = p;
          passScores[passed++] = a;
        }
        t = next;
      }
      if (passed >= want) {
        const heap = this.rescore(q, passed, want);
        if (t === -Infinity || heap.worstScore >= t + this.margin) return heap;
        kPrime *= 2;
      } else if (t === -Infinity) {
        return this.rescore(q, passed, want);
      } else {
        kPrime = Math.max(2 * kPrime, Math.ceil((1.25 * want * checked) / Math.max(1, passed)) + 16);
      }
    }
  }

  /** The exact top `want` of the `count` passing positions (ExactVectorIndex.rescore), keyed by order. */
  private rescore(q: Float32Array, count: number, want: number): TopKHeap {
    const scores = this.passScores;
    const floor =
      count > want ? kthLargest(scores, count, want, this.selectScratch) - 2 * this.margin : -Infinity;
    const list = this.selectList;
    let m = 0;
    for (let j = 0; j < count; j++) if (scores[j]! >= floor) list[m++] = this.passPos[j]!;
    const exact = this.exactScores(q, list, m);
    const heap = new TopKHeap(want);
    for (let j = 0; j < m; j++) heap.push(exact[j]!, this.orderOf[list[j]!]!);
    return heap;
  }

  private hits(heap: TopKHeap): VectorHit[] {
    const { scores, rows } = heap.sorted();
    const hits = new Array<VectorHit>(rows.length);
    // An order key below baseIds.length is the item's position in fromVectors' ids: VectorHit.row's hint.
    // Items upserted later get -1 (no hint), keeping one hit shape.
    const base = this.baseIds.length;
    for (let r = 0; r < rows.length; r++) {
      const order = rows[r]!;
      hits[r] = { itemId: this.idOf(order), score: scores[r]!, row: order < base ? order : -1 };
    }
    return hits;
  }

  /** The search's constraints, or null when nothing constrains (empty lists are no constraint). */
  private compile(options: VectorSearchOptions): Constraints | null {
    return compileRowConstraints(options, (id) => this.positionOf(id), this.blocked);
  }

  /** Whether position `p` is live and passes the search's constraints (`c` null: none). */
  private passes(p: number, c: Constraints | null): boolean {
    if (this.dead[p] === 1) return false;
    if (c === null) return true;
    if (!passesPayload(c, p, this.blocked, this.available, this.categoryCodes, this.interned.lists))
      return false;
    if (c.exclude === undefined && c.allow === undefined) return true;
    const id = this.idOf(this.orderOf[p]!);
    if (c.exclude !== undefined && c.exclude(id)) return false;
    if (c.allow !== undefined && !c.allow(id)) return false;
    return true;
  }

  /**
   * Decides the lists (from the cache, or by training) and writes the
   * normalised rows in list order. @returns where the assignment came from.
   */
  private buildOrLoad(
    distinct: ItemIdList,
    source: Int32Array,
    itemIds: ItemIdList,
    vectors: ItemVectors,
    options: IvfVectorIndexOptions,
  ): 'built' | 'cache' {
    const n = distinct.length;
    const d = this.dimension;
    const stride = this.scorer.stride;
    const p = this.buildParameters;
    const lists = p.lists === 0 ? automaticIvfLists(n) : Math.min(p.lists, n);
    const shape = {
      format: 1,
      metric: 'ip',
      // Lists trained on halves are not those of the float32 rows: another cache entry.
      ...(vectors instanceof Uint16Array ? { precision: 'float16' } : {}),
      lists,
      trainingSample: p.trainingSample,
      iterations: p.iterations,
      seed: p.seed,
    };
    const cacheFile = options.cacheFile ?? null;
    const fingerprint = cacheFile === null ? '' : ivfFingerprint(shape, itemIds, vectors);
    let a: IvfAssignment | null =
      cacheFile === null ? null : readIvfCache(cacheFile, { fingerprint, shape, n, dimension: d });
    let from: 'built' | 'cache' = 'cache';
    const shared = this.shared;
    // Not shared means float32 vectors: halves are shared (scanned in place) or were decoded by fromVectors.
    const floats = shared === null ? (vectors as Float32Array) : null;
    if (a !== null) {
      if (floats !== null) for (let q = 0; q < n; q++) this.writeRowFrom(q, floats, source[a.perm[q]!]! * d);
    } else {
      from = 'built';
      if (floats !== null) for (let i = 0; i < n; i++) this.writeRowFrom(i, floats, source[i]! * d);
      // Shared rows are the caller's unit rows, in input order (source is the identity then); halves
      // are trained on as their decoded values, decoded a group of rows at a time (issue #6: not one
      // float32 copy of every row, 256 MB at 1M × 64, while building).
      const trainRows =
        shared === null ? stridedIvfRows(this.scorer.rows, stride, d, n) : itemVectorIvfRows(shared, d);
      const quantiser = trainIvfQuantiser(trainRows, {
        lists,
        trainingSample: p.trainingSample,
        iterations: p.iterations,
        random: createRandom(p.seed),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
      a = listOrder(quantiser.lists, quantiser.centroids, quantiser.listOf);
      if (shared === null) permuteRows(this.scorer.rows, stride, a.perm);
      // Shared rows (int8, none) are not copied: codes are written below, none writes nothing.
      if (shared === null) options.onProgress?.({ stage: 'copy', done: n, total: n });
      if (cacheFile !== null) writeIvfCache(cacheFile, a, { fingerprint, shape, dimension: d });
    }
    this.orderOf.set(a.perm);
    // int8 codes are made only from float32 rows (halves with storage int8 were decoded by fromVectors).
    if (shared instanceof Float32Array && this.encode) this.encodeCodes(shared, a.perm, n);
    this.built = n;
    this.count = n;
    this.listCount = a.lists;
    this.listStart = a.listStart;
    this.rangeStarts = new Int32Array(a.lists + 2);
    this.rangeCounts = new Int32Array(a.lists + 2);
    if (a.lists > 0) {
      this.centroids = new RowScorer(d, a.lists);
      const cs = this.centroids.stride;
      for (let l = 0; l < a.lists; l++)
        this.centroids.rows.set(a.centroids.subarray(l * d, (l + 1) * d), l * cs);
    }
    return from;
  }

  /** Quantises the listed rows (caller rows `perm[q]` for positions q) into int8 codes, per-dimension scales. */
  private encodeCodes(rows: Float32Array, perm: Int32Array, n: number): void {
    const d = this.dimension;
    const scales = new Float64Array(d);
    for (let r = 0; r < n; r++) {
      for (let p = 0; p < d; p++) {
        const x = Math.abs(rows[r * d + p]!);
        if (x > scales[p]!) scales[p] = x;
      }
    }
    for (let p = 0; p < d; p++) scales[p]! /= 127;
    const codes = new CodeScorer(d, n);
    const stride = codes.stride;
    const out = codes.codes;
    for (let q = 0; q < n; q++) {
      const o = perm[q]! * d;
      for (let p = 0; p < d; p++) {
        const scale = scales[p]!;
        out[q * stride + p] = scale > 0 ? Math.max(-127, Math.min(127, Math.round(rows[o + p]! / scale))) : 0;
      }
    }
    this.codes = codes;
    this.scales = scales;
    this.weights = new Float32Array(d);
  }

  /** Writes `vector` normalised into position `p` (zero or non-finite norm: zeros), as ExactVectorIndex does. */
  private writeRow(p: number, vector: Float32Array): void {
    this.writeRowFrom(p, vector, 0);
  }

  private writeRowFrom(p: number, source: Float32Array, offset: number): void {
    const d = this.dimension;
    let norm = 0;
    for (let i = 0; i < d; i++) norm += source[offset + i]! * source[offset + i]!;
    norm = Math.sqrt(norm);
    const scale = norm > 0 && Number.isFinite(norm) ? 1 / norm : 0;
    const rows = this.scorer.rows;
    const off = (p - this.tailBase) * this.scorer.stride;
    for (let i = 0; i < d; i++) rows[off + i] = scale === 0 ? 0 : source[offset + i]! * scale;
  }

  private setPayload(p: number, payload: VectorPayload | undefined): void {
    this.categoryCodes[p] = this.interned.code(payload?.categories);
    this.available[p] = payload?.available === false ? 0 : 1;
  }

  /** Grows the row storage and the per-position arrays (not the search scratch) to at least `rows` positions. */
  private grow(rows: number): void {
    this.scorer.reserve(rows - this.tailBase);
    let cap: number;
    if (this.shared === null) cap = this.scorer.capacity;
    else {
      // With shared rows the scorer holds only the tail: the per-position arrays grow on their own.
      if (rows <= this.orderOf.length) return;
      cap = Math.ceil(Math.max(rows, 2 * this.orderOf.length) / 8) * 8;
    }
    const keep = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.orderOf = keep(this.orderOf, (n) => new Int32Array(n));
    this.available = keep(this.available, (n) => new Uint8Array(n));
    this.categoryCodes = keep(this.categoryCodes, (n) => new Int32Array(n));
    this.dead = keep(this.dead, (n) => new Uint8Array(n));
    this.blocked = new Uint8Array(cap);
  }
}

/**
 * True when normalising every row of `v` (n rows of d) as the copied index
 * does (`writeRowFrom`: each value times 1/‖row‖, rounded to float32) would
 * leave it unchanged, zero rows included: then scores from `v` in place equal
 * those of the normalised copy bit for bit (a registry's rows pass: checked on
 * the bundled and synthetic models). NaN or ±∞ fail.
 */
function unitRows(v: Float32Array, n: number, d: number): boolean {
  for (let r = 0, o = 0; r < n; r++, o += d) {
    let s = 0;
    for (let i = 0; i < d; i++) s += v[o + i]! * v[o + i]!;
    if (s === 0) continue;
    const scale = 1 / Math.sqrt(s);
    if (!Number.isFinite(scale)) return false;
    for (let i = 0; i < d; i++) if (Math.fround(v[o + i]! * scale) !== v[o + i]) return false;
  }
  return true;
}
