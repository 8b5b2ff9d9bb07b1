import type { Random } from '../../src/domain/random.js';

/**
 * Shuffles an index array in place with the Fisher–Yates algorithm (Durstenfeld's
 * in-place form, Knuth TAOCP vol. 2, Algorithm 3.4.2P), drawing from the seeded
 * source so the order is reproducible. `Random.shuffle` does the same for plain
 * arrays; this variant avoids boxing large typed index arrays.
 *
 * @param indices any Int32Array; permuted in place. O(length), one draw per element.
 */
export function shuffleIndices(indices: Int32Array, random: Random): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const tmp = indices[i] as number;
    indices[i] = indices[j] as number;
    indices[j] = tmp;
  }
}
