import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * File name of the Gram matrix YᵀY of the item factors in a registry version:
 * `item-factors.gram.f64`, d×d float64 little-endian, row-major (symmetric).
 * Written at publish time so a server does not recompute YᵀY (O(nItems·d²),
 * seconds at 1M items) at every model load. The manifest does not name it:
 * versions published before it existed simply lack it, and readers then
 * compute YᵀY from `item-factors.f32` (same function, same result).
 */
export const ITEM_GRAM_FILE = 'item-factors.gram.f64';

/** The bytes of `gram` (d×d float64) as stored in {@link ITEM_GRAM_FILE}. */
export function itemGramBytes(gram: Float64Array): Uint8Array {
  // Float64Array is host-endian; every supported Node platform is little-endian.
  return new Uint8Array(gram.buffer, gram.byteOffset, gram.byteLength);
}

/**
 * Reads {@link ITEM_GRAM_FILE} from a version folder.
 * @param d the factor dimension: the file must hold d·d float64 values.
 * @returns the d×d Gram matrix, or null when the version has no such file (older versions).
 * @throws Error naming the file when it cannot be read or its size is not d·d·8 bytes.
 */
export function readItemGram(versionDir: string, d: number): Float64Array | null {
  const path = join(versionDir, ITEM_GRAM_FILE);
  if (!existsSync(path)) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (bytes.byteLength !== d * d * 8) {
    throw new Error(`${path} holds ${bytes.byteLength} bytes; d = ${d} implies ${d * d * 8} (d×d float64)`);
  }
  const out = new Float64Array(d * d);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
