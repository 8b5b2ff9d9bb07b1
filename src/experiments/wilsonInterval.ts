/** A closed interval [low, high]. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The standard normal 97.5 % quantile: two-sided 95 % intervals. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion (E. B. Wilson, "Probable
 * inference, the law of succession, and statistical inference", JASA 22,
 * 1927; recommended over the Wald interval by Agresti & Coull, Am. Stat. 52,
 * 1998 and Newcombe, Stat. Med. 17, 1998, method 3, no continuity correction):
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n)
 *   half   = z / (1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²)
 *
 * Unlike the Wald interval it stays inside [0, 1] and is not degenerate at
 * 0 or n successes.
 * @param successes integer in 0..trials.
 * @param trials integer ≥ 1.
 * @param z normal quantile; @default {@link Z_95}
 * @throws RangeError when trials < 1 or successes is outside 0..trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval {
  if (!(trials >= 1) || !(successes >= 0) || successes > trials) {
    throw new RangeError(
      `wilsonInterval: expected 0 ≤ successes ≤ trials and trials ≥ 1, received ${successes}/${trials}`,
    );
  }
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
