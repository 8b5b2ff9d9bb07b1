import { describe, expect, it } from 'vitest';
import type { SplitSpec } from '../../../models/eval/splitSpec.js';
import { formatSplitSpec, parseSplitSpec, SplitSpecError } from '../../../models/eval/splitSpec.js';

describe('Split spec: parsing', () => {
  it.each<[string, SplitSpec]>([
    ['temporal', { kind: 'temporal' }],
    ['random-per-user:0.75', { kind: 'random-per-user', ratio: 0.75 }],
    ['random:0.8', { kind: 'random', ratio: 0.8 }],
    ['random:.5', { kind: 'random', ratio: 0.5 }],
    ['leave-last-out', { kind: 'leave-last-out' }],
    ['none', { kind: 'none' }],
  ])('accepts "%s"', (text, expected) => {
    expect(parseSplitSpec(text)).toEqual(expected);
  });

  it.each([
    ['random:1.5', 'split "random:1.5": ratio must be between 0 and 1 (exclusive), got 1.5'],
    ['random:1', 'split "random:1": ratio must be between 0 and 1 (exclusive), got 1'],
    ['random:0', 'split "random:0": ratio must be between 0 and 1 (exclusive), got 0'],
    [
      'random-per-user:-0.2',
      'split "random-per-user:-0.2": ratio must be between 0 and 1 (exclusive), got -0.2',
    ],
    ['random:abc', 'split "random:abc": ratio must be a number between 0 and 1 (exclusive), got "abc"'],
    [
      'random:',
      'split "random:": expected "random:<ratio>" with a training share between 0 and 1 (exclusive), e.g. "random:0.8"',
    ],
    [
      'random-per-user',
      'split "random-per-user": expected "random-per-user:<ratio>" with a training share between 0 and 1 (exclusive), e.g. "random-per-user:0.8"',
    ],
    ['temporal:0.2', 'split "temporal:0.2": "temporal" takes no parameter, expected just "temporal"'],
    [
      'chronological',
      'unknown split "chronological": expected one of temporal, random-per-user:<ratio>, random:<ratio>, leave-last-out or none',
    ],
    ['', 'unknown split "": expected one of'],
    ['Temporal', 'unknown split "Temporal"'],
  ])('rejects "%s" with a one-line message', (text, message) => {
    expect(() => parseSplitSpec(text)).toThrow(SplitSpecError);
    expect(() => parseSplitSpec(text)).toThrow(RangeError);
    expect(() => parseSplitSpec(text)).toThrow(message);
  });

  it('round-trips through formatSplitSpec', () => {
    for (const text of ['temporal', 'random-per-user:0.75', 'random:0.8', 'leave-last-out', 'none']) {
      expect(formatSplitSpec(parseSplitSpec(text))).toBe(text);
    }
  });
});
