import { compareCodePoints } from '../compareCodePoints.js';

/** One user's impressions as the memory store keeps them: item id → count and last time shown (Unix ms). */
export type ImpressionMap = Map<string, { count: number; lastAt: number }>;

/**
 * Drops impressions from `impressions` (in place) until at most `max` items
 * remain, by the rule of `FeatureStore.recordImpressions`: oldest `lastAt`
 * first, and among equal `lastAt` the smaller item id by Unicode code point
 * (Redis's sorted-set order, so both adapters drop the same items). Kept
 * entries are untouched. O(n log n) for n items when over `max`, O(1) otherwise.
 * @param max an integer ≥ 1 (the store checks it).
 * @returns how many items were dropped.
 */
export function trimImpressions(impressions: ImpressionMap, max: number): number {
  const excess = impressions.size - max;
  if (excess <= 0) return 0;
  const order = [...impressions].sort(([a, x], [b, y]) =>
    x.lastAt !== y.lastAt ? (x.lastAt < y.lastAt ? -1 : 1) : compareCodePoints(a, b),
  );
  for (let k = 0; k < excess; k++) impressions.delete(order[k]![0]);
  return excess;
}
