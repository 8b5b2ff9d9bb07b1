import { assertCutoff } from './assertCutoff.js';
import { isNewHit } from './isNewHit.js';

/**
 * Hit rate at k: 1 if any relevant item is in the top k, else 0 (Deshpande & Karypis,
 * "Item-based top-N recommendation algorithms", ACM TOIS 22(1), 2004). Its mean over users is
 * the share of users with at least one hit, reported as `hitrate@k`.
 * @param ranked item ids, best first.
 * @param relevant the user's relevant items.
 * @param k cut-off; may exceed `ranked.length`.
 * @returns 0 or 1; 0 when `relevant` is empty.
 * @throws RangeError unless `k` is a positive integer.
 */
export function hitRateAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  assertCutoff(k);
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (isNewHit(ranked, i, relevant)) return 1;
  return 0;
}
