/**
 * Exponential decay of a counter: `value · 0.5^(elapsedMs / halfLifeMs)`.
 * Every adapter decays item counters with this one function so their
 * arithmetic agrees (the contract suite checks hand-computed values).
 * @param elapsedMs time since the value was current, in ms; ≤ 0 returns `value` unchanged
 *   (a counter never grows).
 * @param halfLifeMs > 0; `Infinity` means no decay.
 */
export function decayCounter(value: number, elapsedMs: number, halfLifeMs: number): number {
  if (!(elapsedMs > 0) || halfLifeMs === Infinity) return value;
  return value * Math.pow(0.5, elapsedMs / halfLifeMs);
}

/**
 * Item counters as of `now`: popularity and trend decayed from their
 * `updatedAt` with their half-lives (ms). A counter stamped after `now`
 * (a clock that moved back) is returned as it is. Shared by every adapter's
 * `getItemCounters`.
 */
export function countersAt(
  c: { readonly popularity: number; readonly trend: number; readonly updatedAt: number },
  now: number,
  popularityHalfLifeMs: number,
  trendHalfLifeMs: number,
): { popularity: number; trend: number; updatedAt: number } {
  const at = Math.max(now, c.updatedAt);
  return {
    popularity: decayCounter(c.popularity, at - c.updatedAt, popularityHalfLifeMs),
    trend: decayCounter(c.trend, at - c.updatedAt, trendHalfLifeMs),
    updatedAt: at,
  };
}
