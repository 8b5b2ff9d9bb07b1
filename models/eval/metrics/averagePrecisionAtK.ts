import { assertCutoff } from './assertCutoff.js';
import { isNewHit } from './isNewHit.js';

/**
 * Average precision at k: AP@k = Σ_{i=1..k} P@i · rel_i / min(k, |relevant|), where P@i is the
 * precision of the top i and rel_i ∈ {0, 1} (Manning, Raghavan & Schütze, "Introduction to
 * Information Retrieval", 2008, §8.4; the min(k, |relevant|) normalisation of Kaggle's `apk` in
 * `ml_metrics`). Its mean over users is MAP@k, reported as `map@k`.
 * @param ranked item ids, best first; ids should be distinct (a repeat counts as a miss).
 * @param relevant the user's relevant items.
 * @param k cut-off; may exceed `ranked.length`.
 * @returns a value in [0, 1]; 0 when `relevant` is empty.
 * @throws RangeError unless `k` is a positive integer.
 */
export function averagePrecisionAtK(
  ranked: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): number {
  assertCutoff(k);
  if (relevant.size === 0) return 0;
  const n = Math.min(k, ranked.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (isNewHit(ranked, i, relevant)) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(k, relevant.size);
}
