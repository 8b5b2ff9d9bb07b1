import { type WasmMemory, wasm, WASM_PAGE_BYTES } from './webAssembly.js';
/**
 * The WebAssembly kernels of {@link RowScorer}, compiled from `dotKernel.wat`
 * (next to this file) with wabt's `wat2wasm` (SIMD enabled; 1333 bytes,
 * SHA-256 aca652bb…6b04ff89). Byte offsets into the imported memory:
 * - `scores(q, v, groups, stride, out)`: for each row i < 8·groups,
 *   `out[i] = Σ_{p<stride} q[p]·v[i·stride + p]` in float32 (f32x4 lanes);
 * - `exact(q, v, stride, d, list, count, out)`: for j < count and
 *   row = list[j], `out[j]` = the float64 sum of the products in p order.
 * Rebuild after editing the .wat: `npx -p wabt@1.0.39 wat2wasm
 * src/stores/embedded/dotKernel.wat -o kernel.wasm`, then paste
 * `base64 -w0 kernel.wasm` here (and update the size and hash above).
 * test/unit/stores/rowScorer.test.ts checks that these bytes are the .wat's
 * (wabt is a dev dependency).
 */
export const KERNEL_BASE64 =
  'AGFzbQEAAAABEwJgBX9/f39/AGAHf39/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMDAgABBxICBnNjb3JlcwAABWV4YWN0AAEK6wkClgYFBX8BewF/CnsHfyADQQJ0IQggACAIaiEJIAEhByAIQQFsIRYgCEECbCEXIAhBA2whGCAIQQRsIRkgCEEFbCEaIAhBBmwhGyAIQQdsIRwCQANAIAUgAk8NAf0MAAAAAAAAAAAAAAAAAAAAACEM/QwAAAAAAAAAAAAAAAAAAAAAIQ39DAAAAAAAAAAAAAAAAAAAAAAhDv0MAAAAAAAAAAAAAAAAAAAAACEP/QwAAAAAAAAAAAAAAAAAAAAAIRD9DAAAAAAAAAAAAAAAAAAAAAAhEf0MAAAAAAAAAAAAAAAAAAAAACES/QwAAAAAAAAAAAAAAAAAAAAAIRMgACEGIAchCwJAA0AgBiAJTw0BIAb9AAQAIQogDCAKIAv9AAQA/eYB/eQBIQwgDSAKIAsgFmr9AAQA/eYB/eQBIQ0gDiAKIAsgF2r9AAQA/eYB/eQBIQ4gDyAKIAsgGGr9AAQA/eYB/eQBIQ8gECAKIAsgGWr9AAQA/eYB/eQBIRAgESAKIAsgGmr9AAQA/eYB/eQBIREgEiAKIAsgG2r9AAQA/eYB/eQBIRIgEyAKIAsgHGr9AAQA/eYB/eQBIRMgBkEQaiEGIAtBEGohCwwACwsgDCAN/Q0AAQIDEBESEwQFBgcUFRYXIAwgDf0NCAkKCxgZGhsMDQ4PHB0eH/3kASEUIA4gD/0NAAECAxAREhMEBQYHFBUWFyAOIA/9DQgJCgsYGRobDA0ODxwdHh/95AEhFSAEIBQgFf0NAAECAwQFBgcQERITFBUWFyAUIBX9DQgJCgsMDQ4PGBkaGxwdHh/95AH9CwQAIBAgEf0NAAECAxAREhMEBQYHFBUWFyAQIBH9DQgJCgsYGRobDA0ODxwdHh/95AEhFCASIBP9DQABAgMQERITBAUGBxQVFhcgEiAT/Q0ICQoLGBkaGwwNDg8cHR4f/eQBIRUgBCAUIBX9DQABAgMEBQYHEBESExQVFhcgFCAV/Q0ICQoLDA0ODxgZGhscHR4f/eQB/QsEECAEQSBqIQQgByAIQQN0aiEHIAVBAWohBQwACwsL0AMKA38BfAN/AXwBfwF8AX8BfAF/AXwgAkECdCEJIAVBfHEhCwJAA0AgByALTw0BIAEgBCAHQQJ0aigCACAJbGohDUQAAAAAAAAAACEOIAEgBCAHQQJ0aigCBCAJbGohD0QAAAAAAAAAACEQIAEgBCAHQQJ0aigCCCAJbGohEUQAAAAAAAAAACESIAEgBCAHQQJ0aigCDCAJbGohE0QAAAAAAAAAACEUQQAhCAJAA0AgCCADTw0BIAhBAnQhDCAAIAxqKgIAuyEKIA4gCiANIAxqKgIAu6KgIQ4gECAKIA8gDGoqAgC7oqAhECASIAogESAMaioCALuioCESIBQgCiATIAxqKgIAu6KgIRQgCEEBaiEIDAALCyAGIAdBA3RqIA45AwAgBiAHQQN0aiAQOQMIIAYgB0EDdGogEjkDECAGIAdBA3RqIBQ5AxggB0EEaiEHDAALCwJAA0AgByAFTw0BIAEgBCAHQQJ0aigCACAJbGohDUQAAAAAAAAAACEOQQAhCAJAA0AgCCADTw0BIAhBAnQhDCAOIAAgDGoqAgC7IA0gDGoqAgC7oqAhDiAIQQFqIQgMAAsLIAYgB0EDdGogDjkDACAHQQFqIQcMAAsLCw==';

let compiled: object | null = null;

/** The kernel module, compiled on first use (1333 bytes: synchronous compilation is cheap). Also instantiated over KernelRows' memories. */
export function kernelModule(): object {
  compiled ??= new wasm.Module(Buffer.from(KERNEL_BASE64, 'base64'));
  return compiled;
}

/**
 * The kernel module's `exact(q, v, stride, d, list, count, out)` (byte
 * offsets; see {@link KERNEL_BASE64}): float64 dot products of the query with
 * the listed rows, bit for bit a JavaScript float64 loop.
 */
export type ExactKernel = (
  q: number,
  v: number,
  stride: number,
  d: number,
  list: number,
  count: number,
  out: number,
) => void;

/** Rows the kernel scores per step: capacities are multiples of it. */
const GROUP = 8;

/**
 * Row-major float32 vectors kept in WebAssembly memory, with a SIMD kernel
 * that computes a query's dot product with every row in one call (about
 * 0.1 ms for 10k rows × 65 dimensions; a plain JavaScript loop takes 1.1 ms).
 *
 * Each row takes `stride` floats (the dimension rounded up to a multiple of
 * 4, zero-padded). Memory layout: rows at 0 (`capacity × stride` float32),
 * then the query (`stride` float32, zero-padded), one float32 score per row,
 * a list of rows (int32) and their float64 scores ({@link exactScores}).
 * Growing the capacity grows the memory (by doubling): rows stay at offset
 * 0, the scratch areas move past them.
 *
 * Accuracy: the kernel sums in float32 (lanes, then a fixed lane order), so a
 * score differs from the float64 sum of the same float32 products by at most
 * about `dimension × 2⁻²⁴ × Σ|q_p·v_p|` (Higham, "Accuracy and Stability of
 * Numerical Algorithms", §3.1): below 4e-6 for unit vectors at 65 dimensions.
 * Callers that need exact scores re-score the rows that matter (see
 * ExactVectorIndex).
 */
export class RowScorer {
  readonly dimension: number;
  /** Floats per row: the dimension rounded up to a multiple of 4. */
  readonly stride: number;
  private readonly memory: WasmMemory;
  private readonly kernel: (q: number, v: number, groups: number, stride: number, out: number) => void;
  private readonly exactKernel: ExactKernel;
  private listOffset = 0;
  private exactOffset = 0;
  private capacityRows = 0;
  private queryOffset = 0;
  private scoresOffset = 0;
  /** View of the rows: `capacity × stride` float32 (replaced when the capacity grows). */
  private rowView = new Float32Array(0);
  /** Views of the query (`dimension` floats) and of the score area (`capacity` floats), replaced with `rowView`. */
  private queryView = new Float32Array(0);
  private scoreView = new Float32Array(0);

  /**
   * @param dimension components per row, a positive integer (not checked here).
   * @param capacity initial row capacity, ≥ 1 (rounded up to a multiple of 8).
   */
  constructor(dimension: number, capacity: number) {
    this.dimension = dimension;
    this.stride = Math.ceil(dimension / 4) * 4;
    this.memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(kernelModule(), { env: { memory: this.memory } });
    this.kernel = instance.exports['scores'] as RowScorer['kernel'];
    this.exactKernel = instance.exports['exact'] as ExactKernel;
    this.reserve(Math.max(1, capacity));
  }

  /** Rows that fit without growing. */
  get capacity(): number {
    return this.capacityRows;
  }

  /** Bytes of WebAssembly memory held (rows and scratch areas). */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * The rows, row-major with `stride` floats per row (`capacity × stride`);
   * padding floats and rows past the stored count are zeros. The view is
   * replaced by {@link reserve}: do not keep it.
   */
  get rows(): Float32Array {
    return this.rowView;
  }

  /**
   * A copy of row `row`'s `dimension` components, without the padding: what
   * the in-process indexes' `vectorOf` returns (`ExactVectorIndex`,
   * `IvfVectorIndex`). The copy survives {@link reserve} and later writes.
   * @param row a stored row, 0 ≤ row < capacity (not checked here).
   */
  vectorAt(row: number): Float32Array {
    const off = row * this.stride;
    return this.rowView.slice(off, off + this.dimension);
  }

  /**
   * Makes room for at least `rows` rows (doubling), keeping the stored rows.
   * @throws RangeError when WebAssembly memory cannot grow that far (4 GiB in all).
   */
  reserve(rows: number): void {
    if (rows <= this.capacityRows) return;
    const stride = this.stride;
    const capacity = Math.ceil(Math.max(rows, 2 * this.capacityRows) / GROUP) * GROUP;
    const queryOffset = capacity * stride * 4;
    const scoresOffset = queryOffset + stride * 4;
    const listOffset = scoresOffset + capacity * 4;
    const exactOffset = listOffset + capacity * 4;
    const bytes = exactOffset + capacity * 8;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / WASM_PAGE_BYTES));
    const all = new Float32Array(this.memory.buffer);
    // The new rows and the query's padding may lie over the old scratch areas: zero them.
    all.fill(0, this.capacityRows * stride, scoresOffset / 4);
    this.capacityRows = capacity;
    this.queryOffset = queryOffset;
    this.scoresOffset = scoresOffset;
    this.listOffset = listOffset;
    this.exactOffset = exactOffset;
    this.rowView = new Float32Array(this.memory.buffer, 0, capacity * stride);
    this.queryView = new Float32Array(this.memory.buffer, queryOffset, this.dimension);
    this.scoreView = new Float32Array(this.memory.buffer, scoresOffset, capacity);
  }

  /**
   * The float32 dot products of `query` (length `dimension`) with rows
   * 0 .. n − 1: a view of n scores, valid until the next call or {@link reserve}.
   */
  scores(query: Float32Array, n: number): Float32Array {
    this.queryView.set(query);
    this.kernel(this.queryOffset, 0, Math.ceil(n / GROUP), this.stride, this.scoresOffset);
    return this.scoreView.subarray(0, n);
  }

  /**
   * The float32 dot products of `query` (length `dimension`) with the rows
   * of `ranges` row ranges, `starts[i] .. starts[i] + counts[i] − 1`, in
   * range order: a view of Σ counts scores, valid until the next call or
   * {@link reserve}. The same kernel as {@link scores}, pointed at each
   * range's first row. It works 8 rows at a time, so it reads up to 7 rows
   * past a range and writes up to 7 scores past its share (the next range
   * overwrites them): callers keep every `starts[i] + counts[i] + 7` and
   * `Σ counts + 7` within the capacity.
   */
  scoreRanges(query: Float32Array, starts: Int32Array, counts: Int32Array, ranges: number): Float32Array {
    this.queryView.set(query);
    const rowBytes = this.stride * 4;
    let out = this.scoresOffset;
    for (let i = 0; i < ranges; i++) {
      const count = counts[i]!;
      if (count <= 0) continue;
      this.kernel(this.queryOffset, starts[i]! * rowBytes, Math.ceil(count / GROUP), this.stride, out);
      out += count * 4;
    }
    return this.scoreView.subarray(0, (out - this.scoresOffset) / 4);
  }

  /**
   * The float64 dot products of `query` (length `dimension`) with the rows
   * `rows[0 .. count − 1]` (count ≤ capacity): for each, the sum of
   * `f64(query[p]) × f64(row[p])` over p = 0 .. dimension − 1, in order from
   * 0 — bit for bit what a JavaScript loop `s += query[p] * row[p]` gives
   * (float32 products are exact in float64). A view of count scores, valid
   * until the next call or {@link reserve}.
   */
  exactScores(query: Float32Array, rows: Int32Array, count: number): Float64Array {
    const buffer = this.memory.buffer;
    new Float32Array(buffer, this.queryOffset, this.dimension).set(query);
    new Int32Array(buffer, this.listOffset, count).set(rows.subarray(0, count));
    this.exactKernel(
      this.queryOffset,
      0,
      this.stride,
      this.dimension,
      this.listOffset,
      count,
      this.exactOffset,
    );
    return new Float64Array(buffer, this.exactOffset, count);
  }
}
