import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../../models/data/parseTimestamp.js';

describe('Data: parseTimestamp', () => {
  it('reads integer Unix seconds in the unixSeconds format', () => {
    expect(parseTimestamp('1000000300', 'unixSeconds')).toBe(1000000300000);
    expect(parseTimestamp(' 1000000300 ', 'unixSeconds')).toBe(1000000300000);
    expect(parseTimestamp('1000000300.5', 'unixSeconds')).toBeNaN();
    expect(parseTimestamp('2020-01-01', 'unixSeconds')).toBeNaN();
    expect(parseTimestamp('', 'unixSeconds')).toBeNaN();
  });

  it('treats numbers below 1e11 as seconds and larger ones as milliseconds (flexible)', () => {
    expect(parseTimestamp('1600000000', 'flexible')).toBe(1600000000000);
    expect(parseTimestamp(1600000000.25, 'flexible')).toBe(1600000000250);
    expect(parseTimestamp('1600000000000', 'flexible')).toBe(1600000000000);
    expect(parseTimestamp(99_999_999_999, 'flexible')).toBe(99_999_999_999_000);
    expect(parseTimestamp(100_000_000_000, 'flexible')).toBe(100_000_000_000);
  });

  it('reads ISO 8601 dates and date-times, UTC unless an offset is given', () => {
    expect(parseTimestamp('2021-03-04', 'flexible')).toBe(Date.UTC(2021, 2, 4));
    expect(parseTimestamp('2021-03-04T05:06:07Z', 'flexible')).toBe(Date.UTC(2021, 2, 4, 5, 6, 7));
    expect(parseTimestamp('2021-03-04T05:06:07', 'flexible')).toBe(Date.UTC(2021, 2, 4, 5, 6, 7));
    expect(parseTimestamp('2021-03-04 05:06', 'flexible')).toBe(Date.UTC(2021, 2, 4, 5, 6));
    expect(parseTimestamp('2021-03-04T05:06:07.5+02:00', 'flexible')).toBe(Date.UTC(2021, 2, 4, 3, 6, 7, 500));
    expect(parseTimestamp('2021-03-04T05:06:07-0530', 'flexible')).toBe(Date.UTC(2021, 2, 4, 10, 36, 7));
  });

  it('rejects impossible dates and other text', () => {
    for (const bad of ['2021-02-30', '2021-13-01', '2021-03-04T25:00', 'yesterday', '04/03/2021', 'NaN', '']) {
      expect(parseTimestamp(bad, 'flexible')).toBeNaN();
    }
    expect(parseTimestamp(Number.POSITIVE_INFINITY, 'flexible')).toBeNaN();
  });
});
