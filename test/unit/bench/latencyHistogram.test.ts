import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../src/bench/latencyHistogram.js';

describe('LatencyHistogram', () => {
  it('reports nearest-rank quantiles within 2 % of the exact ones (1..1000 ms)', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    // Nearest rank over 1..1000: p50 = 500, p90 = 900, p99 = 990.
    expect(h.quantile(0.5)).toBeGreaterThan(500 * 0.98);
    expect(h.quantile(0.5)).toBeLessThan(500 * 1.02);
    expect(Math.abs(h.quantile(0.9) / 900 - 1)).toBeLessThan(0.02);
    expect(Math.abs(h.quantile(0.99) / 990 - 1)).toBeLessThan(0.02);
    expect(h.summary()).toMatchObject({ count: 1000, mean: 500.5, max: 1000 });
  });

  it('never reports a quantile above the exact maximum', () => {
    const h = new LatencyHistogram();
    h.record(3.3);
    expect(h.quantile(1)).toBe(3.3);
    expect(h.quantile(0)).toBeLessThanOrEqual(3.3);
  });

  it('is all zeros when empty and ignores negative or non-finite values', () => {
    const h = new LatencyHistogram();
    h.record(-1);
    h.record(Number.NaN);
    h.record(Infinity);
    expect(h.summary()).toEqual({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('merges two histograms as if every value had been recorded in one', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    [1, 2, 3].forEach((v) => a.record(v));
    [10, 20].forEach((v) => b.record(v));
    a.merge(b);
    expect(a.count).toBe(5);
    expect(a.mean).toBe(7.2);
    expect(a.max).toBe(20);
  });

  it('refuses a quantile outside 0..1', () => {
    expect(() => new LatencyHistogram().quantile(1.5)).toThrow(RangeError);
  });
});
