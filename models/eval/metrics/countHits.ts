import { isNewHit } from './isNewHit.js';

/**
 * Number of distinct relevant items among the first `k` of `ranked` (the hits@k shared by
 * recall and precision). Assumes a validated `k`.
 */
export function countHits(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const n = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < n; i++) if (isNewHit(ranked, i, relevant)) hits++;
  return hits;
}
