import { halfTable } from './halfFloat.js';

/**
 * How a served model keeps its item vectors (`RECGATE_VECTOR_PRECISION`):
 * - `float32`: as published (4 bytes per value);
 * - `float16`: each value rounded to the nearest IEEE 754-2008 binary16
 *   ("half", 2 bytes per value; ties to even). For the unit rows of a model
 *   (|v| ≤ 1) the rounding error is at most 2⁻¹¹·|v| for |v| ≥ 2⁻¹⁴ and
 *   2⁻²⁵ below, so a score (a dot product with a unit query) moves by at
 *   most about 2⁻¹¹ and typically by ~10⁻⁵ (issue #6: 130 MB less at 1M × 65).
 */
export type VectorPrecision = 'float32' | 'float16';

/** The precisions {@link VectorPrecision} accepts, in documentation order. */
export const VECTOR_PRECISIONS: readonly VectorPrecision[] = ['float32', 'float16'];

/**
 * A model's item vectors, n rows × w values row-major: float32 values, or
 * (precision `float16`) the binary16 bit patterns of the values in a
 * Uint16Array. The element type is the precision: see {@link precisionOf}.
 */
export type ItemVectors = Float32Array | Uint16Array;

/** The precision of item vectors: `float16` for a Uint16Array of binary16 bit patterns. */
export function precisionOf(vectors: ItemVectors): VectorPrecision {
  return vectors instanceof Uint16Array ? 'float16' : 'float32';
}

/**
 * The vectors as float32 values: the array itself when it holds float32, else
 * a new Float32Array of the decoded values (exact: every binary16 value is a
 * float32). For index builds that copy the rows anyway (exact search, HNSW,
 * Qdrant uploads); at 1M × 65 the copy is 260 MB, so the served IVF index
 * reads halves in place instead.
 */
export function float32Vectors(vectors: ItemVectors): Float32Array {
  if (vectors instanceof Float32Array) return vectors;
  const table = halfTable();
  const out = new Float32Array(vectors.length);
  for (let i = 0; i < vectors.length; i++) out[i] = table[vectors[i]!]!;
  return out;
}

/**
 * Values `from .. from + out.length − 1` of the vectors into `out`, decoded
 * when they are halves (row r of width w starts at r·w).
 * @throws RangeError when the range is past the end of the vectors.
 */
export function readVectorValues(vectors: ItemVectors, from: number, out: Float32Array | Float64Array): void {
  if (from < 0 || from + out.length > vectors.length) {
    throw new RangeError(`vector values ${from}..${from + out.length - 1} are past ${vectors.length} values`);
  }
  if (vectors instanceof Float32Array) {
    for (let p = 0; p < out.length; p++) out[p] = vectors[from + p]!;
    return;
  }
  const table = halfTable();
  for (let p = 0; p < out.length; p++) out[p] = table[vectors[from + p]!]!;
}

/**
 * The decode table of item vectors' values: null for float32 values (read
 * them as they are), else {@link halfTable} (read `table[vectors[i]]`). Hot
 * loops hoist it once and branch per value.
 */
export function decodeTableOf(vectors: ItemVectors): Float32Array | null {
  return vectors instanceof Uint16Array ? halfTable() : null;
}
