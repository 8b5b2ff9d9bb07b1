import { assertCutoff } from './assertCutoff.js';
import { isNewHit } from './isNewHit.js';

/**
 * Reciprocal rank at cut-off k: 1 / (1-based rank of the first relevant item) if that rank is
 * ≤ k, else 0. Its mean over users is MRR@k (Voorhees, "The TREC-8 Question Answering Track
 * Report", 1999), reported as `mrr@k`; the cut-off makes it comparable with the other @k metrics.
 * @param ranked item ids, best first.
 * @param relevant the user's relevant items.
 * @param k cut-off; may exceed `ranked.length`.
 * @returns one of 0, 1/k, …, 1/2, 1; 0 when `relevant` is empty.
 * @throws RangeError unless `k` is a positive integer.
 */
export function reciprocalRank(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  assertCutoff(k);
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (isNewHit(ranked, i, relevant)) return 1 / (i + 1);
  return 0;
}
