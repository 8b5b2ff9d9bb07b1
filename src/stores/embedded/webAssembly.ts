/**
 * The few WebAssembly JS API members the SIMD kernels use (rowScorer.ts,
 * kernelRows.ts, ann/codeScorer.ts, components/rerankers/mmrKernel.ts). The
 * project compiles without the DOM lib, whose declarations they are; Node 20
 * provides them at run time.
 */
export interface WasmMemory {
  /** The memory's bytes; replaced (the old one detached) by {@link WasmMemory.grow}. */
  readonly buffer: ArrayBuffer;
  /**
   * Grows the memory by `pages` pages of {@link WASM_PAGE_BYTES}.
   * @returns the previous size in pages. @throws RangeError past the maximum (4 GiB, or the memory's own).
   */
  grow(pages: number): number;
}

/** `WebAssembly.Module`, `Instance` and `Memory`, as the kernels call them. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  /** `initial` and `maximum` in pages. */
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** The runtime's `WebAssembly` object. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per WebAssembly memory page (the spec's 64 KiB). */
export const WASM_PAGE_BYTES = 65536;
