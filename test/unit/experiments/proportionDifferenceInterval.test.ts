import { describe, expect, it } from 'vitest';
import { proportionDifferenceInterval } from '../../../src/experiments/proportionDifferenceInterval.js';

describe('proportionDifferenceInterval (95 %, normal approximation)', () => {
  // Newcombe, "Interval estimation for the difference between independent
  // proportions: comparison of eleven methods", Stat. Med. 17:873–890 (1998),
  // method 1 (simple asymptotic), examples (a)–(d).
  it.each([
    [56, 70, 48, 80, 0.0575, 0.3425],
    [9, 10, 3, 10, 0.2605, 0.9395],
    [6, 7, 2, 7, 0.1481, 0.9947],
    [5, 56, 0, 29, 0.0146, 0.164],
  ])("matches Newcombe 1998's %i/%i − %i/%i → [%f, %f]", (x1, n1, x0, n0, low, high) => {
    const r = proportionDifferenceInterval(x1, n1, x0, n0);
    expect(r.difference).toBeCloseTo(x1 / n1 - x0 / n0, 12);
    expect(r.interval.low).toBeCloseTo(low, 4);
    expect(r.interval.high).toBeCloseTo(high, 4);
  });

  it('is antisymmetric: swapping the groups negates the difference and mirrors the interval', () => {
    const a = proportionDifferenceInterval(30, 400, 20, 380);
    const b = proportionDifferenceInterval(20, 380, 30, 400);
    expect(b.difference).toBeCloseTo(-a.difference, 12);
    expect(b.interval.low).toBeCloseTo(-a.interval.high, 12);
  });

  it('throws RangeError for empty groups or impossible counts', () => {
    expect(() => proportionDifferenceInterval(0, 0, 1, 2)).toThrow(RangeError);
    expect(() => proportionDifferenceInterval(1, 2, 3, 2)).toThrow(RangeError);
  });
});
