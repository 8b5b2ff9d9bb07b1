/** log2 of the positions per written block of {@link CounterColumns}. */
const BLOCK_SHIFT = 12;
/** Positions per written block: 4096 (96 KiB of float64 per block). */
const BLOCK = 1 << BLOCK_SHIFT;
const MASK = BLOCK - 1;

/**
 * Item counters (popularity, trend, `updatedAt`) by position 0..n−1, as the
 * memory feature store keeps the seeded catalog's (issue #6: 25 MB at 1M
 * items when held as float64 columns).
 *
 * Until a position is written, its counters are the seed's: `popularity[k]`
 * and `trend[k]` of the given arrays (read in place, never written to: a
 * model's float32 columns can be passed as they are) and the one seed stamp.
 * The first write to a position copies its block of {@link BLOCK} positions
 * into one float64 array (popularity, trend, `updatedAt`) that holds the
 * block from then on, so writes keep float64 precision and a first write
 * costs a 96 KiB copy, not a copy of whole columns (at 1M items ~100 ms of
 * page faults on this host, on the event loop). Every value read is the
 * number stored: float32 seed values read as the same float64 numbers.
 */
export class CounterColumns {
  /** Positions 0..size−1. */
  readonly size: number;
  private readonly popularity: Float32Array | Float64Array | null;
  private readonly trend: Float32Array | Float64Array | null;
  private readonly stamp: number;
  /**
   * Written blocks by block number (undefined: never written): for block b,
   * `[popularity × BLOCK, trend × BLOCK, updatedAt × BLOCK]` of positions
   * b·BLOCK .. b·BLOCK + BLOCK − 1.
   */
  private readonly blocks: (Float64Array | undefined)[];

  /**
   * @param size positions, an integer ≥ 0.
   * @param seed the counters of unwritten positions: `popularity[k]`,
   *   `trend[k]` (null: 0 for every position) and `updatedAt` (Unix ms).
   *   The arrays are read for the columns' life and never written to: do not
   *   change them afterwards.
   * @throws RangeError for a size that is not an integer ≥ 0, or a seed
   *   array shorter than `size`.
   */
  constructor(
    size: number,
    seed: {
      readonly popularity: Float32Array | Float64Array | null;
      readonly trend: Float32Array | Float64Array | null;
      readonly updatedAt: number;
    },
  ) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be an integer ≥ 0, got ${size}`);
    for (const [name, column] of [
      ['popularity', seed.popularity],
      ['trend', seed.trend],
    ] as const) {
      if (column !== null && column.length < size) {
        throw new RangeError(`seed ${name} has ${column.length} values for ${size} positions`);
      }
    }
    this.size = size;
    this.popularity = seed.popularity;
    this.trend = seed.trend;
    this.stamp = seed.updatedAt;
    this.blocks = new Array<Float64Array | undefined>(Math.ceil(size / BLOCK)).fill(undefined);
  }

  /** Popularity at position k (0 ≤ k < size; undefined outside). */
  popularityAt(k: number): number {
    const block = this.blocks[k >>> BLOCK_SHIFT];
    if (block !== undefined) return block[k & MASK]!;
    return this.popularity === null ? 0 : this.popularity[k]!;
  }

  /** Trend at position k (0 ≤ k < size; undefined outside). */
  trendAt(k: number): number {
    const block = this.blocks[k >>> BLOCK_SHIFT];
    if (block !== undefined) return block[BLOCK + (k & MASK)]!;
    return this.trend === null ? 0 : this.trend[k]!;
  }

  /** `updatedAt` (Unix ms) at position k (0 ≤ k < size; undefined outside). */
  updatedAtAt(k: number): number {
    const block = this.blocks[k >>> BLOCK_SHIFT];
    return block === undefined ? this.stamp : block[2 * BLOCK + (k & MASK)]!;
  }

  /**
   * Stores the counters of position k (float64, as given).
   * @throws RangeError when k is not an integer in 0..size−1.
   */
  set(k: number, popularity: number, trend: number, updatedAt: number): void {
    if (!Number.isInteger(k) || k < 0 || k >= this.size) {
      throw new RangeError(`position ${k} is outside 0..${this.size - 1}`);
    }
    const b = k >>> BLOCK_SHIFT;
    let block = this.blocks[b];
    if (block === undefined) block = this.blocks[b] = this.copyOfBlock(b);
    const j = k & MASK;
    block[j] = popularity;
    block[BLOCK + j] = trend;
    block[2 * BLOCK + j] = updatedAt;
  }

  /** Block b's seed counters as one float64 array (see {@link blocks}); positions past `size` stay 0. */
  private copyOfBlock(b: number): Float64Array {
    const block = new Float64Array(3 * BLOCK);
    const from = b * BLOCK;
    const to = Math.min(this.size, from + BLOCK);
    if (this.popularity !== null) block.set(this.popularity.subarray(from, to), 0);
    if (this.trend !== null) block.set(this.trend.subarray(from, to), BLOCK);
    block.fill(this.stamp, 2 * BLOCK, 2 * BLOCK + (to - from));
    return block;
  }
}
