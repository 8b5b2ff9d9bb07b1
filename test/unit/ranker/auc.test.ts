import { describe, expect, it } from 'vitest';
import { auc } from '../../../models/ranker/auc.js';

describe('Ranker: AUC', () => {
  it('counts correctly ordered positive–negative pairs', () => {
    // Pairs (positive, negative): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4.
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts a tied pair as one half', () => {
    // Positives 0.5 and 0.9, negatives 0.5 and 0.5: pairs ½ + ½ + 1 + 1 = 3 of 4.
    expect(auc(Float32Array.of(0.5, 0.5, 0.5, 0.9), Float32Array.of(1, 0, 0, 1))).toBe(0.75);
    expect(auc([2, 2, 2], [1, 0, 1])).toBe(0.5);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auc([0.1, 0.2, 0.9], [0, 0, 1])).toBe(1);
    expect(auc([0.1, 0.2, 0.9], [1, 1, 0])).toBe(0);
  });

  it('throws RangeError when AUC is undefined or the input is malformed', () => {
    expect(() => auc([0.1, 0.2], [0, 0])).toThrow(/needs both classes, got 0 positives and 2 negatives/);
    expect(() => auc([0.1], [0, 1])).toThrow(RangeError);
    expect(() => auc([0.1, Number.NaN], [0, 1])).toThrow(/scores must be finite/);
    expect(() => auc([0.1, 0.2], [0, 2])).toThrow(/labels must be 0 or 1, got 2/);
  });
});
