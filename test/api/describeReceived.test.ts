import { describe, expect, it } from 'vitest';
import { describeReceived } from '../../src/server/validation/describeReceived.js';

describe('describeReceived', () => {
  it('quotes short strings and gives the length of long ones in code points, as the limits count', () => {
    expect(describeReceived('abc')).toBe('"abc"');
    expect(describeReceived('x'.repeat(257))).toBe('a string of 257 characters');
    // 257 astral characters are 514 UTF-16 units (attack on session 27: the message said 514).
    expect(describeReceived('😀'.repeat(257))).toBe('a string of 257 characters');
    // A lone surrogate counts as one.
    expect(describeReceived('\uD800' + 'y'.repeat(49))).toBe('a string of 50 characters');
    expect(describeReceived('   ')).toBe('a blank string of 3 characters');
    expect(describeReceived(['a', 'b'])).toBe('a list of 2');
  });
});
