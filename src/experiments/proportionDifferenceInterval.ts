import { Z_95 } from './wilsonInterval.js';
import type { Interval } from './wilsonInterval.js';

/**
 * Normal-approximation (Wald) interval for the difference of two independent
 * proportions p₁ − p₀ (Newcombe, "Interval estimation for the difference
 * between independent proportions", Stat. Med. 17, 1998, method 1):
 *
 *   d ± z · √(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)
 *
 * Adequate for the large counts of an A/B readout; it is too narrow for small
 * n or proportions near 0 or 1 (Newcombe's method 10 is better there).
 * @param x1 successes of the variant, n1 its trials (≥ 1).
 * @param x0 successes of the control, n0 its trials (≥ 1).
 * @returns the difference p₁ − p₀ and its interval (not clipped).
 * @throws RangeError when a count is out of range.
 */
export function proportionDifferenceInterval(
  x1: number,
  n1: number,
  x0: number,
  n0: number,
  z = Z_95,
): { readonly difference: number; readonly interval: Interval } {
  for (const [x, n] of [
    [x1, n1],
    [x0, n0],
  ] as const) {
    if (!(n >= 1) || !(x >= 0) || x > n) {
      throw new RangeError(
        `proportionDifferenceInterval: expected 0 ≤ successes ≤ trials and trials ≥ 1, received ${x}/${n}`,
      );
    }
  }
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const difference = p1 - p0;
  const half = z * Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  return { difference, interval: { low: difference - half, high: difference + half } };
}
