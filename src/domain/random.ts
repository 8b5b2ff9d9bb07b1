import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { mersenne } from 'pure-rand/generator/mersenne';

/**
 * A seeded pseudo-random source (Mersenne Twister from `pure-rand`). Every split,
 * initialisation and sampling step in recgate takes one so runs are
 * reproducible.
 */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Standard normal sample (Box–Muller). */
  normal(): number;
  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T>(array: T[]): T[];
}

/**
 * Creates a {@link Random} from an integer seed.
 * @param seed any 32-bit integer; the same seed gives the same sequence.
 */
export function createRandom(seed: number): Random {
  const rng = mersenne(seed | 0);
  const next = (): number => uniformFloat64(rng);
  return {
    next,
    int: (min, max) => uniformInt(rng, min, max),
    normal() {
      let u = next();
      while (u <= Number.MIN_VALUE) u = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = uniformInt(rng, 0, i);
        const tmp = array[i] as (typeof array)[number];
        array[i] = array[j] as (typeof array)[number];
        array[j] = tmp;
      }
      return array;
    },
  };
}
