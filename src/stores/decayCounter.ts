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
