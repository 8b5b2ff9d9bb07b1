import { denseFactorRows, readFactorRows } from '../../src/domain/factorRows.js';
import type { FactorRows } from '../../src/domain/factorRows.js';
import { gramMatrix, rowRegularization, solveRow } from './trainIals.js';

/**
 * What fold-in needs from a trained iALS model: the item factors Y
 * (nItems×d) as {@link FactorRows} — dense in training and evaluation, a view
 * through the item vectors when served (`models/registry/loadVersionBundle.ts`)
 * — their Gram matrix YᵀY and the training settings.
 */
export interface FoldInModel {
  readonly dimension: number;
  readonly itemFactors: FactorRows;
  readonly gram: Float64Array;
  readonly regularization: number;
  readonly regularizationExponent: number;
  readonly alpha: number;
}

/** Gram matrices read from a registry version, keyed by the factor array or rows they belong to. */
const registeredGrams = new WeakMap<Float32Array | FactorRows, Float64Array>();

/**
 * Records a precomputed YᵀY (d×d row-major float64, e.g. read from the
 * registry's `item-factors.gram.f64`) for `itemFactors` (a dense n×d array or
 * a {@link FactorRows} object), so that {@link createFoldInModel} on the same
 * array or object uses it instead of recomputing. Held weakly: it goes when
 * they do.
 * @throws RangeError when `gram` does not have d² values (for rows: d = their
 *   dimension; for an array: some d dividing its length).
 */
export function registerItemGram(itemFactors: Float32Array | FactorRows, gram: Float64Array): void {
  const d = Math.round(Math.sqrt(gram.length));
  const fits =
    itemFactors instanceof Float32Array
      ? d >= 1 && d * d === gram.length && itemFactors.length % d === 0
      : itemFactors.dimension ** 2 === gram.length;
  if (!fits) {
    const shape =
      itemFactors instanceof Float32Array
        ? `a d dividing ${itemFactors.length}`
        : `d = ${itemFactors.dimension}`;
    throw new RangeError(`registerItemGram: ${gram.length} values are not d×d for ${shape}`);
  }
  registeredGrams.set(itemFactors, gram);
}

/**
 * Prepares a {@link FoldInModel}: YᵀY is the one registered for this array or
 * rows object ({@link registerItemGram}, when its size is d×d) or else
 * computed once (O(nItems·d²), {@link gramMatrix}), so that each later
 * fold-in costs O(n·d² + d³) for n interactions.
 *
 * A served model's rows are a view of Y through the item vectors, equal to Y
 * up to float32 rounding (see `FactorRows`), while the registered Gram matrix
 * was computed from the published Y: the two differ by the same relative
 * ~1e-7, well inside what fold-in tolerates (the tests compare both ways).
 * @param itemFactors a dense n×d Float32Array (wrapped by `denseFactorRows`) or rows.
 * @throws RangeError when the length is not a multiple of d or the rows have another dimension.
 */
export function createFoldInModel(
  itemFactors: Float32Array | FactorRows,
  dimension: number,
  settings: {
    readonly regularization: number;
    readonly regularizationExponent: number;
    readonly alpha: number;
  },
): FoldInModel {
  const rows = itemFactors instanceof Float32Array ? denseFactorRows(itemFactors, dimension) : itemFactors;
  if (rows.dimension !== dimension) {
    throw new RangeError(`item factor rows have d=${rows.dimension}, the model d=${dimension}`);
  }
  const registered = registeredGrams.get(itemFactors);
  const gram = registered?.length === dimension * dimension ? registered : undefined;
  return {
    dimension,
    itemFactors: rows,
    gram: gram ?? factorGram(rows),
    // Copied field by field: a spread of a wider object (e.g. a manifest
    // section with an `itemFactors` file name) would overwrite the arrays.
    regularization: settings.regularization,
    regularizationExponent: settings.regularizationExponent,
    alpha: settings.alpha,
  };
}

/**
 * A fold-in's interactions merged by item: row index → summed weight, keeping
 * only positive finite weights (in first-seen order).
 * @param nItems rows of the item factors; every index must be an integer in 0..nItems−1.
 * @throws RangeError when the arrays differ in length or an index is out of range.
 */
export function mergeFoldInItems(
  items: readonly number[],
  weights: readonly number[],
  nItems: number,
): Map<number, number> {
  if (items.length !== weights.length) {
    throw new RangeError(`fold-in: ${items.length} items but ${weights.length} weights`);
  }
  const merged = new Map<number, number>();
  for (let k = 0; k < items.length; k++) {
    const i = items[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= nItems)
      throw new RangeError(`fold-in: item index ${i} outside 0..${nItems - 1}`);
    const w = weights[k]!;
    if (w > 0 && Number.isFinite(w)) merged.set(i, (merged.get(i) ?? 0) + w);
  }
  return merged;
}

/**
 * Fold-in: the user vector that the iALS user step would compute from these
 * interactions with the item factors held fixed (Hu, Koren & Volinsky 2008,
 * eq. 4). Used for new users (session items) and to refresh a known user's
 * vector from feedback newer than the model.
 * @param items item row indices; duplicates are merged by summing weights.
 * @param weights preference strength per item (≥ 0; confidence 1 + α·w).
 * @returns a length-d Float32Array; all zeros when no item has a positive weight.
 * @throws RangeError when the arrays differ in length or an index is out of range.
 */
export function foldInUser(
  model: FoldInModel,
  items: readonly number[],
  weights: readonly number[],
): Float32Array {
  const d = model.dimension;
  const y = model.itemFactors;
  const nItems = y.count;
  const merged = mergeFoldInItems(items, weights, nItems);
  if (merged.size === 0) return new Float32Array(d);
  const lambda = rowRegularization(
    model.regularization,
    model.alpha,
    model.regularizationExponent,
    merged.size,
    nItems,
  );
  const listed = listedRows(y, [...merged.keys()]);
  const row = solveRow(
    model.gram,
    listed.values,
    listed.rows,
    [...merged.values()],
    d,
    lambda,
    model.alpha,
    listed.stride,
    y.scale,
  );
  return Float32Array.from(row);
}

/**
 * Y's rows `rows` as float32 values the solvers read by row index: the rows
 * as they are (float32 values), or, for half-precision rows, their decoded
 * values as a dense m×d array with the rows renumbered 0..m−1 (the same
 * values, so the same solve). Shared with the fold-in cache.
 */
export function listedRows(
  y: FactorRows,
  rows: readonly number[],
): { readonly values: Float32Array; readonly rows: readonly number[]; readonly stride: number } {
  if (y.values instanceof Float32Array) return { values: y.values, rows, stride: y.stride };
  return { values: readFactorRows(y, rows), rows: rows.map((_, k) => k), stride: y.dimension };
}

/** Rows of Y decoded per block when they are halves (a whole decoded copy would be n×d×4 bytes). */
const GRAM_DECODE_ROWS = 65536;

/**
 * YᵀY (d×d, float64) of factor rows: `gramMatrix` over the values, or for
 * half-precision rows the sum of `gramMatrix` over blocks of
 * {@link GRAM_DECODE_ROWS} decoded rows (the same matrix up to the order of
 * the float64 additions).
 */
export function factorGram(rows: FactorRows): Float64Array {
  const { values, count, dimension: d, stride, scale } = rows;
  if (values instanceof Float32Array) return gramMatrix(values, count, d, stride, scale);
  const gram = new Float64Array(d * d);
  const list: number[] = [];
  for (let start = 0; start < count; start += GRAM_DECODE_ROWS) {
    const m = Math.min(GRAM_DECODE_ROWS, count - start);
    list.length = m;
    for (let k = 0; k < m; k++) list[k] = start + k;
    const block = gramMatrix(readFactorRows(rows, list), m, d, d, scale);
    for (let i = 0; i < gram.length; i++) gram[i]! += block[i]!;
  }
  return gram;
}
