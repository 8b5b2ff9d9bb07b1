import { decodeTableOf } from './itemVectors.js';
import type { ItemVectors } from './itemVectors.js';

/**
 * The item factor matrix Y (nItems×d) as rows of a possibly wider float32
 * array: y_i[p] = scale · values[i·stride + p] for 0 ≤ p < d.
 *
 * Training holds Y itself ({@link denseFactorRows}: stride d, scale 1). The
 * server holds only the item vectors, the MIPS-to-cosine transform of Y
 * (`mipsToCosine.ts`: v_i = [y_i/M, sqrt(1 − ‖y_i‖²/M²)], n×(d+1)), and reads
 * Y through them ({@link factorRowsOfVectors}: stride d + 1, scale M), which
 * saves nItems·d·4 bytes (256 MB at 1M items × 64; issue #6). The view equals
 * Y up to the float32 rounding of y/M: |M·v_p − y_p| ≤ 2⁻²⁴·|y_p| per
 * component (round to nearest; the float64 division and product add ~2⁻⁵³).
 *
 * Hot loops read `values[o + p]` with o = row·stride and fold `scale` into
 * their coefficients (one multiply per row, not per element); with scale 1
 * those multiplications are exact, so the dense case computes bit for bit
 * what it computed on a plain array.
 *
 * With item vectors at precision `float16` (`RECGATE_VECTOR_PRECISION`), the
 * view's `values` are the vectors' binary16 bit patterns (a Uint16Array):
 * readers decode them through `decodeTableOf(values)` ({@link factorRowNorm},
 * {@link readFactorRows}), and y_i[p] = scale · half(values[i·stride + p]).
 */
export interface FactorRows {
  /**
   * At least (count − 1)·stride + dimension values; row i starts at i·stride.
   * Float32 values, or binary16 bit patterns (a view through half-precision
   * item vectors; see {@link ItemVectors}).
   */
  readonly values: ItemVectors;
  /** d, the factors per row. */
  readonly dimension: number;
  /** Distance between the starts of two rows, in values (≥ d). */
  readonly stride: number;
  /** Every value is multiplied by this (finite, ≥ 0). */
  readonly scale: number;
  /** Rows (items). */
  readonly count: number;
}

/**
 * Y held as is: n×d row-major (stride d, scale 1).
 * @throws RangeError when d is not a positive integer or the length is not a multiple of d.
 */
export function denseFactorRows(values: Float32Array, dimension: number): FactorRows {
  if (!Number.isInteger(dimension) || dimension < 1 || values.length % dimension !== 0) {
    throw new RangeError(`item factors length ${values.length} is not a multiple of d=${dimension}`);
  }
  return { values, dimension, stride: dimension, scale: 1, count: values.length / dimension };
}

/**
 * Y read through the item vectors of `mipsToCosine` (n×(d+1), the first d
 * components of row i being y_i/M): stride d + 1, scale M. The vectors are
 * shared, not copied.
 * @param maxNorm M, the manifest's `retrieval.maxItemNorm` (0 when every item is zero).
 * @throws RangeError when d is not a positive integer, the length is not a
 *   multiple of d + 1 or M is not a finite number ≥ 0.
 */
export function factorRowsOfVectors(vectors: ItemVectors, dimension: number, maxNorm: number): FactorRows {
  const stride = dimension + 1;
  if (!Number.isInteger(dimension) || dimension < 1 || vectors.length % stride !== 0) {
    throw new RangeError(`item vectors length ${vectors.length} is not a multiple of d + 1 = ${stride}`);
  }
  if (!(Number.isFinite(maxNorm) && maxNorm >= 0)) {
    throw new RangeError(`the largest item norm must be a finite number ≥ 0, got ${maxNorm}`);
  }
  return { values: vectors, dimension, stride, scale: maxNorm, count: vectors.length / stride };
}

/**
 * ‖y_row‖ in float64: scale·sqrt(Σ_p values[o + p]²), summed in order p = 0…d−1
 * (each square is exact for a float32 value). For dense rows (scale 1) this
 * is exactly sqrt(Σ y_p²). @param row 0 ≤ row < count.
 */
export function factorRowNorm(rows: FactorRows, row: number): number {
  const { values, dimension: d, scale } = rows;
  const o = row * rows.stride;
  const table = decodeTableOf(values);
  let s = 0;
  for (let p = 0; p < d; p++) {
    const v = table === null ? values[o + p]! : table[values[o + p]!]!;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/**
 * The raw values (before `scale`) of rows `rows[k]`, k = 0..m−1, as float32:
 * row k at `out[k·d .. k·d + d − 1]` (decoded when the values are halves;
 * exact either way). What fold-in reads when the rows are halves: the solve
 * then runs on a dense m×d array (stride d, the same scale) instead of the
 * whole table. @param out at least m·d values; a new array when omitted.
 * @returns `out`.
 * @throws RangeError when a row is not in 0..count − 1.
 */
export function readFactorRows(rows: FactorRows, list: ArrayLike<number>, out?: Float32Array): Float32Array {
  const { values, dimension: d, stride, count } = rows;
  const m = list.length;
  const dense = out ?? new Float32Array(m * d);
  const table = decodeTableOf(values);
  for (let k = 0; k < m; k++) {
    const row = list[k]!;
    if (!Number.isInteger(row) || row < 0 || row >= count) {
      throw new RangeError(`factor row ${row} is not in 0..${count - 1}`);
    }
    const o = row * stride;
    const t = k * d;
    if (table === null) for (let p = 0; p < d; p++) dense[t + p] = values[o + p]!;
    else for (let p = 0; p < d; p++) dense[t + p] = table[values[o + p]!]!;
  }
  return dense;
}

/**
 * Y as an n×d row-major Float32Array: `values` itself when the rows are
 * dense (stride d, scale 1), else a new array of fl32(scale·v) per component
 * (what publishing or an offline tool needs; the server never calls it).
 */
export function denseFactors(rows: FactorRows): Float32Array {
  const { values, dimension: d, stride, scale, count } = rows;
  if (values instanceof Float32Array && stride === d && scale === 1 && values.length === count * d)
    return values;
  const table = decodeTableOf(values);
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    const o = i * stride;
    for (let p = 0; p < d; p++)
      out[i * d + p] = scale * (table === null ? values[o + p]! : table[values[o + p]!]!);
  }
  return out;
}
