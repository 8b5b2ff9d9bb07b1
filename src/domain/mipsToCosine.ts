/**
 * Maximum inner product search through a cosine index (Bachrach et al.,
 * "Speeding Up the Xbox Recommender System Using a Euclidean Transformation
 * for Inner-Product Spaces", RecSys 2014). iALS scores are dot products x·y;
 * a cosine index (in-process or Qdrant) ranks by x·y/(‖x‖‖y‖), which drops
 * the item norm and with it much of the model's signal. Appending
 * sqrt(M² − ‖y‖²) to each item vector (M = the largest item norm) and dividing
 * by M makes every item vector unit-length, and a query [x, 0] then has
 * cosine x·y/(‖x‖·M): the same order as the dot product.
 *
 * @param factors n×d raw item factors, row-major.
 * @returns `vectors`: n×(d+1) row-major, every row of norm 1 (a zero-factor
 *   item gets [0…0, 1]); `maxNorm`: M (0 when every item is zero, then rows are [0…0, 1]).
 */
export function mipsToCosine(
  factors: Float32Array,
  n: number,
  d: number,
): { vectors: Float32Array; maxNorm: number } {
  if (factors.length !== n * d)
    throw new RangeError(`expected ${n}×${d} factors, got ${factors.length} values`);
  let maxNorm = 0;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < d; p++) s += factors[i * d + p]! ** 2;
    norms[i] = Math.sqrt(s);
    if (norms[i]! > maxNorm) maxNorm = norms[i]!;
  }
  const w = d + 1;
  const vectors = new Float32Array(n * w);
  for (let i = 0; i < n; i++) {
    if (maxNorm === 0) {
      vectors[i * w + d] = 1;
      continue;
    }
    for (let p = 0; p < d; p++) vectors[i * w + p] = factors[i * d + p]! / maxNorm;
    const r = norms[i]! / maxNorm;
    vectors[i * w + d] = Math.sqrt(Math.max(0, 1 - r * r));
  }
  return { vectors, maxNorm };
}
