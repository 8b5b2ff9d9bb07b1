import type {
  VectorEntry,
  VectorHit,
  VectorIndex,
  VectorPayload,
  VectorSearchOptions,
} from '../vectorIndex.js';
import { exactSearch, MetricKind } from 'usearch';
import type { Matches } from 'usearch';
import type { CompiledVectorFilter } from './compileVectorFilter.js';
import { compileVectorFilter, passesVectorFilter } from './compileVectorFilter.js';
import { TopKHeap } from './topKHeap.js';
import { unitQuery } from './unitQuery.js';

const NO_CATEGORIES: readonly string[] = Object.freeze([]);

/**
 * How far a row's exact score (float64 sum over unit float32 vectors) may
 * exceed the inner product usearch computed for it in float32: a few ulps of
 * float32 times the dimension, with a wide safety factor.
 */
const ROUNDING_MARGIN = 1e-4;

/** A search's constraints on rows, compiled once per search. */
interface RowConstraints {
  readonly filter: CompiledVectorFilter | null;
  readonly exclude: ((itemId: string) => boolean) | undefined;
  readonly allow: ((itemId: string) => boolean) | undefined;
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
 * Vectors are kept L2-normalised in one row-major Float32Array (capacity
 * doubles as items are added). A search asks usearch's SIMD brute force
 * (`exactSearch`, one thread) for the k' best rows by inner product, re-scores
 * those rows in float64 and checks the constraints on them, keeping the best k
 * in a min-heap over typed arrays. k' starts at k + 8 (2k + 16 with a filter,
 * exclusions or an allow list) and grows 4× while fewer than k rows pass or
 * the k-th score is within float32 rounding of the rows not returned; past
 * n/4 the index is scanned in JavaScript instead (below 4(k + 8) rows, always).
 * The result is therefore the same as a full scan's. At 10k items × 65
 * dimensions a search takes about 0.5 ms (2 ms for the plain JavaScript scan);
 * past ~200k items use the ANN index (`RECGATE_VECTOR_INDEX=ann`) or Qdrant.
 *
 * - `search` normalises the query, so scores are cosines in [-1, 1]; a
 *   zero-norm query has no direction and returns no hits. Ties go to the row
 *   added first. The `filter` (checked against each row's payload: categories,
 *   availability) and `exclude` / `allow` are only evaluated for rows that
 *   would enter the current top k.
 * - A query or vector whose length differs from `dimension` rejects with a RangeError.
 * - A zero or non-finite vector is stored as zeros (cosine 0 with every query).
 */
export class ExactVectorIndex implements VectorIndex {
  readonly name = 'exact';
  readonly dimension: number;
  private vectors: Float32Array;
  private readonly ids: string[] = [];
  private readonly rows = new Map<string, number>();
  /** Per row: the payload's categories (empty = none) and availability. */
  private readonly categories: (readonly string[])[] = [];
  private readonly available: boolean[] = [];

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
    this.vectors = new Float32Array(Math.max(1, capacity) * dimension);
  }

  /**
   * An index over `itemIds.length` vectors (n×dimension, row-major, e.g. a
   * registry version's `items.f32`) with optional payloads by id. Rows are
   * normalised on the way in; a later duplicate id replaces the earlier row's vector.
   * @throws RangeError when `vectors.length !== itemIds.length × dimension`.
   */
  static fromVectors(
    itemIds: readonly string[],
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
    for (let i = 0; i < itemIds.length; i++) {
      const id = itemIds[i]!;
      index.put(id, vectors.subarray(i * dimension, (i + 1) * dimension), options.payloads?.get(id));
    }
    return index;
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.ids.length;
  }

  async search(query: Float32Array, k: number, options: VectorSearchOptions = {}): Promise<VectorHit[]> {
    const d = this.dimension;
    const unit = unitQuery(query, d);
    const n = this.ids.length;
    const want = Math.min(Math.floor(k), n);
    if (!(want > 0) || unit === null) return [];
    const constraints: RowConstraints = {
      filter: compileVectorFilter(options.filter),
      exclude: options.exclude,
      allow: options.allow,
    };
    const constrained =
      constraints.filter !== null || constraints.exclude !== undefined || constraints.allow !== undefined;
    // Candidate step: usearch's SIMD brute force returns the k' best rows by
    // inner product; they are re-scored here exactly and checked against the
    // constraints. When the k-th kept score does not clear the k'-th returned
    // score by more than the float32 rounding margin, or fewer than k rows
    // passed, k' grows 4× per round; past n/4 the whole index is scanned in
    // JavaScript (the same result, one pass).
    let kPrime = constrained ? 2 * want + 16 : want + 8;
    while (kPrime < n / 4) {
      const heap = this.searchCandidates(unit, want, kPrime, constraints);
      if (heap !== null) return this.hits(heap);
      kPrime *= 4;
    }
    return this.hits(this.scanAll(unit, want, constraints));
  }

  /**
   * One candidate round: the `kPrime` best rows from usearch's exact search,
   * re-scored and constrained into a heap of `want`. Returns null when the
   * round cannot prove its top `want` equal to a full scan's (too few rows
   * passed, or the boundary is within the rounding margin of unseen rows).
   */
  private searchCandidates(
    q: Float32Array,
    want: number,
    kPrime: number,
    constraints: RowConstraints,
  ): TopKHeap | null {
    const d = this.dimension;
    const n = this.ids.length;
    // usearch reads from the start of the ArrayBuffer, so the rows start at
    // offset 0 of `this.vectors` and the query is a fresh array.
    const found = exactSearch(this.vectors.subarray(0, n * d), q, d, kPrime, MetricKind.IP, 1) as Matches;
    const heap = new TopKHeap(want);
    const v = this.vectors;
    for (let r = 0; r < found.keys.length; r++) {
      const i = Number(found.keys[r]!);
      const off = i * d;
      let s = 0;
      for (let p = 0; p < d; p++) s += q[p]! * v[off + p]!;
      // Rows arrive by score, not by row: `push` settles equal scores by row.
      if (this.passes(i, constraints)) heap.push(s, i);
    }
    // Every row not returned has an inner product ≤ the last returned one's
    // (1 − distance, in float32); its exact score is within the margin of it.
    const unseenBound = 1 - found.distances[found.distances.length - 1]! + ROUNDING_MARGIN;
    if (heap.count < want || heap.worstScore <= unseenBound) return null;
    return heap;
  }

  /** The reference path: one dot product per row, in row order, over the whole index. */
  private scanAll(q: Float32Array, want: number, constraints: RowConstraints): TopKHeap {
    const d = this.dimension;
    const n = this.ids.length;
    const heap = new TopKHeap(want);
    const v = this.vectors;
    for (let i = 0, off = 0; i < n; i++, off += d) {
      let s = 0;
      for (let p = 0; p < d; p++) s += q[p]! * v[off + p]!;
      if (heap.wouldAccept(s) && this.passes(i, constraints)) heap.push(s, i);
    }
    return heap;
  }

  /** Whether row `i` passes the search's filter, exclusions and allow list. */
  private passes(i: number, { filter, exclude, allow }: RowConstraints): boolean {
    const id = this.ids[i]!;
    if (filter !== null && !passesVectorFilter(filter, id, this.categories[i]!, this.available[i]!))
      return false;
    if (exclude !== undefined && exclude(id)) return false;
    if (allow !== undefined && !allow(id)) return false;
    return true;
  }

  private hits(heap: TopKHeap): VectorHit[] {
    const { scores, rows } = heap.sorted();
    const hits: VectorHit[] = new Array<VectorHit>(rows.length);
    for (let r = 0; r < rows.length; r++) hits[r] = { itemId: this.ids[rows[r]!]!, score: scores[r]! };
    return hits;
  }

  async vectorOf(itemId: string): Promise<Float32Array | null> {
    const row = this.rows.get(itemId);
    if (row === undefined) return null;
    return this.vectors.slice(row * this.dimension, (row + 1) * this.dimension);
  }

  async upsert(entries: readonly VectorEntry[]): Promise<void> {
    for (const e of entries) {
      if (e.vector.length !== this.dimension) {
        throw new RangeError(
          `vector of ${e.itemId} has ${e.vector.length} components; the index holds ${this.dimension}`,
        );
      }
    }
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
      if ((row + 1) * d > this.vectors.length) {
        const grown = new Float32Array(Math.max(2 * this.vectors.length, (row + 1) * d));
        grown.set(this.vectors);
        this.vectors = grown;
      }
      this.ids.push(itemId);
      this.rows.set(itemId, row);
    }
    const categories = payload?.categories;
    this.categories[row] =
      categories !== undefined && categories.length > 0 ? [...categories] : NO_CATEGORIES;
    this.available[row] = payload?.available !== false;
    let norm = 0;
    for (let p = 0; p < d; p++) norm += vector[p]! * vector[p]!;
    norm = Math.sqrt(norm);
    const scale = norm > 0 && Number.isFinite(norm) ? 1 / norm : 0;
    const off = row * d;
    for (let p = 0; p < d; p++) this.vectors[off + p] = scale === 0 ? 0 : vector[p]! * scale;
  }
}
