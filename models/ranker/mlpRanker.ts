import { validateMlpRanker } from './validateMlpRanker.js';

/**
 * A trained learned-to-rank scorer: a one-hidden-layer perceptron over
 * standardised features with a sigmoid output (a pointwise click / relevance
 * probability), or its special case logistic regression.
 *
 * Score of one feature row `x` (length `nFeatures`):
 *
 * ```
 * z = (x − mean) / std                       standardisation, element-wise
 * mlp:      p = σ(w2 · relu(W1ᵀ z + b1) + b2)
 * logistic: p = σ(w2 · z + b2)
 * ```
 *
 * Invariants (checked by {@link validateMlpRanker}, which throws RangeError):
 * - `kind: 'mlp'` ⇔ `hidden ≥ 1`; `kind: 'logistic'` ⇔ `hidden === 0` (the
 *   `kind` values match `ModelManifest['ranker']['kind']`).
 * - `mean`, `std`: length `nFeatures`; every `std > 0` and finite.
 * - `w1`: `nFeatures × hidden`, row-major (`w1[f·hidden + h]` connects feature
 *   `f` to hidden unit `h`, the layout of ONNX Gemm's B); empty for logistic.
 * - `b1`: length `hidden`; empty for logistic.
 * - `w2`: length `hidden` (mlp) or `nFeatures` (logistic, weights on the
 *   standardised input).
 * - all numbers finite.
 */
export interface MlpRanker {
  readonly kind: 'mlp' | 'logistic';
  /** F, the number of input columns. */
  readonly nFeatures: number;
  /** H, the number of hidden ReLU units; 0 for logistic regression. */
  readonly hidden: number;
  /** Per-feature mean subtracted before scoring, length F. */
  readonly mean: Float32Array;
  /** Per-feature scale the centred value is divided by, length F, all > 0. */
  readonly std: Float32Array;
  /** F×H row-major input-to-hidden weights; length 0 when `hidden === 0`. */
  readonly w1: Float32Array;
  /** Hidden biases, length H; length 0 when `hidden === 0`. */
  readonly b1: Float32Array;
  /** Output weights: length H (mlp) or F (logistic). */
  readonly w2: Float32Array;
  /** Output bias (a logit). */
  readonly b2: number;
}

/**
 * Forward pass of an {@link MlpRanker}: one probability-like score in (0, 1)
 * per row, in input order. This is the reference the ONNX export
 * (`exportRankerToOnnx`) is tested against.
 *
 * Arithmetic is float64 over the model's float32 parameters, so results
 * differ from float32 runtimes (ONNX Runtime) by rounding only (~1e-7).
 * Non-finite inputs propagate to NaN scores; they are not rejected.
 *
 * @param model a valid ranker; throws RangeError if its shapes are inconsistent.
 * @param x n×F feature rows, row-major, in the model's feature order.
 * @param n number of rows (≥ 0). Throws RangeError unless `x.length === n·F`.
 * @returns Float32Array of length n. O(n·F·H) (O(n·F) for logistic).
 */
export function predictMlp(model: MlpRanker, x: Float32Array, n: number): Float32Array {
  validateMlpRanker(model);
  const { nFeatures: F, hidden: H, mean, std, w1, b1, w2, b2 } = model;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`predictMlp: n must be an integer ≥ 0, got ${n}`);
  if (x.length !== n * F) {
    throw new RangeError(`predictMlp: x must hold n×F = ${n}×${F} = ${n * F} values, got ${x.length}`);
  }
  const out = new Float32Array(n);
  const z = new Float64Array(F);
  const act = new Float64Array(H);
  for (let i = 0; i < n; i++) {
    const row = i * F;
    for (let f = 0; f < F; f++) z[f] = ((x[row + f] as number) - (mean[f] as number)) / (std[f] as number);
    let s = b2;
    if (H === 0) {
      for (let f = 0; f < F; f++) s += (w2[f] as number) * (z[f] as number);
    } else {
      for (let h = 0; h < H; h++) act[h] = b1[h] as number;
      for (let f = 0; f < F; f++) {
        const zf = z[f] as number;
        const base = f * H;
        for (let h = 0; h < H; h++) act[h] = (act[h] as number) + zf * (w1[base + h] as number);
      }
      for (let h = 0; h < H; h++) {
        const a = act[h] as number;
        if (a > 0) s += a * (w2[h] as number);
      }
    }
    out[i] = 1 / (1 + Math.exp(-s));
  }
  return out;
}
