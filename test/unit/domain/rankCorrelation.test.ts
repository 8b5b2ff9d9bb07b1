import { describe, expect, it } from 'vitest';
import { fractionalRanks, spearmanRho, topKOverlap } from '../../../src/domain/rankCorrelation.js';

describe('rank correlation', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(Array.from(fractionalRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });

  it("Spearman's ρ: the textbook example (IQ vs TV hours, ρ = −29/165 = −0.1758)", () => {
    // Wikipedia "Spearman's rank correlation coefficient", worked example (no ties): Σd² = 194, n = 10,
    // ρ = 1 − 6·194 / (10·99) = −0.175757…
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
    expect(spearmanRho(iq, tv)).toBeCloseTo(-29 / 165, 12);
  });

  it('is 1 for the same order, −1 for the reverse, NaN for a constant vector', () => {
    expect(spearmanRho([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearmanRho([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearmanRho([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(() => spearmanRho([1], [1, 2])).toThrow(RangeError);
  });

  it('handles ties: ρ of [1,2,2,3] and [1,2,3,4] is 0.9487 (Pearson of ranks 1,2.5,2.5,4 vs 1..4)', () => {
    // ranks a: 1, 2.5, 2.5, 4 (mean 2.5) → deviations −1.5, 0, 0, 1.5; b deviations −1.5, −0.5, 0.5, 1.5
    // Σxy = 4.5, Σx² = 4.5, Σy² = 5 → 4.5 / √22.5 = 0.948683…
    expect(spearmanRho([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
  });

  it('top-k overlap counts shared items among the k best', () => {
    expect(topKOverlap([5, 4, 3, 2, 1], [1, 4, 3, 2, 5], 2)).toBe(0.5);
    expect(topKOverlap([5, 4, 3], [5, 4, 3], 10)).toBe(1);
  });
});
