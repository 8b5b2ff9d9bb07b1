/** Milliseconds in one day. */
export const DAY_MS = 86_400_000;

/**
 * Exponentially time-decayed event counts per item: each event at time t adds
 * 0.5^((referenceTime − t) / halfLife). Events after `referenceTime` count 1
 * (no growth into the future). With an infinite half-life this is the plain count.
 * @param events item index and Unix-ms timestamp per event.
 * @param nItems length of the returned array.
 * @param referenceTime Unix ms "now" of the counts.
 * @param halfLifeDays half-life in days; must be > 0 (Infinity allowed).
 * @returns Float32Array of length nItems.
 * @throws RangeError for a non-positive half-life, an item index out of range or a non-finite timestamp.
 */
export function decayedCounts(
  events: Iterable<{ readonly item: number; readonly timestamp: number }>,
  nItems: number,
  referenceTime: number,
  halfLifeDays: number,
): Float32Array {
  if (!(halfLifeDays > 0)) throw new RangeError(`half-life must be > 0 days, got ${halfLifeDays}`);
  const out = new Float32Array(nItems);
  const halfLifeMs = halfLifeDays * DAY_MS;
  for (const e of events) {
    if (!Number.isInteger(e.item) || e.item < 0 || e.item >= nItems) {
      throw new RangeError(`item index ${e.item} outside 0..${nItems - 1}`);
    }
    if (!Number.isFinite(e.timestamp))
      throw new RangeError(`event for item ${e.item} has timestamp ${e.timestamp}`);
    const age = Math.max(0, referenceTime - e.timestamp);
    out[e.item]! += Number.isFinite(halfLifeMs) ? Math.pow(0.5, age / halfLifeMs) : 1;
  }
  return out;
}
