import { assertCutoff } from './assertCutoff.js';
import { countHits } from './countHits.js';

/**
 * Precision@k = (relevant items in the top k) / k (Manning, Raghavan & Schütze, "Introduction to
 * Information Retrieval", 2008, §8.4; Microsoft Recommenders' `precision_at_k`). The divisor is
 * always k: a list shorter than k is penalised, its missing positions count as misses.
 * @param ranked item ids, best first; ids should be distinct (a repeat counts as a miss).
 * @param relevant the user's relevant items.
 * @param k cut-off; may exceed `ranked.length`.
 * @returns a value in [0, 1]; 0 when `relevant` is empty.
 * @throws RangeError unless `k` is a positive integer.
 */
export function precisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  assertCutoff(k);
  return countHits(ranked, relevant, k) / k;
}
