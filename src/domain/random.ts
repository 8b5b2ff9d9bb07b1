import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { mersenne } from 'pure-rand/generator/mersenne';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * A seeded pseudo-random source (`pure-rand`'s Mersenne Twister by default, or
 * xoroshiro128+: {@link RandomGenerator}). Every split,
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
 * The generators {@link createRandom} offers (both from `pure-rand`):
 * - `mersenne`: Mersenne Twister MT19937 (Matsumoto & Nishimura, ACM TOMACS
 *   8(1), 1998), 624 words of state: the default, for training, splits and
 *   synthetic data;
 * - `xoroshiro128plus`: xoroshiro128+ (Blackman & Vigna, "Scrambled linear
 *   pseudorandom number generators", ACM TOMS 47(4), 2021), 4 words of state:
 *   for a generator made per request (exploration picks), where seeding
 *   MT19937's state would cost ~19 KB of garbage and its set-up time per call.
 *   Its first outputs follow the seed closely (the first is built from the
 *   seed's bitwise NOT), so seed it with a hash (exploration uses MurmurHash3
 *   of the request id), not a counter.
 */
export type RandomGenerator = 'mersenne' | 'xoroshiro128plus';

/**
 * Creates a {@link Random} from an integer seed.
 * @param seed any 32-bit integer; the same seed (and generator) gives the same sequence.
 * @param generator which pseudo-random generator (default `mersenne`).
 */
export function createRandom(seed: number, generator: RandomGenerator = 'mersenne'): Random {
  const rng = generator === 'mersenne' ? mersenne(seed | 0) : xoroshiro128plus(seed | 0);
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
