import { describe, expect, it } from 'vitest';
import { keptFor } from '../../../src/services/keptFor.js';

describe('keptFor', () => {
  it('never says "kept for 0 minutes": a TTL under a minute is in seconds (attack report #7)', () => {
    expect(keptFor(30_000)).toBe('30 seconds');
    expect(keptFor(1_000)).toBe('1 second');
    expect(keptFor(10)).toBe('1 second');
  });

  it('says whole minutes from one minute up', () => {
    expect(keptFor(60_000)).toBe('1 minute');
    expect(keptFor(600_000)).toBe('10 minutes');
  });
});
