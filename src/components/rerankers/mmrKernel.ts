import { type WasmMemory, wasm, WASM_PAGE_BYTES } from '../../stores/embedded/webAssembly.js';
/**
 * The WebAssembly kernel of {@link mmrOrder} (src/components/rerankers/mmr.ts),
 * compiled from `mmrKernel.wat` (next to this file) with wabt's `wat2wasm`
 * 1.0.39 (SIMD enabled; 807 bytes, SHA-256 460f69aa…3035a757dd). Rebuild
 * after editing the .wat: `npx -p wabt@1.0.39 wat2wasm
 * src/components/rerankers/mmrKernel.wat -o kernel.wasm`, then paste
 * `base64 -w0 kernel.wasm` here (and update the size and hash above).
 * test/unit/components/mmr.test.ts checks that these bytes are the .wat's.
 */
export const MMR_KERNEL_BASE64 =
  'AGFzbQEAAAABCgFgBn9/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMCAQAHCgEGdXBkYXRlAAAK7wUB7AUECn8GewN8AX8gAUEDdCEJIAFBfHFBA3QhCiADIARBAnRqIQcgAyAEQX5xQQJ0aiEIIAMhBgJAA0AgBiAITw0BIAYoAgAhDiAGKAIEIQ8gACAOIAlsaiEMIAAgDyAJbGohDf0MAAAAAAAAAAAAAAAAAAAAACES/QwAAAAAAAAAAAAAAAAAAAAAIRP9DAAAAAAAAAAAAAAAAAAAAAAhFP0MAAAAAAAAAAAAAAAAAAAAACEVQQAhCwJAA0AgCyAKTw0BIAIgC2r9AAQAIRAgAiALav0ABBAhESASIBAgDCALav0ABAD98gH98AEhEiATIBEgDCALav0ABBD98gH98AEhEyAUIBAgDSALav0ABAD98gH98AEhFCAVIBEgDSALav0ABBD98gH98AEhFSALQSBqIQsMAAsLIBL9IQAhFiAU/SEAIRcCQANAIAsgCU8NASACIAtqKwMAIRggFiAYIAwgC2orAwCioCEWIBcgGCANIAtqKwMAoqAhFyALQQhqIQsMAAsLIBYgEv0hAaAgE/0hAKAgE/0hAaAhFiAXIBT9IQGgIBX9IQCgIBX9IQGgIRcgBSAOQQN0aiEZIBYgGSsDAGQEQCAZIBY5AwALIAUgD0EDdGohGSAXIBkrAwBkBEAgGSAXOQMACyAGQQhqIQYMAAsLIAYgB0kEQCAGKAIAIQ4gACAOIAlsaiEM/QwAAAAAAAAAAAAAAAAAAAAAIRL9DAAAAAAAAAAAAAAAAAAAAAAhE0EAIQsCQANAIAsgCk8NASASIAIgC2r9AAQAIAwgC2r9AAQA/fIB/fABIRIgEyACIAtq/QAEECAMIAtq/QAEEP3yAf3wASETIAtBIGohCwwACwsgEv0hACEWAkADQCALIAlPDQEgFiACIAtqKwMAIAwgC2orAwCioCEWIAtBCGohCwwACwsgFiAS/SEBoCAT/SEAoCAT/SEBoCEWIAUgDkEDdGohGSAWIBkrAwBkBEAgGSAWOQMACwsL';

/**
 * Scratch memory of one MMR run, laid out for the kernel (byte offsets):
 * the rows as float64 at `rowsAt` (n × d), the items' max similarities at
 * `maxSimAt` (n float64) and a list of item indices at `freeAt` (n int32).
 * The views are valid until the next {@link MmrKernel.reserve}.
 */
export interface MmrScratch {
  /** The whole memory as float64 (index = byte offset / 8). */
  readonly f64: Float64Array;
  /** The whole memory as int32 (index = byte offset / 4). */
  readonly i32: Int32Array;
  readonly rowsAt: number;
  readonly maxSimAt: number;
  readonly freeAt: number;
}

/**
 * The kernel's `update(x, d, o, free, m, maxSim)`: for each of the `m` item
 * indices i listed at `free` (int32), the dot product s of the float64 rows
 * at `o` and `x + i·d·8` (d components each), summed exactly as mmr.ts's
 * four-lane `dot`, then maxSim[i] (float64 at `maxSim + 8i`) = s when s is
 * larger. All arguments but d and m are byte offsets into the kernel's memory.
 */
export type MmrUpdate = (x: number, d: number, o: number, free: number, m: number, maxSim: number) => void;

/**
 * The MMR kernel over one WebAssembly memory, grown to the largest run seen
 * (1 page, 64 KiB, holds a window of 50 items × 64 dimensions; memory is
 * never shrunk). One per process: `mmrOrder` is synchronous, so runs never
 * overlap.
 */
export class MmrKernel {
  readonly update: MmrUpdate;
  private readonly memory: WasmMemory;
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);

  constructor() {
    this.memory = new wasm.Memory({ initial: 1 });
    const module = new wasm.Module(Buffer.from(MMR_KERNEL_BASE64, 'base64'));
    const instance = new wasm.Instance(module, { env: { memory: this.memory } });
    this.update = instance.exports['update'] as MmrUpdate;
  }

  /**
   * Scratch for n items of d components, the memory grown when it is too small.
   * @throws RangeError when the memory cannot grow that far (past 4 GiB: n × d above ~500M).
   */
  reserve(n: number, d: number): MmrScratch {
    const rowsBytes = n * d * 8;
    const maxSimAt = rowsBytes;
    const freeAt = maxSimAt + n * 8;
    const need = freeAt + n * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / WASM_PAGE_BYTES));
    if (this.f64.buffer !== this.memory.buffer) {
      this.f64 = new Float64Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    return { f64: this.f64, i32: this.i32, rowsAt: 0, maxSimAt, freeAt };
  }
}

let shared: MmrKernel | null = null;

/** The process's {@link MmrKernel}, compiled on first use (807 bytes: synchronous compilation is cheap). */
export function mmrKernel(): MmrKernel {
  shared ??= new MmrKernel();
  return shared;
}
