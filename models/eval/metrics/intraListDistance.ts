/**
 * Intra-list diversity over embeddings: mean cosine distance (1 − cosine similarity) over all
 * n·(n − 1)/2 unordered pairs in the list (Zhang & Hurley, "Avoiding monotony: improving the
 * diversity of recommendation lists", RecSys 2008; evaluation.md: "mean pairwise embedding
 * distance"). Vectors need not be normalised.
 * @param list item ids (e.g. a top-k list); ids should be distinct.
 * @param vectorOf item id → its embedding; every vector of the list has the same length.
 * @returns a value in [0, 2] (0 = all parallel, 1 = orthogonal on average); 0 for fewer than 2 items.
 * @throws RangeError for vectors of different lengths or a vector of zero norm (cosine undefined).
 */
export function intraListDistance(
  list: readonly string[],
  vectorOf: (itemId: string) => ArrayLike<number>,
): number {
  const n = list.length;
  if (n < 2) return 0;
  const vectors = list.map(vectorOf);
  const dimension = (vectors[0] as ArrayLike<number>).length;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = vectors[i] as ArrayLike<number>;
    if (v.length !== dimension) {
      throw new RangeError(
        `vector of item "${list[i]}" has length ${v.length}, expected ${dimension} like "${list[0]}"`,
      );
    }
    let sq = 0;
    for (let d = 0; d < dimension; d++) sq += (v[d] as number) ** 2;
    if (!(sq > 0)) throw new RangeError(`vector of item "${list[i]}" has zero norm; cosine is undefined`);
    norms[i] = Math.sqrt(sq);
  }
  let distance = 0;
  for (let i = 0; i < n; i++) {
    const a = vectors[i] as ArrayLike<number>;
    for (let j = i + 1; j < n; j++) {
      const b = vectors[j] as ArrayLike<number>;
      let dot = 0;
      for (let d = 0; d < dimension; d++) dot += (a[d] as number) * (b[d] as number);
      distance += 1 - dot / ((norms[i] as number) * (norms[j] as number));
    }
  }
  return distance / ((n * (n - 1)) / 2);
}
