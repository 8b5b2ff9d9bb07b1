import { describe, expect, it } from 'vitest';
import { DAY_MS, decayedCounts } from '../../../models/popularity/decayedCounts.js';

const NOW = Date.UTC(2024, 0, 31);

describe('Popularity: decayedCounts', () => {
  it('counts an event one half-life ago as 0.5 and two half-lives ago as 0.25', () => {
    // half-life 7 days: item 0 at now − 7 d → 0.5; item 1 at now − 14 d → 0.25
    const counts = decayedCounts(
      [
        { item: 0, timestamp: NOW - 7 * DAY_MS },
        { item: 1, timestamp: NOW - 14 * DAY_MS },
      ],
      2,
      NOW,
      7,
    );
    expect(counts[0]).toBeCloseTo(0.5, 6);
    expect(counts[1]).toBeCloseTo(0.25, 6);
  });

  it('counts an event half a half-life ago as 2^−0.5', () => {
    // 0.5^(3.5 / 7) = 1/sqrt(2) = 0.707107
    expect(decayedCounts([{ item: 0, timestamp: NOW - 3.5 * DAY_MS }], 1, NOW, 7)[0]).toBeCloseTo(
      0.707107,
      6,
    );
  });

  it('counts events at or after the reference time as 1 (no growth into the future)', () => {
    const counts = decayedCounts(
      [
        { item: 0, timestamp: NOW },
        { item: 1, timestamp: NOW + 30 * DAY_MS },
      ],
      2,
      NOW,
      7,
    );
    expect(Array.from(counts)).toEqual([1, 1]);
  });

  it('sums the decayed weights of several events of one item and leaves other items at 0', () => {
    // item 1: 1 (now) + 0.5 (7 d) + 0.25 (14 d) = 1.75
    const counts = decayedCounts(
      [
        { item: 1, timestamp: NOW },
        { item: 1, timestamp: NOW - 7 * DAY_MS },
        { item: 1, timestamp: NOW - 14 * DAY_MS },
      ],
      3,
      NOW,
      7,
    );
    expect(counts.length).toBe(3);
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBeCloseTo(1.75, 6);
    expect(counts[2]).toBe(0);
  });

  it('gives plain counts with an infinite half-life', () => {
    const counts = decayedCounts(
      [
        { item: 0, timestamp: NOW - 1000 * DAY_MS },
        { item: 0, timestamp: NOW },
        { item: 2, timestamp: 0 },
      ],
      3,
      NOW,
      Infinity,
    );
    expect(Array.from(counts)).toEqual([2, 0, 1]);
  });

  it.each([0, -7, NaN])('throws RangeError for a half-life of %s', (halfLife) => {
    expect(() => decayedCounts([], 1, NOW, halfLife)).toThrow(RangeError);
  });

  it.each([-1, 2])('throws RangeError for item index %i outside 0..1', (item) => {
    expect(() => decayedCounts([{ item, timestamp: NOW }], 2, NOW, 7)).toThrow(RangeError);
  });
});
