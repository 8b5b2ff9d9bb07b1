import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { featureStandardisation } from '../../../models/ranker/featureStandardisation.js';
import { stratifiedSplit } from '../../../models/ranker/stratifiedSplit.js';

describe('Ranker: stratified split', () => {
  const y = new Float32Array(100);
  for (let i = 0; i < 100; i += 10) y[i] = 1; // 10 positives, 90 negatives

  it('holds out the same share of each class and partitions the rows', () => {
    const { train, validation } = stratifiedSplit(y, 100, 0.2, createRandom(1));
    expect(validation.length).toBe(20);
    expect(Array.from(validation).filter((r) => y[r] === 1).length).toBe(2);
    const all = [...train, ...validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(train)).toEqual([...train].sort((a, b) => a - b));
  });

  it('is reproducible for a seed and keeps everything with share 0', () => {
    const a = stratifiedSplit(y, 100, 0.3, createRandom(7));
    const b = stratifiedSplit(y, 100, 0.3, createRandom(7));
    expect(a.validation).toEqual(b.validation);
    expect(stratifiedSplit(y, 100, 0, createRandom(7)).train.length).toBe(100);
  });

  it('leaves at least one row of each class in training', () => {
    const one = Float32Array.of(1, 0, 0);
    const { train } = stratifiedSplit(one, 3, 0.9, createRandom(3));
    expect(Array.from(train).some((r) => one[r] === 1)).toBe(true);
    expect(Array.from(train).some((r) => one[r] === 0)).toBe(true);
  });
});

describe('Ranker: feature standardisation', () => {
  it('uses only the given rows, the population std, and std 1 for a constant column', () => {
    // Rows 0 and 1: column 0 is {1, 3} → mean 2, std √(((1−2)² + (3−2)²)/2) = 1;
    // column 1 is {5, 5} → mean 5, std 0 → 1. Row 2 is ignored.
    const x = Float32Array.of(1, 5, 3, 5, 100, 0);
    const { mean, std } = featureStandardisation(x, 2, Int32Array.of(0, 1));
    expect(Array.from(mean)).toEqual([2, 5]);
    expect(Array.from(std)).toEqual([1, 1]);
  });
});
