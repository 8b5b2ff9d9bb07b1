import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

/**
 * The WebAssembly binary of a kernel's `.wat` source, as base64: what
 * `wat2wasm` (wabt, SIMD enabled) makes of it. The kernels' tests compare it
 * with the base64 their module ships, so a shipped kernel is always its source.
 * @param path the .wat file, relative to the repository root (e.g. `src/stores/embedded/dotKernel.wat`).
 * @throws when the source does not parse.
 */
export async function watBinaryBase64(path: string): Promise<string> {
  const wabt = await wabtInit();
  const wat = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
  const module = wabt.parseWat(path, wat, { simd: true });
  try {
    return Buffer.from(module.toBinary({}).buffer).toString('base64');
  } finally {
    module.destroy();
  }
}
