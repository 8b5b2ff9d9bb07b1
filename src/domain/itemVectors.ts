import { encodeHalves, halfTable, toHalf } from './halfFloat.js';

/**
 * How a served model keeps its item vectors (`RECGATE_VECTOR_PRECISION`):
 * - `float32`: as published (4 bytes per value);
 * - `float16`: 2 bytes per value, IEEE 754-2008 binary16 ("half"; round to
 *   nearest, ties to even), in the layout of {@link ItemVectors}. For the
 *   unit rows of a model (|v| ≤ 1) the rounding error of a value is at most
 *   2⁻¹²·|v| (2⁻²⁵ below 2⁻¹⁴), so a score (a dot product with a unit query)
 *   moves by at most about 2⁻¹¹, typically ~10⁻⁵ (issue #6: 130 MB less at
 *   1M × 65).
 */
export type VectorPrecision = 'float32' | 'float16';

/** The precisions {@link VectorPrecision} accepts, in documentation order. */
export const VECTOR_PRECISIONS: readonly VectorPrecision[] = ['float32', 'float16'];

/**
 * The `RECGATE_VECTOR_PRECISION` setting: a {@link VectorPrecision}, or
 * `auto`, which the gateway resolves per loaded model from its item count
 * and the index that will serve it (`servedVectorPrecision` in
 * src/services/vectorIndexChoice.ts: `float16` exactly where the IVF index
 * scans the halves in place, `float32` elsewhere).
 */
export type VectorPrecisionSetting = VectorPrecision | 'auto';

/** The values {@link VectorPrecisionSetting} accepts, in documentation order. */
export const VECTOR_PRECISION_SETTINGS: readonly VectorPrecisionSetting[] = ['auto', 'float32', 'float16'];

/**
 * A model's item vectors, n rows × w values row-major: float32 values, or
 * (precision `float16`) binary16 bit patterns in a Uint16Array. The element
 * type is the precision ({@link precisionOf}).
 *
 * Halves store the LAST value of each row minus 1: value w − 1 of a row is
 * 1 + half(h). The last value of a model's item vector is the MIPS-to-cosine
 * component sqrt(1 − ‖y‖²/M²) (`mipsToCosine.ts`), close to 1 for most items,
 * where binary16 has steps of 2⁻¹¹; stored as its distance from 1 it keeps
 * 11 significant bits (steps of ~5·10⁻⁸ at 10⁻⁴). Without it, item-to-item
 * queries (the seed's own vector, whose last value is also near 1) would rank
 * by that rounding (found by the attack on this work). A dot product of a
 * query q with a half row is then Σ_p q_p·half(h_p) + q_{w−1}
 * ({@link halfRowOffset}).
 */
export type ItemVectors = Float32Array | Uint16Array;

/** The precision of item vectors: `float16` for a Uint16Array of binary16 bit patterns. */
export function precisionOf(vectors: ItemVectors): VectorPrecision {
  return vectors instanceof Uint16Array ? 'float16' : 'float32';
}

/**
 * The float32 values `values` (n rows × `width`) as half rows in
 * `out[offset ..]`, in the layout of {@link ItemVectors} (the last value of
 * each row stored minus 1, computed in float64: exact for values in
 * [0.5, 2], Sterbenz's lemma).
 * @throws RangeError when `width` is not a positive integer dividing
 *   `values.length`, or the rows do not fit in `out` from `offset`.
 */
export function encodeHalfRows(values: Float32Array, width: number, out: Uint16Array, offset = 0): void {
  if (!Number.isInteger(width) || width < 1 || values.length % width !== 0) {
    throw new RangeError(`half rows: ${values.length} values are not rows of ${width}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + values.length > out.length) {
    throw new RangeError(`half rows: ${values.length} values do not fit in ${out.length} from ${offset}`);
  }
  encodeHalves(values, out, offset);
  for (let o = width - 1; o < values.length; o += width) out[offset + o] = toHalf(values[o]! - 1);
}

/** What a dot product of `query` (w values) with a half row adds to Σ q_p·half(h_p): q_{w−1} (see {@link ItemVectors}). */
export function halfRowOffset(query: ArrayLike<number>, width: number): number {
  return query[width - 1]!;
}

/**
 * The vectors as float32 values (n × `width`): the array itself when it holds
 * float32, else a new Float32Array of the decoded values (value p of a row is
 * half(h_p), the last one fl32(1 + half(h))). For index builds that copy the
 * rows anyway (exact search, HNSW, Qdrant uploads); at 1M × 65 the copy is
 * 260 MB, so the served IVF index reads halves in place instead.
 * @throws RangeError when `width` is not a positive integer dividing the length.
 */
export function float32Vectors(vectors: ItemVectors, width: number): Float32Array {
  if (vectors instanceof Float32Array) return vectors;
  if (!Number.isInteger(width) || width < 1 || vectors.length % width !== 0) {
    throw new RangeError(`half rows: ${vectors.length} values are not rows of ${width}`);
  }
  const out = new Float32Array(vectors.length);
  readVectorValues(vectors, width, 0, out);
  return out;
}

/**
 * Values `from .. from + out.length − 1` of the vectors (rows of `width`)
 * into `out`, decoded when they are halves (the last value of a row as
 * 1 + half(h)).
 * @throws RangeError when the range is past the end of the vectors.
 */
export function readVectorValues(
  vectors: ItemVectors,
  width: number,
  from: number,
  out: Float32Array | Float64Array,
): void {
  if (from < 0 || from + out.length > vectors.length) {
    throw new RangeError(`vector values ${from}..${from + out.length - 1} are past ${vectors.length} values`);
  }
  if (vectors instanceof Float32Array) {
    for (let p = 0; p < out.length; p++) out[p] = vectors[from + p]!;
    return;
  }
  const table = halfTable();
  for (let p = 0; p < out.length; p++) {
    const i = from + p;
    const h = table[vectors[i]!]!;
    out[p] = i % width === width - 1 ? Math.fround(1 + h) : h;
  }
}

/**
 * The decode table of item vectors' values: null for float32 values (read
 * them as they are), else {@link halfTable} (read `table[vectors[i]]`). For
 * readers of the first w − 1 values of a row (the factor view, the
 * hydrator's dot product with a user vector): the last value needs
 * {@link readVectorValues}. Hot loops hoist it once and branch per value.
 */
export function decodeTableOf(vectors: ItemVectors): Float32Array | null {
  return vectors instanceof Uint16Array ? halfTable() : null;
}
