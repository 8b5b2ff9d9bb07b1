import type { ItemIdList } from '../../domain/itemIdList.js';
import type {
  VectorEntry,
  VectorHit,
  VectorIndex,
  VectorPayload,
  VectorSearchOptions,
} from '../vectorIndex.js';
import { checkEntryDimensions, payloadReader } from '../vectorIndex.js';
import { CategoryInterner } from './categoryInterner.js';
import type { RowConstraints } from './rowConstraints.js';
import { compileRowConstraints, passesPayload } from './rowConstraints.js';
import { RowScorer } from './rowScorer.js';
import { TopKHeap } from './topKHeap.js';
import { unitQuery } from './unitQuery.js';

/**
 * How far a row's exact score (float64 sum over unit float32 vectors) may
 * differ from the float32 score the SIMD kernel computed for it: a few ulps
 * of float32 times the dimension (below 4e-6 at 65 dimensions), with a wide
 * safety factor.
 */
const ROUNDING_MARGIN = 1e-4;

/** Buckets of the score histogram that picks the thresholds (over [-1, 1]). */
const SCORE_BUCKETS = 4096;

/** From this many rows on, the histogram counts every HISTOGRAM_STEP-th row only. */
const SAMPLE_FROM = 8192;
const HISTOGRAM_STEP = 4;

/**
 * The `k`-th largest of `values[0 .. count − 1]` (1 ≤ k ≤ count), by
 * quickselect over a copy in `scratch` (at least `count` floats; Hoare partition, median-of-three
 * pivot; Wirth, "Algorithms + Data Structures = Programs", §2.3.4). O(count) expected.
 */
export function kthLargest(values: Float32Array, count: number, k: number, scratch: Float32Array): number {
  const a = scratch;
  a.set(values.subarray(0, count));
  const target = k - 1;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : x > z ? x : y > z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo .. j] ≥ pivot ≥ a[i .. hi], and a[j + 1 .. i − 1] = pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return pivot;
  }
  return a[target]!;
}

/** Options of {@link ExactVectorIndex.fromVectors}. */
export interface ExactVectorIndexOptions {
  /**
   * Payload per item id (a served model's `catalog` fits as is); items not
   * in the map have none (no categories, available). @default none
   */
  readonly payloads?: ReadonlyMap<string, VectorPayload>;
}

/**
 * The embedded {@link VectorIndex}: exact cosine search.
 *
 * Vectors are kept L2-normalised in one row-major float32 array in
 * WebAssembly memory ({@link RowScorer}; capacity doubles as items are
 * added). A search scores every row in float32 with a SIMD kernel, then
 * selects exactly (m = ROUNDING_MARGIN bounds |float32 score − exact score|):
 *
 * 1. a histogram of the float32 scores (of every 4th row past 8192 rows)
 *    gives a threshold t with about k' rows at or above it (k' = k + 8
 *    without constraints; k + |excluded rows| + k/8 + 16 with a filter,
 *    exclusions or an allow list);
 * 2. the rows at or above t are checked against the constraints (once each);
 *    while fewer than k pass, t is lowered (k' scaled by the pass rate seen)
 *    and only the newly covered band is checked;
 * 3. with T the k-th largest float32 score among the passing rows, only
 *    passing rows scoring ≥ T − 2m can be in the top k (k rows score
 *    ≥ T − m exactly); they are re-scored in float64 and offered to a
 *    min-heap of the best k ({@link TopKHeap}; ties go to the lower row);
 * 4. a row below t scores below t + m exactly, so when the k-th exact score
 *    is ≥ t + m no unseen row can enter or tie: the heap is the full scan's
 *    top k. Otherwise k' doubles (t = -∞ covers every row and needs no proof).
 *
 * The result is therefore the same as a full float64 scan's. At 10k items ×
 * 65 dimensions a search for 450 hits with ~60 excluded ids takes about
 * 0.3 ms of CPU (the kernel 0.1 ms; measured on the bench catalog on a busy
 * 2-core machine, where the previous design — usearch's `exactSearch` for
 * k' = 916, then re-scoring — took 0.85 ms and a plain JavaScript scan
 * 1.1 ms); the cost grows linearly with n: past ~200k items use the ANN index
 * (`RECGATE_VECTOR_INDEX=ann`) or Qdrant.
 *
 * - `search` normalises the query, so scores are cosines in [-1, 1]; a
 *   zero-norm query has no direction and returns no hits. Ties go to the row
 *   added first. The `filter` (checked against each row's payload: categories,
 *   availability) and `exclude` / `allow` are only evaluated for rows at or
 *   above the float32 threshold t (about k' rows). A predicate that searches
 *   the same index again makes that inner search reject with an Error (the
 *   search's scratch memory is per index).
 * - A query or vector whose length differs from `dimension` rejects with a RangeError.
 * - A zero or non-finite vector is stored as zeros (cosine 0 with every query).
 * - Capacity is bounded by WebAssembly memory (4 GiB, 288 bytes per row at
 *   65 dimensions: about 14M rows); `upsert` past it rejects with a RangeError.
 */
export class ExactVectorIndex implements VectorIndex {
  readonly name = 'exact';
  readonly dimension: number;
  /** The rows (normalised vectors) and the SIMD scoring kernel. */
  private readonly scorer: RowScorer;
  private readonly ids: string[] = [];
  /** Rows put by {@link fromVectors} (in its ids' order, so a hit's VectorHit.row); later upserts come after. */
  private builtRows = 0;
  private readonly rows = new Map<string, number>();
  /** Per row: the code of the payload's categories in {@link interned} (0 = none) and availability (1 = available). */
  private categoryCodes: Int32Array;
  private readonly interned = new CategoryInterner();
  private available: Uint8Array;
  /** Per row, during a search: 1 for rows of `filter.excludeIds` (all 0 between searches). */
  private blocked: Uint8Array;
  /** Scratch of a search: the score histogram, the passing rows and their float32 scores, a quickselect copy. */
  private readonly bucketCounts = new Int32Array(SCORE_BUCKETS);
  private histogramStep = 1;
  /** True while a search runs (re-entry from a predicate is refused). */
  private searching = false;
  private passRows: Int32Array;
  private passScores: Float32Array;
  private selectScratch: Float32Array;
  private selectRows: Int32Array;

  /**
   * An empty index of `dimension` components per vector.
   * @param capacity initial row capacity (grows by doubling). @default 1024
   * @throws RangeError for a dimension that is not a positive integer.
   */
  constructor(dimension: number, capacity = 1024) {
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new RangeError(`vector dimension must be a positive integer, got ${dimension}`);
    }
    this.dimension = dimension;
    this.scorer = new RowScorer(dimension, Math.max(1, capacity));
    this.available = new Uint8Array(this.scorer.capacity);
    this.categoryCodes = new Int32Array(this.scorer.capacity);
    this.blocked = new Uint8Array(this.scorer.capacity);
    this.passRows = new Int32Array(this.scorer.capacity);
    this.passScores = new Float32Array(this.scorer.capacity);
    this.selectScratch = new Float32Array(this.scorer.capacity);
    this.selectRows = new Int32Array(this.scorer.capacity);
  }

  /**
   * An index over `itemIds.length` vectors (n×dimension, row-major, e.g. a
   * registry version's `items.f32`) with optional payloads by id. Rows are
   * normalised on the way in; a later duplicate id replaces the earlier row's vector.
   * @throws RangeError when `vectors.length !== itemIds.length × dimension`.
   */
  static fromVectors(
    itemIds: ItemIdList,
    vectors: Float32Array,
    dimension: number,
    options: ExactVectorIndexOptions = {},
  ): ExactVectorIndex {
    if (vectors.length !== itemIds.length * dimension) {
      throw new RangeError(
        `expected ${itemIds.length}×${dimension} = ${itemIds.length * dimension} values, got ${vectors.length}`,
      );
    }
    const index = new ExactVectorIndex(dimension, itemIds.length);
    const payloadOf = payloadReader(options.payloads);
    for (let i = 0; i < itemIds.length; i++) {
      const id = itemIds.at(i)!;
      index.put(id, vectors.subarray(i * dimension, (i + 1) * dimension), payloadOf(id));
    }
    index.builtRows = index.ids.length;
    return index;
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.ids.length;
  }

  async search(query: Float32Array, k: number, options: VectorSearchOptions = {}): Promise<VectorHit[]> {
    const unit = unitQuery(query, this.dimension);
    const n = this.ids.length;
    const want = Math.min(Math.floor(k), n);
    if (!(want > 0) || unit === null) return [];
    // A search runs synchronously on per-index scratch (the kernel's memory,
    // the `blocked` marks): a predicate searching this index again would clobber it.
    if (this.searching)
      throw new Error('ExactVectorIndex.search called from its own exclude/allow predicate');
    this.searching = true;
    let constraints: RowConstraints | null = null;
    try {
      constraints = this.compile(options);
      const approx = this.scorer.scores(unit, n);
      return this.hits(this.select(unit, approx, want, constraints));
    } finally {
      if (constraints !== null) for (const row of constraints.blockedRows) this.blocked[row] = 0;
      this.searching = false;
    }
  }

  /** The search's constraints on rows, or null when nothing constrains (empty lists are no constraint). */
  private compile(options: VectorSearchOptions): RowConstraints | null {
    return compileRowConstraints(options, (id) => this.rows.get(id), this.blocked);
  }

  /**
   * The exact top `want` passing rows, from the float32 scores `approx` of
   * every row (steps 1–4 of the class docs). The threshold t only goes down:
   * each step scans the band of rows newly above it, so no row is checked
   * against the constraints twice.
   */
  private select(
    q: Float32Array,
    approx: Float32Array,
    want: number,
    constraints: RowConstraints | null,
  ): TopKHeap {
    const n = approx.length;
    this.histogram(approx);
    const rows = this.passRows;
    const scores = this.passScores;
    let passed = 0;
    let checked = 0;
    let t = Infinity;
    let kPrime = constraints === null ? want + 8 : want + constraints.blockedRows.length + (want >> 3) + 16;
    for (;;) {
      const next = kPrime >= n ? -Infinity : this.thresholdFor(kPrime);
      if (next < t) {
        // Rows newly at or above the threshold: check them, keep those that pass.
        for (let i = 0; i < n; i++) {
          const a = approx[i]!;
          if (a < next || a >= t) continue;
          checked++;
          if (constraints !== null && !this.passes(i, constraints)) continue;
          rows[passed] = i;
          scores[passed++] = a;
        }
        t = next;
      }
      if (passed >= want) {
        const heap = this.rescore(q, rows, scores, passed, want);
        if (t === -Infinity || heap.worstScore >= t + ROUNDING_MARGIN) return heap;
        kPrime *= 2;
      } else if (t === -Infinity) {
        return this.rescore(q, rows, scores, passed, want);
      } else {
        // Too few rows passed: scale k' by the pass rate seen so far.
        kPrime = Math.max(2 * kPrime, Math.ceil((1.25 * want * checked) / Math.max(1, passed)) + 16);
      }
    }
  }

  /**
   * The exact top `want` of the `count` passing rows `rows` (float32 scores
   * `scores`): when more than `want` passed, only rows within 2 × margin of
   * the `want`-th float32 score T can be in it (`want` rows score ≥ T − margin
   * exactly; a row below T − 2 × margin scores below all of them), so only
   * those are re-scored in float64 (sequential sum of float32 products, {@link RowScorer.exactScores}).
   */
  private rescore(
    q: Float32Array,
    rows: Int32Array,
    scores: Float32Array,
    count: number,
    want: number,
  ): TopKHeap {
    const floor =
      count > want ? kthLargest(scores, count, want, this.selectScratch) - 2 * ROUNDING_MARGIN : -Infinity;
    const list = this.selectRows;
    let m = 0;
    for (let j = 0; j < count; j++) if (scores[j]! >= floor) list[m++] = rows[j]!;
    const exact = this.scorer.exactScores(q, list, m);
    const heap = new TopKHeap(want);
    for (let j = 0; j < m; j++) heap.push(exact[j]!, list[j]!);
    return heap;
  }

  /**
   * Counts the float32 scores into SCORE_BUCKETS equal buckets over [-1, 1]
   * (the edges clamp): every row, or every HISTOGRAM_STEP-th row of a large
   * index (the counts then estimate 1 / HISTOGRAM_STEP of the rows; a
   * threshold from them only decides how many rows a step checks, never the
   * result). O(n / step).
   */
  private histogram(values: Float32Array): void {
    const counts = this.bucketCounts;
    counts.fill(0);
    const scale = SCORE_BUCKETS / 2;
    const top = SCORE_BUCKETS - 1;
    const step = values.length >= SAMPLE_FROM ? HISTOGRAM_STEP : 1;
    this.histogramStep = step;
    for (let i = 0; i < values.length; i += step) {
      const b = ((values[i]! + 1) * scale) | 0;
      counts[b < 0 ? 0 : b > top ? top : b]!++;
    }
  }

  /**
   * A threshold t with about `k` scores ≥ t by the last {@link histogram}
   * (at least k when it counted every row): the lower edge of the bucket
   * holding the (estimated) k-th largest score; -Infinity when that is the
   * lowest bucket.
   */
  private thresholdFor(k: number): number {
    const counts = this.bucketCounts;
    const need = Math.ceil(k / this.histogramStep);
    let seen = 0;
    let b = SCORE_BUCKETS - 1;
    for (; b > 0; b--) {
      seen += counts[b]!;
      if (seen >= need) break;
    }
    // Bucket 0 also holds every score below -1 (rounding): no lower edge.
    return b === 0 ? -Infinity : b / (SCORE_BUCKETS / 2) - 1;
  }

  /** Whether row `i` passes the search's filter, exclusions and allow list. */
  private passes(i: number, c: RowConstraints): boolean {
    if (!passesPayload(c, i, this.blocked, this.available, this.categoryCodes, this.interned.lists))
      return false;
    if (c.exclude !== undefined && c.exclude(this.ids[i]!)) return false;
    if (c.allow !== undefined && !c.allow(this.ids[i]!)) return false;
    return true;
  }

  private hits(heap: TopKHeap): VectorHit[] {
    const { scores, rows } = heap.sorted();
    const hits: VectorHit[] = new Array<VectorHit>(rows.length);
    // VectorHit.row's hint: rows below builtRows were put in fromVectors' id order; rows of items
    // upserted later get -1 (no hint), keeping one hit shape.
    const built = this.builtRows;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      hits[r] = { itemId: this.ids[row]!, score: scores[r]!, row: row < built ? row : -1 };
    }
    return hits;
  }

  async vectorOf(itemId: string): Promise<Float32Array | null> {
    const row = this.rows.get(itemId);
    return row === undefined ? null : this.scorer.vectorAt(row);
  }

  async upsert(entries: readonly VectorEntry[]): Promise<void> {
    checkEntryDimensions(entries, this.dimension);
    for (const e of entries) this.put(e.itemId, e.vector, e.payload);
  }

  async close(): Promise<void> {}

  /**
   * Writes `vector` normalised and the payload (none = no categories,
   * available) into the item's row, appending a row for a new id.
   */
  private put(itemId: string, vector: Float32Array, payload: VectorPayload | undefined): void {
    const d = this.dimension;
    let row = this.rows.get(itemId);
    if (row === undefined) {
      row = this.ids.length;
      if (row + 1 > this.scorer.capacity) this.grow(row + 1);
      this.ids.push(itemId);
      this.rows.set(itemId, row);
    }
    this.categoryCodes[row] = this.interned.code(payload?.categories);
    this.available[row] = payload?.available === false ? 0 : 1;
    let norm = 0;
    for (let p = 0; p < d; p++) norm += vector[p]! * vector[p]!;
    norm = Math.sqrt(norm);
    const scale = norm > 0 && Number.isFinite(norm) ? 1 / norm : 0;
    const off = row * this.scorer.stride;
    const v = this.scorer.rows;
    for (let p = 0; p < d; p++) v[off + p] = scale === 0 ? 0 : vector[p]! * scale;
  }

  /** Grows the row storage and the per-row arrays to hold at least `rows` rows. */
  private grow(rows: number): void {
    this.scorer.reserve(rows);
    const capacity = this.scorer.capacity;
    const available = new Uint8Array(capacity);
    available.set(this.available);
    this.available = available;
    const categoryCodes = new Int32Array(capacity);
    categoryCodes.set(this.categoryCodes);
    this.categoryCodes = categoryCodes;
    this.blocked = new Uint8Array(capacity);
    this.passRows = new Int32Array(capacity);
    this.passScores = new Float32Array(capacity);
    this.selectScratch = new Float32Array(capacity);
    this.selectRows = new Int32Array(capacity);
  }
}
