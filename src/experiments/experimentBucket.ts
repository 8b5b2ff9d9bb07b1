import murmurhash from 'murmurhash';

/** Number of hash buckets: one bucket is 0.01 % of units. */
export const BUCKET_COUNT = 10_000;

/**
 * The bucket of a unit in an experiment: MurmurHash3 x86 32-bit (Appleby,
 * via the `murmurhash` package, over the UTF-8 bytes) of
 * `${experimentId}:${unitId}` with the given seed, modulo 10 000.
 * Pure: the same inputs give the same bucket in every process and replica.
 * @param seed 0 gives the enrolment bucket (`ExperimentAssignment.bucket`);
 *   `assignExperiments` uses seed 1 for the independent variant position.
 * @returns an integer in 0..9999.
 */
export function experimentBucket(experimentId: string, unitId: string, seed = 0): number {
  return murmurhash.v3(`${experimentId}:${unitId}`, seed) % BUCKET_COUNT;
}
