/**
 * Validates a rank cut-off.
 * @param k number of top positions a metric looks at.
 * @throws RangeError unless `k` is a positive integer.
 */
export function assertCutoff(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`cut-off k must be a positive integer, got ${k}`);
  }
}
