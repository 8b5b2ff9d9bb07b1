import { type WasmMemory, wasm, WASM_PAGE_BYTES } from './webAssembly.js';
// About 390 lines (150 of them docs), over the ~300 guideline: the float32 and the float16 rows
// share one memory layout, registry, scorer class and chunking; only the kernels and the query's
// prescaling differ. The kernels are the .wat files next to this file; the half encoding is
// src/domain/halfFloat.ts.
import { HALF_QUERY_SCALE, halfTable } from '../../domain/halfFloat.js';
import { kernelModule } from './rowScorer.js';
import type { ExactKernel } from './rowScorer.js';

/**
 * The WebAssembly kernel of {@link KernelRows}, compiled from
 * `gatherKernel.wat` (next to this file) with wabt's `wat2wasm` (SIMD
 * enabled; 1342 bytes, SHA-256 d517b2a4…ef2c8f94):
 * `gather(q, v, rowBytes, d4, d, list, count, out)` sets, for j < count and
 * row = list[j], `out[j]` = the float32 dot product of the query with row
 * `row` (f32x4 lanes over the first d4 components, then one by one). Byte
 * offsets into the imported memory. Rebuild after editing the .wat as
 * `rowScorer.ts` says for its kernel; test/unit/stores/kernelRows.test.ts
 * checks that these bytes are the .wat's.
 */
export const GATHER_KERNEL_BASE64 =
  'AGFzbQEAAAABDAFgCH9/f39/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcKAQZnYXRoZXIAAAqECgGBChwDfwF7AX8BfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfSADQQJ0IQogBiAGQQhwayEMAkADQCAIIAxPDQEgASAFIAhBAnRqKAIAIAJsaiEO/QwAAAAAAAAAAAAAAAAAAAAAIQ8gASAFIAhBAnRqKAIEIAJsaiER/QwAAAAAAAAAAAAAAAAAAAAAIRIgASAFIAhBAnRqKAIIIAJsaiEU/QwAAAAAAAAAAAAAAAAAAAAAIRUgASAFIAhBAnRqKAIMIAJsaiEX/QwAAAAAAAAAAAAAAAAAAAAAIRggASAFIAhBAnRqKAIQIAJsaiEa/QwAAAAAAAAAAAAAAAAAAAAAIRsgASAFIAhBAnRqKAIUIAJsaiEd/QwAAAAAAAAAAAAAAAAAAAAAIR4gASAFIAhBAnRqKAIYIAJsaiEg/QwAAAAAAAAAAAAAAAAAAAAAISEgASAFIAhBAnRqKAIcIAJsaiEj/QwAAAAAAAAAAAAAAAAAAAAAISRBACEJAkADQCAJIApPDQEgACAJav0ABAAhCyAPIAsgDiAJav0ABAD95gH95AEhDyASIAsgESAJav0ABAD95gH95AEhEiAVIAsgFCAJav0ABAD95gH95AEhFSAYIAsgFyAJav0ABAD95gH95AEhGCAbIAsgGiAJav0ABAD95gH95AEhGyAeIAsgHSAJav0ABAD95gH95AEhHiAhIAsgICAJav0ABAD95gH95AEhISAkIAsgIyAJav0ABAD95gH95AEhJCAJQRBqIQkMAAsLIA/9HwAgD/0fAZIgD/0fAiAP/R8DkpIhECAS/R8AIBL9HwGSIBL9HwIgEv0fA5KSIRMgFf0fACAV/R8BkiAV/R8CIBX9HwOSkiEWIBj9HwAgGP0fAZIgGP0fAiAY/R8DkpIhGSAb/R8AIBv9HwGSIBv9HwIgG/0fA5KSIRwgHv0fACAe/R8BkiAe/R8CIB79HwOSkiEfICH9HwAgIf0fAZIgIf0fAiAh/R8DkpIhIiAk/R8AICT9HwGSICT9HwIgJP0fA5KSISUCQANAIAkgBEECdE8NASAAIAlqKgIAIQ0gECANIA4gCWoqAgCUkiEQIBMgDSARIAlqKgIAlJIhEyAWIA0gFCAJaioCAJSSIRYgGSANIBcgCWoqAgCUkiEZIBwgDSAaIAlqKgIAlJIhHCAfIA0gHSAJaioCAJSSIR8gIiANICAgCWoqAgCUkiEiICUgDSAjIAlqKgIAlJIhJSAJQQRqIQkMAAsLIAcgCEECdGogEDgCACAHIAhBAnRqIBM4AgQgByAIQQJ0aiAWOAIIIAcgCEECdGogGTgCDCAHIAhBAnRqIBw4AhAgByAIQQJ0aiAfOAIUIAcgCEECdGogIjgCGCAHIAhBAnRqICU4AhwgCEEIaiEIDAALCwJAA0AgCCAGTw0BIAEgBSAIQQJ0aigCACACbGohDv0MAAAAAAAAAAAAAAAAAAAAACEPQQAhCQJAA0AgCSAKTw0BIA8gACAJav0ABAAgDiAJav0ABAD95gH95AEhDyAJQRBqIQkMAAsLIA/9HwAgD/0fAZIgD/0fAiAP/R8DkpIhEAJAA0AgCSAEQQJ0Tw0BIBAgACAJaioCACAOIAlqKgIAlJIhECAJQQRqIQkMAAsLIAcgCEECdGogEDgCACAIQQFqIQgMAAsLCw==';

/**
 * The WebAssembly kernels of {@link KernelRows} over halves, compiled from
 * `halfKernel.wat` (next to this file) with wabt's `wat2wasm` 1.0.39 (SIMD
 * enabled; 2134 bytes, SHA-256 893dd1f4…e39e3f2d), byte offsets into the
 * imported memory; rows are IEEE 754-2008 binary16 bit patterns, the query
 * float32 prescaled by {@link HALF_QUERY_SCALE}:
 * - `gather(q, v, rowBytes, d4, d, list, count, out)`: as
 *   {@link GATHER_KERNEL_BASE64}'s, each half loaded by `v128.load16x4_s`
 *   (WebAssembly SIMD: 4 × i16 sign-extended to i32x4), shifted left by 13
 *   and masked with 0x8FFFE000, which makes the float32 h · 2^−112;
 * - `exact(q, v, stride, d, list, count, out)`: as `dotKernel.wat`'s
 *   `exact`, each half decoded the same way by `i32.load16_s`.
 * Same lanes and summation order as the float32 kernels, so the scores are
 * theirs over the decoded rows, bit for bit. Rebuild after editing the .wat
 * as `rowScorer.ts` says for its kernel; test/unit/stores/kernelRows.test.ts
 * checks that these bytes are the .wat's.
 */
export const HALF_KERNEL_BASE64 =
  'AGFzbQEAAAABFgJgCH9/f39/f39/AGAHf39/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMDAgABBxICBmdhdGhlcgAABWV4YWN0AAEKiRAC7wsdBH8BewF/AX0BewF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBfQF/AXsBff0MAOD/jwDg/48A4P+PAOD/jyEPIANBAnQhCyAGIAZBCHBrIQ0CQANAIAggDU8NASABIAUgCEECdGooAgAgAmxqIRD9DAAAAAAAAAAAAAAAAAAAAAAhESABIAUgCEECdGooAgQgAmxqIRP9DAAAAAAAAAAAAAAAAAAAAAAhFCABIAUgCEECdGooAgggAmxqIRb9DAAAAAAAAAAAAAAAAAAAAAAhFyABIAUgCEECdGooAgwgAmxqIRn9DAAAAAAAAAAAAAAAAAAAAAAhGiABIAUgCEECdGooAhAgAmxqIRz9DAAAAAAAAAAAAAAAAAAAAAAhHSABIAUgCEECdGooAhQgAmxqIR/9DAAAAAAAAAAAAAAAAAAAAAAhICABIAUgCEECdGooAhggAmxqISL9DAAAAAAAAAAAAAAAAAAAAAAhIyABIAUgCEECdGooAhwgAmxqISX9DAAAAAAAAAAAAAAAAAAAAAAhJkEAIQlBACEKAkADQCAJIAtPDQEgACAJav0ABAAhDCARIAwgECAKav0DAwBBDf2rASAP/U795gH95AEhESAUIAwgEyAKav0DAwBBDf2rASAP/U795gH95AEhFCAXIAwgFiAKav0DAwBBDf2rASAP/U795gH95AEhFyAaIAwgGSAKav0DAwBBDf2rASAP/U795gH95AEhGiAdIAwgHCAKav0DAwBBDf2rASAP/U795gH95AEhHSAgIAwgHyAKav0DAwBBDf2rASAP/U795gH95AEhICAjIAwgIiAKav0DAwBBDf2rASAP/U795gH95AEhIyAmIAwgJSAKav0DAwBBDf2rASAP/U795gH95AEhJiAJQRBqIQkgCkEIaiEKDAALCyAR/R8AIBH9HwGSIBH9HwIgEf0fA5KSIRIgFP0fACAU/R8BkiAU/R8CIBT9HwOSkiEVIBf9HwAgF/0fAZIgF/0fAiAX/R8DkpIhGCAa/R8AIBr9HwGSIBr9HwIgGv0fA5KSIRsgHf0fACAd/R8BkiAd/R8CIB39HwOSkiEeICD9HwAgIP0fAZIgIP0fAiAg/R8DkpIhISAj/R8AICP9HwGSICP9HwIgI/0fA5KSISQgJv0fACAm/R8BkiAm/R8CICb9HwOSkiEnAkADQCAJIARBAnRPDQEgACAJaioCACEOIBIgDiAQIApqLgEAQQ10QYDA//94cb6UkiESIBUgDiATIApqLgEAQQ10QYDA//94cb6UkiEVIBggDiAWIApqLgEAQQ10QYDA//94cb6UkiEYIBsgDiAZIApqLgEAQQ10QYDA//94cb6UkiEbIB4gDiAcIApqLgEAQQ10QYDA//94cb6UkiEeICEgDiAfIApqLgEAQQ10QYDA//94cb6UkiEhICQgDiAiIApqLgEAQQ10QYDA//94cb6UkiEkICcgDiAlIApqLgEAQQ10QYDA//94cb6UkiEnIAlBBGohCSAKQQJqIQoMAAsLIAcgCEECdGogEjgCACAHIAhBAnRqIBU4AgQgByAIQQJ0aiAYOAIIIAcgCEECdGogGzgCDCAHIAhBAnRqIB44AhAgByAIQQJ0aiAhOAIUIAcgCEECdGogJDgCGCAHIAhBAnRqICc4AhwgCEEIaiEIDAALCwJAA0AgCCAGTw0BIAEgBSAIQQJ0aigCACACbGohEP0MAAAAAAAAAAAAAAAAAAAAACERQQAhCUEAIQoCQANAIAkgC08NASARIAAgCWr9AAQAIBAgCmr9AwMAQQ39qwEgD/1O/eYB/eQBIREgCUEQaiEJIApBCGohCgwACwsgEf0fACAR/R8BkiAR/R8CIBH9HwOSkiESAkADQCAJIARBAnRPDQEgEiAAIAlqKgIAIBAgCmouAQBBDXRBgMD//3hxvpSSIRIgCUEEaiEJIApBAmohCgwACwsgByAIQQJ0aiASOAIAIAhBAWohCAwACwsLlQQKA38BfAR/AXwBfwF8AX8BfAF/AXwgAkEBdCEJIAVBfHEhCwJAA0AgByALTw0BIAEgBCAHQQJ0aigCACAJbGohDkQAAAAAAAAAACEPIAEgBCAHQQJ0aigCBCAJbGohEEQAAAAAAAAAACERIAEgBCAHQQJ0aigCCCAJbGohEkQAAAAAAAAAACETIAEgBCAHQQJ0aigCDCAJbGohFEQAAAAAAAAAACEVQQAhCAJAA0AgCCADTw0BIAhBAnQhDCAIQQF0IQ0gACAMaioCALshCiAPIAogDiANai4BAEENdEGAwP//eHG+u6KgIQ8gESAKIBAgDWouAQBBDXRBgMD//3hxvruioCERIBMgCiASIA1qLgEAQQ10QYDA//94cb67oqAhEyAVIAogFCANai4BAEENdEGAwP//eHG+u6KgIRUgCEEBaiEIDAALCyAGIAdBA3RqIA85AwAgBiAHQQN0aiAROQMIIAYgB0EDdGogEzkDECAGIAdBA3RqIBU5AxggB0EEaiEHDAALCwJAA0AgByAFTw0BIAEgBCAHQQJ0aigCACAJbGohDkQAAAAAAAAAACEPQQAhCAJAA0AgCCADTw0BIAhBAnQhDCAIQQF0IQ0gDyAAIAxqKgIAuyAOIA1qLgEAQQ10QYDA//94cb67oqAhDyAIQQFqIQgMAAsLIAYgB0EDdGogDzkDACAHQQFqIQcMAAsLCw==';

/**
 * Bytes of scratch before the rows in a {@link allocateKernelRows} memory:
 * the query (up to {@link MAX_KERNEL_DIMENSION} floats), a list of rows
 * ({@link CHUNK_ROWS} int32) and their scores ({@link CHUNK_ROWS} float64).
 */
export const KERNEL_ROWS_SCRATCH_BYTES = 2 * WASM_PAGE_BYTES;
/** The most components per row {@link KernelRows} scores (the query area holds this many floats). */
export const MAX_KERNEL_DIMENSION = 4096;
/** Rows scored per kernel call: longer lists are scored in chunks of this many. */
const CHUNK_ROWS = 8192;
const QUERY_OFFSET = 0;
const LIST_OFFSET = MAX_KERNEL_DIMENSION * 4;
const OUT_OFFSET = LIST_OFFSET + CHUNK_ROWS * 4;

let gatherCompiled: object | null = null;
let halfCompiled: object | null = null;

/**
 * How a kernel memory's rows are stored: `float32` ({@link allocateKernelRows},
 * 4 bytes a value) or `float16` ({@link allocateKernelHalves}, IEEE 754-2008
 * binary16 bit patterns, 2 bytes a value).
 */
export type KernelPrecision = 'float32' | 'float16';

/** What {@link allocateKernelRows} and {@link allocateKernelHalves} register for each memory they make (keyed by its ArrayBuffer). */
interface KernelMemory {
  readonly memory: WasmMemory;
  /** Values (floats or halves) after the scratch area. */
  readonly length: number;
  readonly precision: KernelPrecision;
  scorers: Map<number, KernelRows>;
}
const memories = new WeakMap<ArrayBuffer, KernelMemory>();

/**
 * A never-growing WebAssembly memory for the scratch area and `length` values
 * of `precision`, registered in `memories`.
 * @throws RangeError as {@link allocateKernelRows} says.
 */
function reserve(length: number, precision: KernelPrecision): WasmMemory {
  const [what, unit, size] =
    precision === 'float32' ? ['kernel rows', 'floats', 4] : ['kernel halves', 'halves', 2];
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`${what}: expected a non-negative integer length, received ${length}`);
  }
  const bytes = KERNEL_ROWS_SCRATCH_BYTES + length * size;
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  if (pages > 65536) {
    throw new RangeError(`${what}: ${length} ${unit} (${bytes} bytes) exceed WebAssembly's 4 GiB of memory`);
  }
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  memories.set(memory.buffer, { memory, length, precision, scorers: new Map() });
  return memory;
}

/**
 * A zeroed Float32Array of `length` floats that lives in its own
 * WebAssembly memory, after {@link KERNEL_ROWS_SCRATCH_BYTES} of scratch,
 * so that {@link KernelRows} can score its rows where they are (issue #6:
 * a served model's item vectors are then the only float32 copy of the rows;
 * the IVF index with storage `none` scans them in place). The memory never
 * grows, so the view stays valid for the memory's life (it is garbage
 * collected with the view). Otherwise an ordinary Float32Array
 * (`byteOffset` is the scratch size).
 * @throws RangeError when `length` is not a non-negative integer, or when the
 *   rows and scratch exceed WebAssembly's 4 GiB (about 16M rows of 65 floats).
 */
export function allocateKernelRows(length: number): Float32Array {
  const memory = reserve(length, 'float32');
  return new Float32Array(memory.buffer, KERNEL_ROWS_SCRATCH_BYTES, length);
}

/**
 * {@link allocateKernelRows} for halves: a zeroed Uint16Array of `length`
 * IEEE 754-2008 binary16 bit patterns (src/domain/halfFloat.ts) in its own
 * WebAssembly memory, after the same {@link KERNEL_ROWS_SCRATCH_BYTES} of
 * scratch, which {@link KernelRows} scores in place (issue #6: item vectors
 * as halves, half the bytes of float32). The memory never grows.
 * @throws RangeError when `length` is not a non-negative integer, or when the
 *   halves and scratch exceed WebAssembly's 4 GiB (about 33M rows of 65).
 */
export function allocateKernelHalves(length: number): Uint16Array {
  const memory = reserve(length, 'float16');
  return new Uint16Array(memory.buffer, KERNEL_ROWS_SCRATCH_BYTES, length);
}

/**
 * {@link allocateKernelRows} when the rows fit in WebAssembly memory (4 GiB,
 * about 16M rows of 65 floats) and it can be reserved, else an ordinary
 * Float32Array (no in-place scan then: the IVF index copies the rows, and
 * other readers see no difference). How a model version's item vectors are
 * allocated (`loadVersionBundle`).
 * @throws RangeError when `length` is not a non-negative integer.
 */
export function allocateRows(length: number): Float32Array {
  try {
    return allocateKernelRows(length);
  } catch (err) {
    if (!Number.isInteger(length) || length < 0) throw err;
    return new Float32Array(length);
  }
}

/**
 * {@link allocateKernelHalves} when the halves fit in WebAssembly memory
 * (4 GiB, about 33M rows of 65) and it can be reserved, else an ordinary
 * Uint16Array (for which {@link KernelRows.of} is null).
 * @throws RangeError when `length` is not a non-negative integer.
 */
export function allocateHalfRows(length: number): Uint16Array {
  try {
    return allocateKernelHalves(length);
  } catch (err) {
    if (!Number.isInteger(length) || length < 0) throw err;
    return new Uint16Array(length);
  }
}

/**
 * Dot products of a query with rows of an {@link allocateKernelRows} (float32)
 * or {@link allocateKernelHalves} (float16) array, read in place: the rows a
 * caller lists (by row number, any order), with a SIMD gather kernel. Scores
 * of scattered rows cost about 2.7× those of the same number of contiguous
 * rows (RowScorer's kernel; measured at 1M × 65, ~4k rows from 16 random
 * lists: 0.22 ms against 0.08, cache misses), in exchange for no copy of the
 * rows. Over halves the same scores take about 0.9× the float32 time (half
 * the bytes to fetch, three more SIMD operations a load; one run at 1M × 65,
 * ~3.9k rows from 16 of 4,095 lists, on a loaded 2-core host: 0.21 ms against
 * 0.23).
 *
 * Accuracy: {@link scoreRanges} sums in float32 (lanes, then in a fixed order),
 * within about `d × 2⁻²⁴ × Σ|q_p·v_p|` of the float64 sum (Higham,
 * "Accuracy and Stability of Numerical Algorithms", §3.1), as RowScorer;
 * {@link exactScores} is bit for bit a JavaScript float64 loop. Over halves,
 * both return bit for bit what they return over a float32 copy of the decoded
 * rows (`halfTable()[h]`): the kernel decodes h as the float32 h · 2^−112 and
 * the query is prescaled by {@link HALF_QUERY_SCALE} (2^112, exact), so each
 * product is the same real number, rounded the same way, summed in the same
 * order. (The error of the halves themselves, up to 2⁻¹¹ relative per value,
 * is the encoder's: src/domain/halfFloat.ts.)
 *
 * One scorer per memory and dimension, shared: calls are synchronous and use
 * the memory's scratch area, so they must not be interleaved (none is: each
 * call returns before another can start).
 */
export class KernelRows {
  readonly dimension: number;
  /** How the rows are stored: `float32` or `float16` (binary16 bit patterns, decoded by the kernels). */
  readonly precision: KernelPrecision;
  private readonly gather: (
    q: number,
    v: number,
    rowBytes: number,
    d4: number,
    d: number,
    list: number,
    count: number,
    out: number,
  ) => void;
  private readonly exact: ExactKernel;
  /** Bytes per row: dimension × 4 (float32) or × 2 (float16). */
  private readonly rowBytes: number;
  /** The rows, as {@link allocateKernelRows} or {@link allocateKernelHalves} returned them. */
  private readonly rows: Float32Array | Uint16Array;
  private readonly query: Float32Array;
  private readonly list: Int32Array;
  private readonly out32: Float32Array;
  private readonly out64: Float64Array;

  private constructor(entry: KernelMemory, dimension: number) {
    this.dimension = dimension;
    this.precision = entry.precision;
    const memory = entry.memory;
    const imports = { env: { memory } };
    const buffer = memory.buffer;
    if (entry.precision === 'float32') {
      gatherCompiled ??= new wasm.Module(Buffer.from(GATHER_KERNEL_BASE64, 'base64'));
      this.gather = new wasm.Instance(gatherCompiled, imports).exports['gather'] as KernelRows['gather'];
      this.exact = new wasm.Instance(kernelModule(), imports).exports['exact'] as ExactKernel;
      this.rowBytes = dimension * 4;
      this.rows = new Float32Array(buffer, KERNEL_ROWS_SCRATCH_BYTES, entry.length);
    } else {
      halfCompiled ??= new wasm.Module(Buffer.from(HALF_KERNEL_BASE64, 'base64'));
      const exports = new wasm.Instance(halfCompiled, imports).exports;
      this.gather = exports['gather'] as KernelRows['gather'];
      this.exact = exports['exact'] as ExactKernel;
      this.rowBytes = dimension * 2;
      this.rows = new Uint16Array(buffer, KERNEL_ROWS_SCRATCH_BYTES, entry.length);
    }
    this.query = new Float32Array(buffer, QUERY_OFFSET, dimension);
    this.list = new Int32Array(buffer, LIST_OFFSET, CHUNK_ROWS);
    this.out32 = new Float32Array(buffer, OUT_OFFSET, CHUNK_ROWS);
    this.out64 = new Float64Array(buffer, OUT_OFFSET, CHUNK_ROWS);
  }

  /**
   * The scorer of `rows` as rows of `dimension` values (row r at r·dimension),
   * or null when `rows` is not the whole array {@link allocateKernelRows}
   * (a Float32Array) or {@link allocateKernelHalves} (a Uint16Array) returned,
   * or the dimension is not an integer in 1..{@link MAX_KERNEL_DIMENSION}
   * dividing its length.
   */
  static of(rows: Float32Array | Uint16Array, dimension: number): KernelRows | null {
    const entry = memories.get(rows.buffer as ArrayBuffer);
    if (entry === undefined || rows.byteOffset !== KERNEL_ROWS_SCRATCH_BYTES) return null;
    if (rows.length !== entry.length) return null;
    if (rows instanceof Uint16Array !== (entry.precision === 'float16')) return null;
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_KERNEL_DIMENSION) return null;
    if (rows.length % dimension !== 0) return null;
    let scorer = entry.scorers.get(dimension);
    if (scorer === undefined) {
      scorer = new KernelRows(entry, dimension);
      entry.scorers.set(dimension, scorer);
    }
    return scorer;
  }

  /**
   * Float32 scores against `query` (`dimension` floats) of the rows listed
   * in `ranges` slices of `list`, `list[starts[i] .. starts[i] + counts[i])`,
   * written to `out` in range order from index 0. The slices are gathered
   * into the scratch list and scored {@link CHUNK_ROWS} at a time (one kernel
   * call for a typical IVF search's ~4k rows, not one per probed list).
   * @param list row numbers, each 0 ≤ row < rows (not checked: a row past
   *   the array reads other memory or traps).
   * @returns how many scores were written (Σ counts).
   * @throws RangeError over halves, when a finite query component has
   *   |q| ≥ 65536 (its prescaled copy q · 2^112 would overflow float32; a unit
   *   query never does).
   */
  scoreRanges(
    query: Float32Array,
    list: Int32Array,
    starts: Int32Array,
    counts: Int32Array,
    ranges: number,
    out: Float32Array,
  ): number {
    const d = this.dimension;
    if (this.precision === 'float32') this.query.set(query.subarray(0, d));
    else this.setScaledQuery(query);
    let written = 0;
    let fill = 0;
    for (let r = 0; r < ranges; r++) {
      let from = starts[r]!;
      let left = counts[r]!;
      while (left > 0) {
        const take = Math.min(left, CHUNK_ROWS - fill);
        this.list.set(list.subarray(from, from + take), fill);
        fill += take;
        from += take;
        left -= take;
        if (fill === CHUNK_ROWS) {
          written = this.flush(fill, out, written);
          fill = 0;
        }
      }
    }
    return fill > 0 ? this.flush(fill, out, written) : written;
  }

  /** Scores the `fill` rows of the scratch list into `out` from `at`. @returns at + fill. */
  private flush(fill: number, out: Float32Array, at: number): number {
    const d = this.dimension;
    this.gather(
      QUERY_OFFSET,
      KERNEL_ROWS_SCRATCH_BYTES,
      this.rowBytes,
      d & ~3,
      d,
      LIST_OFFSET,
      fill,
      OUT_OFFSET,
    );
    out.set(this.out32.subarray(0, fill), at);
    return at + fill;
  }

  /**
   * Writes `query[0 .. count)` times {@link HALF_QUERY_SCALE} into the
   * scratch query (the halves kernels' side of the decode trick): exact, as a
   * power-of-two scale of a float32 below 2^16 is.
   * @throws RangeError for a finite component with |q| ≥ 65536.
   */
  private setScaledQuery(query: Float32Array, count = this.dimension): void {
    for (let p = 0; p < count; p++) {
      const q = query[p]!;
      if (Math.abs(q) >= 65536 && q !== Infinity && q !== -Infinity) {
        throw new RangeError(
          `kernel halves: query component ${p} is ${q}; scores against halves need |q| < 65536 (q · 2^112 must stay a finite float32)`,
        );
      }
      this.query[p] = q * HALF_QUERY_SCALE;
    }
  }

  /**
   * Float64 scores of the rows `list[0 .. count)` against `query`, into
   * `out[0 .. count)`: for each, the sum of f64(query[p]) × f64(row[p]) in
   * order from p = 0, bit for bit a JavaScript loop `s += query[p] * row[p]`
   * (RowScorer's `exact` kernel, pointed at these rows; over halves,
   * `row[p]` is the decoded half `halfTable()[h]`).
   * @throws RangeError over halves, as {@link scoreRanges}.
   */
  exactScores(query: Float32Array, list: Int32Array, count: number, out: Float64Array): void {
    this.exactPrefixScores(query, this.dimension, list, count, out);
  }

  /**
   * {@link exactScores} over the first `components` values of each row only:
   * for each listed row, the sum of f64(query[p]) × f64(row[p]) for
   * p < `components`, in order from p = 0, bit for bit a JavaScript loop over
   * those values (over halves, of the decoded halves). The item-features
   * hydrator's user·item dot product, which skips the last (MIPS) value of
   * each item vector, is this with `components` = dimension − 1.
   * @param query at least `components` floats.
   * @throws RangeError when `components` is not an integer in 1..dimension;
   *   over halves, as {@link scoreRanges}.
   */
  exactPrefixScores(
    query: Float32Array,
    components: number,
    list: Int32Array,
    count: number,
    out: Float64Array,
  ): void {
    const d = this.dimension;
    if (!Number.isInteger(components) || components < 1 || components > d) {
      throw new RangeError(`kernel rows: cannot sum ${components} components of rows of ${d}`);
    }
    if (this.precision === 'float32') this.query.set(query.subarray(0, components));
    else this.setScaledQuery(query, components);
    for (let done = 0; done < count;) {
      const m = Math.min(CHUNK_ROWS, count - done);
      this.list.set(list.subarray(done, done + m));
      this.exact(QUERY_OFFSET, KERNEL_ROWS_SCRATCH_BYTES, d, components, LIST_OFFSET, m, OUT_OFFSET);
      out.set(this.out64.subarray(0, m), done);
      done += m;
    }
  }

  /**
   * Copies row `row`'s values into `out[0 .. dimension)` as float32: the
   * floats themselves, or the halves decoded (`halfTable()[h]`, exact), as
   * stored: a model's half rows hold their last value minus 1 (`ItemVectors`;
   * `readVectorValues` adds it back), and so do the scores of this class.
   * @throws RangeError when `row` is not an integer in 0..rows − 1 or `out`
   *   holds fewer than `dimension` floats.
   */
  readRow(row: number, out: Float32Array): void {
    const d = this.dimension;
    const rows = this.rows;
    if (!Number.isInteger(row) || row < 0 || (row + 1) * d > rows.length || out.length < d) {
      throw new RangeError(
        `kernel rows: cannot read row ${row} of ${rows.length / d} into ${out.length} floats (dimension ${d})`,
      );
    }
    const o = row * d;
    if (rows instanceof Float32Array) {
      out.set(rows.subarray(o, o + d));
      return;
    }
    const table = halfTable();
    for (let p = 0; p < d; p++) out[p] = table[rows[o + p]!]!;
  }
}
