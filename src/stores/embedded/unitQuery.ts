/**
 * Checks a search query's length and scales it to unit length (cosine search
 * over unit item vectors is then a dot product).
 * @returns the unit query, or null when it cannot point anywhere (all zeros,
 *   or a non-finite norm): such a query has no neighbours.
 * @throws RangeError when `query.length` is not `dimension`.
 */
export function unitQuery(query: Float32Array, dimension: number): Float32Array | null {
  if (query.length !== dimension) {
    throw new RangeError(
      `query has ${query.length} components; the index holds ${dimension}-dimensional vectors`,
    );
  }
  let norm = 0;
  for (let p = 0; p < dimension; p++) norm += query[p]! * query[p]!;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) return null;
  const q = new Float32Array(dimension);
  for (let p = 0; p < dimension; p++) q[p] = query[p]! / norm;
  return q;
}
