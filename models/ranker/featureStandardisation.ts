/**
 * Per-feature z-score parameters over a subset of rows: the mean and the
 * population standard deviation (divisor n, two-pass for accuracy; Chan,
 * Golub & LeVeque, "Algorithms for computing the sample variance", 1983).
 * Both are rounded to float32 (the standard deviation is computed around the
 * rounded mean) because they are stored and applied in float32 by the model
 * and its ONNX export; a column whose deviation is 0 or underflows gets std 1,
 * so it standardises to 0 instead of dividing by zero.
 *
 * @param x n×F row-major values, assumed finite.
 * @param nFeatures F ≥ 1.
 * @param rows indices of the rows to use, at least one.
 * @returns `mean` and `std`, each length F, every `std` > 0. O(|rows|·F).
 */
export function featureStandardisation(
  x: Float32Array,
  nFeatures: number,
  rows: Int32Array,
): { mean: Float32Array; std: Float32Array } {
  const F = nFeatures;
  const sum = new Float64Array(F);
  for (const r of rows) for (let f = 0; f < F; f++) sum[f] = (sum[f] as number) + (x[r * F + f] as number);
  const mean = new Float32Array(F);
  for (let f = 0; f < F; f++) mean[f] = (sum[f] as number) / rows.length;
  const squares = new Float64Array(F);
  for (const r of rows) {
    for (let f = 0; f < F; f++) {
      const d = (x[r * F + f] as number) - (mean[f] as number);
      squares[f] = (squares[f] as number) + d * d;
    }
  }
  const std = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    const s = Math.fround(Math.sqrt((squares[f] as number) / rows.length));
    std[f] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}
