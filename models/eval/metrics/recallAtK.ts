import { assertCutoff } from './assertCutoff.js';
import { countHits } from './countHits.js';

/**
 * Recall@k = (relevant items in the top k) / |relevant| (Manning, Raghavan & Schütze,
 * "Introduction to Information Retrieval", 2008, §8.3; Microsoft Recommenders' `recall_at_k`).
 * Not capped by k: with |relevant| > k the best possible value is k / |relevant|.
 * @param ranked item ids, best first; ids should be distinct (a repeat counts as a miss).
 * @param relevant the user's relevant items.
 * @param k cut-off; may exceed `ranked.length`.
 * @returns a value in [0, 1]; 0 when `relevant` is empty.
 * @throws RangeError unless `k` is a positive integer.
 */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  assertCutoff(k);
  if (relevant.size === 0) return 0;
  return countHits(ranked, relevant, k) / relevant.size;
}
