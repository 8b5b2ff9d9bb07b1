import type {
  VectorEntry,
  VectorHit,
  VectorIndex,
  VectorPayload,
  VectorSearchOptions,
} from '../vectorIndex.js';
import { compileVectorFilter, passesVectorFilter } from './compileVectorFilter.js';
import { TopKHeap } from './topKHeap.js';
import { unitQuery } from './unitQuery.js';

const NO_CATEGORIES: readonly string[] = Object.freeze([]);

/** Options of {@link ExactVectorIndex.fromVectors}. */
export interface ExactVectorIndexOptions {
  /**
   * Payload per item id (a served model's `catalog` fits as is); items not
   * in the map have none (no categories, available). @default none
   */
  readonly payloads?: ReadonlyMap<string, VectorPayload>;
}

/**
 * The embedded {@link VectorIndex}: exact cosine search by a full scan.
 *
 * Vectors are kept L2-normalised in one row-major Float32Array (capacity
 * doubles as items are added), so a search is one dot product per row plus a
 * size-k min-heap over typed arrays: O(n·d + n·log k) time, no per-item
 * allocation. At 10k items × 33 dimensions a search takes about a millisecond;
 * past ~1M items use an approximate index (Qdrant adapter).
 *
 * - `search` normalises the query, so scores are cosines in [-1, 1]; a
 *   zero-norm query has no direction and returns no hits. Ties go to the row
 *   added first. The `filter` (checked against each row's payload: categories,
 *   availability) and `exclude` / `allow` are only evaluated for rows that
 *   would enter the current top k, so a filter costs nothing for the rest.
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
    const q = unit;

    const { exclude, allow } = options;
    const filter = compileVectorFilter(options.filter);
    const heap = new TopKHeap(want);
    const v = this.vectors;
    for (let i = 0, off = 0; i < n; i++, off += d) {
      let s = 0;
      for (let p = 0; p < d; p++) s += q[p]! * v[off + p]!;
      if (!heap.wouldAccept(s)) continue;
      const id = this.ids[i]!;
      if (filter !== null && !passesVectorFilter(filter, id, this.categories[i]!, this.available[i]!))
        continue;
      if (exclude !== undefined && exclude(id)) continue;
      if (allow !== undefined && !allow(id)) continue;
      heap.push(s, i);
    }
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
