import type { ItemIdList } from '../../domain/itemIdList.js';
import type { VectorPayload } from '../vectorIndex.js';
import { CategoryInterner } from '../embedded/categoryInterner.js';

/**
 * The rows an approximate index keeps beside its graph: item ids, the
 * L2-normalised float32 vectors (n×d, row-major: exact re-scoring, `vectorOf`
 * and the exact fallback) and each row's payload (categories, availability).
 *
 * Memory: 4·d bytes per row for the vectors, one pointer per row for the
 * categories (category lists are interned, so a million items drawn from a
 * few hundred category combinations share a few hundred arrays) and one
 * byte per row for availability. The vectors may be the caller's array
 * (`shared`): it is copied on the first write (an upsert), never written to.
 */
export class VectorRows {
  readonly dimension: number;
  private data: Float32Array;
  /** False while `data` is the caller's array (see {@link VectorRows.shared}): the first write copies it. */
  private ownsData = true;
  private readonly ids: string[] = [];
  private readonly rowOf = new Map<string, number>();
  private readonly categories: (readonly string[])[] = [];
  private availability: Uint8Array;
  private readonly interned = new CategoryInterner();

  /**
   * @param dimension components per vector, a positive integer.
   * @param capacity rows to allocate up front (grows by doubling). @default 1024
   * @throws RangeError for a dimension that is not a positive integer.
   */
  constructor(dimension: number, capacity = 1024) {
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new RangeError(`vector dimension must be a positive integer, got ${dimension}`);
    }
    this.dimension = dimension;
    this.data = new Float32Array(Math.max(1, capacity) * dimension);
    this.availability = new Uint8Array(Math.max(1, capacity));
  }

  /**
   * Rows over `itemIds` whose vectors are `normalised` as given, without a
   * copy: the caller guarantees every row has norm 1 or is all zeros (a
   * registry's `items.f32` does, docs/registry.md) and never writes to the
   * array afterwards. Duplicate ids keep the first row. O(n) for the id map.
   * @throws RangeError when `normalised.length !== itemIds.length × dimension`.
   */
  static shared(
    itemIds: ItemIdList,
    normalised: Float32Array,
    dimension: number,
    payloads: ReadonlyMap<string, VectorPayload> | undefined,
  ): VectorRows {
    if (normalised.length !== itemIds.length * dimension) {
      throw new RangeError(
        `expected ${itemIds.length}×${dimension} = ${itemIds.length * dimension} values, got ${normalised.length}`,
      );
    }
    const rows = new VectorRows(dimension, 1);
    rows.data = normalised;
    rows.ownsData = false;
    rows.availability = new Uint8Array(itemIds.length);
    for (let i = 0; i < itemIds.length; i++) {
      const id = itemIds.at(i)!;
      rows.ids.push(id);
      if (!rows.rowOf.has(id)) rows.rowOf.set(id, i);
      rows.setPayload(i, payloads?.get(id));
    }
    return rows;
  }

  /** Number of distinct ids (less than {@link size} when {@link VectorRows.shared} was given duplicates). */
  get distinctIds(): number {
    return this.rowOf.size;
  }

  /** Number of rows. */
  get size(): number {
    return this.ids.length;
  }

  /** The row of an item id, or undefined. */
  row(itemId: string): number | undefined {
    return this.rowOf.get(itemId);
  }

  /** The id stored in `row` (0 ≤ row < size). */
  id(row: number): string {
    return this.ids[row]!;
  }

  /** Categories of `row` (empty = none). */
  categoriesOf(row: number): readonly string[] {
    return this.categories[row]!;
  }

  /** Availability of `row` (no payload = available). */
  availableOf(row: number): boolean {
    return this.availability[row] === 1;
  }

  /** The whole row-major vector array: rows 0..size−1 are valid. Do not write to it. */
  get vectors(): Float32Array {
    return this.data;
  }

  /** A copy of `row`'s normalised vector. */
  vectorOf(row: number): Float32Array {
    const d = this.dimension;
    return this.data.slice(row * d, (row + 1) * d);
  }

  /** Dot product of the (normalised) query with `row`'s vector: the cosine. O(d). */
  dot(query: Float32Array, row: number): number {
    const d = this.dimension;
    const v = this.data;
    let s = 0;
    for (let p = 0, off = row * d; p < d; p++) s += query[p]! * v[off + p]!;
    return s;
  }

  /**
   * Stores `vector` normalised (a zero or non-finite vector as zeros) and the
   * payload in the item's row, appending a row for a new id.
   * @returns the row written.
   */
  put(itemId: string, vector: Float32Array, payload: VectorPayload | undefined): number {
    const d = this.dimension;
    if (!this.ownsData) {
      this.data = this.data.slice();
      this.ownsData = true;
    }
    let row = this.rowOf.get(itemId);
    if (row === undefined) {
      row = this.ids.length;
      this.ensureCapacity(row + 1);
      this.ids.push(itemId);
      this.rowOf.set(itemId, row);
    }
    this.setPayload(row, payload);
    let norm = 0;
    for (let p = 0; p < d; p++) norm += vector[p]! * vector[p]!;
    norm = Math.sqrt(norm);
    const scale = norm > 0 && Number.isFinite(norm) ? 1 / norm : 0;
    const off = row * d;
    for (let p = 0; p < d; p++) this.data[off + p] = scale === 0 ? 0 : vector[p]! * scale;
    return row;
  }

  private setPayload(row: number, payload: VectorPayload | undefined): void {
    this.categories[row] = this.interned.intern(payload?.categories);
    this.availability[row] = payload?.available === false ? 0 : 1;
  }

  private ensureCapacity(rows: number): void {
    const d = this.dimension;
    if (rows * d > this.data.length) {
      const grown = new Float32Array(Math.max(2 * this.data.length, rows * d));
      grown.set(this.data);
      this.data = grown;
    }
    if (rows > this.availability.length) {
      const grown = new Uint8Array(Math.max(2 * this.availability.length, rows));
      grown.set(this.availability);
      this.availability = grown;
    }
  }
}
