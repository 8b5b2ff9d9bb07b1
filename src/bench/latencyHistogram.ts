/**
 * A log-bucketed histogram of non-negative values (milliseconds here): bucket
 * i holds values in [b·γ^i, b·γ^(i+1)) with b = 1 µs and γ = 1.02, so a
 * reported quantile is within 2 % of the true one (the idea of HdrHistogram
 * and DDSketch: Masson, Rim & Lee, VLDB 2019), in constant memory and
 * O(1) per record. Values below b count as b; the mean and max are exact.
 */
export class LatencyHistogram {
  private static readonly BASE = 0.001;
  private static readonly GAMMA = 1.02;
  private static readonly LOG_GAMMA = Math.log(LatencyHistogram.GAMMA);
  /** Buckets up to b·γ^1400 ≈ 1.1e9 ms: anything longer lands in the last one. */
  private readonly buckets = new Float64Array(1400);
  private total = 0;
  private sum = 0;
  private maxValue = 0;

  /** Adds one value (ms); negative or non-finite values are ignored. */
  record(value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    const i =
      value <= LatencyHistogram.BASE
        ? 0
        : Math.floor(Math.log(value / LatencyHistogram.BASE) / LatencyHistogram.LOG_GAMMA);
    this.buckets[Math.min(this.buckets.length - 1, i)]!++;
    this.total++;
    this.sum += value;
    if (value > this.maxValue) this.maxValue = value;
  }

  /** Adds every value of `other` (same bucket layout). */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += other.buckets[i]!;
    this.total += other.total;
    this.sum += other.sum;
    this.maxValue = Math.max(this.maxValue, other.maxValue);
  }

  /** Values recorded. */
  get count(): number {
    return this.total;
  }

  /** Exact mean, 0 when empty. */
  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** Exact sum of the values. */
  get sumOfValues(): number {
    return this.sum;
  }

  /** Exact maximum, 0 when empty. */
  get max(): number {
    return this.maxValue;
  }

  /**
   * The q-quantile (0..1, nearest rank): the geometric middle of the bucket
   * holding it, capped at the exact maximum; 0 when empty.
   * @throws RangeError for q outside [0, 1].
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: expected 0..1, received ${q}`);
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) {
        const mid = LatencyHistogram.BASE * Math.pow(LatencyHistogram.GAMMA, i + 0.5);
        return Math.min(mid, this.maxValue);
      }
    }
    return this.maxValue;
  }

  /** Count, mean, p50, p90, p99 and max, in the unit recorded. */
  summary(): LatencySummary {
    return {
      count: this.total,
      mean: this.mean,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.maxValue,
    };
  }
}

/** A {@link LatencyHistogram} summarised; times in ms. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}
