import { assertCutoff } from './assertCutoff.js';
import { isNewHit } from './isNewHit.js';

/**
 * NDCG@k with binary relevance (Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR
 * techniques", ACM TOIS 20(4), 2002; the log2(i + 1) discount of Microsoft Recommenders'
 * `ndcg_at_k`):
 * DCG@k = Σ_{i=1..min(k, |ranked|)} rel_i / log2(i + 1), rel_i ∈ {0, 1} (i is the 1-based rank);
 * IDCG@k = Σ_{i=1..min(k, |relevant|)} 1 / log2(i + 1); NDCG@k = DCG@k / IDCG@k.
 * @param ranked item ids, best first; ids should be distinct (a repeat counts as a miss).
 * @param relevant the user's relevant items.
 * @param k cut-off; may exceed `ranked.length` (missing positions are misses).
 * @returns a value in [0, 1]; 0 when `relevant` is empty.
 * @throws RangeError unless `k` is a positive integer.
 */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  assertCutoff(k);
  if (relevant.size === 0) return 0;
  const n = Math.min(k, ranked.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) if (isNewHit(ranked, i, relevant)) dcg += 1 / Math.log2(i + 2);
  if (dcg === 0) return 0;
  const ideal = Math.min(k, relevant.size);
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}
