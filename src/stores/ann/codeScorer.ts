import { type WasmMemory, wasm, WASM_PAGE_BYTES } from '../embedded/webAssembly.js';
/**
 * The WebAssembly kernel of {@link CodeScorer}, compiled from `codeKernel.wat`
 * (next to this file) with wabt's `wat2wasm` (SIMD enabled; 306 bytes,
 * SHA-256 d8cb25c7…793ff0da): `scores(q, v, rows, stride, out)` sets
 * `out[i] = Σ_{p<stride} q[p]·v[i·stride + p]` in float32 for int8 codes `v`
 * and float32 weights `q` (byte offsets into the imported memory). Rebuild
 * after editing the .wat as `rowScorer.ts` says for its kernel;
 * test/unit/stores/codeScorer.test.ts checks that these bytes are the .wat's.
 */
export const CODE_KERNEL_BASE64 =
  'AGFzbQEAAAABCQFgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcKAQZzY29yZXMAAAr7AQH4AQIEfwN7IAAgA0ECdGohCCABIQcCQANAIAUgAk8NAf0MAAAAAAAAAAAAAAAAAAAAACEJIAAhBgJAA0AgBiAITw0BIAf9AAQAIQogCv2HASELIAkgBv0ABAAgC/2nAf36Af3mAf3kASEJIAkgBv0ABBAgC/2oAf36Af3mAf3kASEJIAr9iAEhCyAJIAb9AAQgIAv9pwH9+gH95gH95AEhCSAJIAb9AAQwIAv9qAH9+gH95gH95AEhCSAGQcAAaiEGIAdBEGohBwwACwsgBCAFQQJ0aiAJ/R8AIAn9HwGSIAn9HwIgCf0fA5KSOAIAIAVBAWohBQwACwsL';

let compiled: object | null = null;

/**
 * A fixed number of rows of int8 codes (one byte per dimension, each row
 * zero-padded to a multiple of 16 bytes) in WebAssembly memory, with a SIMD
 * kernel that scores float32 weights against row ranges: the scan of
 * IVF-SQ8 (an IVF index with a scalar quantiser, FAISS
 * `IndexIVFScalarQuantizer`). Encoding and the weights' meaning are the
 * caller's (`IvfVectorIndex`: per-dimension scales). Memory: `stride` bytes
 * per row plus 4 bytes per row of scores. Accuracy: float32 sums of products
 * of float32 weights and small integers (about `stride × 2⁻²⁴ × Σ|products|`).
 */
export class CodeScorer {
  readonly dimension: number;
  /** Codes per row: the dimension rounded up to a multiple of 16. */
  readonly stride: number;
  readonly capacity: number;
  private readonly kernel: (q: number, v: number, rows: number, stride: number, out: number) => void;
  private readonly memory: WasmMemory;
  private readonly queryOffset: number;
  private readonly scoresOffset: number;
  /** All codes: row r at r·stride (write with {@link setRow}). */
  readonly codes: Int8Array;
  private readonly queryView: Float32Array;
  private readonly scoreView: Float32Array;

  /**
   * @param dimension components per row, a positive integer.
   * @param capacity rows, a non-negative integer.
   * @throws RangeError for other values; a RangeError from WebAssembly past its 4 GiB.
   */
  constructor(dimension: number, capacity: number) {
    if (!Number.isInteger(dimension) || dimension < 1 || !Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(
        `CodeScorer: expected a positive dimension and a capacity ≥ 0, got ${dimension}, ${capacity}`,
      );
    }
    this.dimension = dimension;
    this.stride = Math.ceil(dimension / 16) * 16;
    this.capacity = capacity;
    this.queryOffset = capacity * this.stride; // a multiple of 16
    this.scoresOffset = this.queryOffset + this.stride * 4;
    const bytes = this.scoresOffset + capacity * 4;
    this.memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES)) });
    compiled ??= new wasm.Module(Buffer.from(CODE_KERNEL_BASE64, 'base64'));
    const instance = new wasm.Instance(compiled, { env: { memory: this.memory } });
    this.kernel = instance.exports['scores'] as CodeScorer['kernel'];
    this.codes = new Int8Array(this.memory.buffer, 0, capacity * this.stride);
    this.queryView = new Float32Array(this.memory.buffer, this.queryOffset, this.stride);
    this.scoreView = new Float32Array(this.memory.buffer, this.scoresOffset, capacity);
  }

  /** Bytes of WebAssembly memory held. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Scores `weights` (`dimension` floats) against the rows of each range
   * (`starts[i]`, `counts[i]` rows), in range order.
   * @returns the scores (a view of the kernel's score area, valid until the next call).
   */
  scoreRanges(weights: Float32Array, starts: Int32Array, counts: Int32Array, ranges: number): Float32Array {
    this.queryView.set(weights.subarray(0, this.dimension));
    let out = this.scoresOffset;
    for (let i = 0; i < ranges; i++) {
      const count = counts[i]!;
      if (count <= 0) continue;
      this.kernel(this.queryOffset, starts[i]! * this.stride, count, this.stride, out);
      out += count * 4;
    }
    return this.scoreView.subarray(0, (out - this.scoresOffset) / 4);
  }
}
