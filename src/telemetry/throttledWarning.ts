/**
 * A warning that may fire often (once per slice of a background read while a
 * backend is down) as at most one call of `warn` per `intervalMs`: the first
 * call warns at once, later ones within the interval are counted, and the
 * next warning carries that count as `suppressed` (how many were not logged
 * since the last one).
 * @param warn writes one warning (e.g. `logger.warn`), with the caller's
 *   fields and `suppressed`.
 * @param intervalMs the shortest time between two warnings, ms; a positive
 *   finite number.
 * @param now clock, ms. @default Date.now
 * @throws RangeError for an `intervalMs` that is not a positive finite number.
 */
export function throttledWarning<F extends Record<string, unknown>>(
  warn: (fields: F & { suppressed: number }) => void,
  intervalMs: number,
  now: () => number = Date.now,
): (fields: F) => void {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new RangeError(`intervalMs must be a positive finite number, got ${intervalMs}`);
  }
  let last = -Infinity;
  let suppressed = 0;
  return (fields) => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed++;
      return;
    }
    last = t;
    warn({ ...fields, suppressed });
    suppressed = 0;
  };
}
