import { float32Vectors, encodeHalfRows } from '../../src/domain/itemVectors.js';
import { mipsToCosine } from '../../src/domain/mipsToCosine.js';
import { createRandom } from '../../src/domain/random.js';

/**
 * Random item factors (n × d, N(0, 0.3²), seeded) as a served model holds
 * them: their MIPS-to-cosine `vectors` (n × (d + 1)) and M, the same rows as
 * binary16 `halves` (the ItemVectors layout) and `decoded`, the float32 values
 * the halves hold. Fold-in over `halves` must equal fold-in over `decoded`.
 */
export function halfFactorFixture(
  seed: number,
  n: number,
  d: number,
): { vectors: Float32Array; maxNorm: number; halves: Uint16Array; decoded: Float32Array } {
  const random = createRandom(seed);
  const factors = Float32Array.from({ length: n * d }, () => random.normal() * 0.3);
  const { vectors, maxNorm } = mipsToCosine(factors, n, d);
  const halves = new Uint16Array(vectors.length);
  encodeHalfRows(vectors, d + 1, halves);
  return { vectors, maxNorm, halves, decoded: float32Vectors(halves, d + 1) };
}
