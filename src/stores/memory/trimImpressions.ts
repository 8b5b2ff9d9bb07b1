import { compareCodePoints } from '../compareCodePoints.js';

/** One user's impressions as the memory store keeps them: item id → count and last time shown (Unix ms). */
export type ImpressionMap = Map<string, { count: number; lastAt: number }>;

/**
 * Drops impressions from `impressions` (in place) until at most `max` items
 * remain, by the rule of `FeatureStore.recordImpressions`: oldest `lastAt`
 * first, and among equal `lastAt` the smaller item id by Unicode code point
 * (Redis's sorted-set order, so both adapters drop the same items). Kept
 * entries are untouched.
 *
 * The `excess` = size − max items to drop are selected with a bounded max-heap
 * (the latest of the candidates so far on top), not by sorting the whole map:
 * O(n log excess) time and O(excess) memory for n items when over `max`
 * (a call adds at most 1000 items, so excess ≤ 1000 once a user is at the
 * cap), O(1) otherwise. A full sort made every call of a user at a cap of
 * 1,000,000 take ~0.5 s of the event loop.
 * @param max an integer ≥ 1 (the store checks it).
 * @returns how many items were dropped.
 */
export function trimImpressions(impressions: ImpressionMap, max: number): number {
  const excess = impressions.size - max;
  if (excess <= 0) return 0;
  const ids: string[] = [];
  const times: number[] = [];
  /** Whether entry a sorts after entry b (is dropped later): the heap's order. */
  const after = (a: number, b: number): boolean =>
    times[a] !== times[b] ? times[a]! > times[b]! : compareCodePoints(ids[a]!, ids[b]!) > 0;
  const siftDown = (from: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= ids.length) return;
      const r = l + 1;
      const c = r < ids.length && after(r, l) ? r : l;
      if (!after(c, i)) return;
      swap(i, c);
      i = c;
    }
  };
  const swap = (i: number, j: number): void => {
    const id = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = id;
    const t = times[i]!;
    times[i] = times[j]!;
    times[j] = t;
  };
  for (const [id, { lastAt }] of impressions) {
    if (ids.length < excess) {
      ids.push(id);
      times.push(lastAt);
      // Sift up.
      let i = ids.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!after(i, p)) break;
        swap(i, p);
        i = p;
      }
      continue;
    }
    // Full: replace the top (the latest candidate) when this entry sorts before it.
    const top = times[0]!;
    if (lastAt > top || (lastAt === top && compareCodePoints(id, ids[0]!) > 0)) continue;
    ids[0] = id;
    times[0] = lastAt;
    siftDown(0);
  }
  for (const id of ids) impressions.delete(id);
  return excess;
}
