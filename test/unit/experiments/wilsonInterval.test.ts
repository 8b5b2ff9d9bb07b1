import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../src/experiments/wilsonInterval.js';

describe('wilsonInterval (95 %)', () => {
  // Newcombe, "Two-sided confidence intervals for the single proportion:
  // comparison of seven methods", Stat. Med. 17:857–872 (1998), method 3
  // (Wilson score, no continuity correction), examples (a)–(d).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("matches Newcombe 1998's %i/%i → [%f, %f]", (x, n, low, high) => {
    const i = wilsonInterval(x, n);
    expect(i.low).toBeCloseTo(low, 4);
    expect(i.high).toBeCloseTo(high, 4);
  });

  it('matches a hand computation for 10/100: centre 0.114798, half-width 0.059569', () => {
    // z² = 3.841459; denominator 1.038415; centre (0.1 + 0.019207) / 1.038415;
    // half = 1.887464 · √(0.0009 + 0.00009604).
    const i = wilsonInterval(10, 100);
    expect(i.low).toBeCloseTo(0.055229, 5);
    expect(i.high).toBeCloseTo(0.174366, 5);
  });

  it('stays inside [0, 1] at 0 and n successes, where the Wald interval collapses', () => {
    expect(wilsonInterval(0, 5).low).toBe(0);
    expect(wilsonInterval(5, 5).high).toBe(1);
    expect(wilsonInterval(5, 5).low).toBeGreaterThan(0.5);
  });

  it('throws RangeError for no trials or successes outside 0..trials', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });
});
