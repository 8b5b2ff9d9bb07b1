import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../../src/domain/interaction.js';
import { catalogCoverage } from '../../../models/eval/metrics/catalogCoverage.js';
import { intraListDistance } from '../../../models/eval/metrics/intraListDistance.js';
import { intraListDiversity } from '../../../models/eval/metrics/intraListDiversity.js';
import { novelty } from '../../../models/eval/metrics/novelty.js';
import { popularityShareFrom } from '../../../models/eval/popularityShareFrom.js';

const CATEGORIES: Record<string, readonly string[]> = {
  a: ['Drama', 'Comedy'],
  b: ['Drama'],
  c: ['Horror'],
  d: [],
  e: [],
  f: ['Drama', 'Drama'],
};
const categoriesOf = (id: string): readonly string[] => CATEGORIES[id] ?? [];

const VECTORS: Record<string, readonly number[]> = {
  x: [1, 0],
  y: [0, 1],
  xy: [1, 1],
  minusX: [-1, 0],
  twoX: [2, 0],
  zero: [0, 0],
  threeD: [1, 0, 0],
};
const vectorOf = (id: string): readonly number[] => VECTORS[id] ?? [];

describe('Metric: catalog coverage', () => {
  it('is distinct recommended items over the catalog size', () => {
    // distinct {a, b, c} = 3; catalog 10; coverage = 3/10 = 0.3
    expect(catalogCoverage([['a', 'b'], ['b', 'c'], ['c']], 10)).toBeCloseTo(0.3, 4);
  });

  it('is 1 when every catalog item is recommended to someone', () => {
    expect(catalogCoverage([['a'], ['b']], 2)).toBeCloseTo(1, 4);
  });

  it('is 0 for no lists or only empty lists', () => {
    expect(catalogCoverage([], 10)).toBe(0);
    expect(catalogCoverage([[], []], 10)).toBe(0);
  });

  it('accepts any iterable of lists', () => {
    const lists = new Map([
      ['u1', ['a']],
      ['u2', ['a', 'b']],
    ]);
    // distinct {a, b} = 2; catalog 4; coverage = 0.5
    expect(catalogCoverage(lists.values(), 4)).toBeCloseTo(0.5, 4);
  });

  it.each([0, -3, 2.5])('rejects catalogSize = %s', (size) => {
    expect(() => catalogCoverage([['a']], size)).toThrow(
      `catalogSize must be a positive integer, got ${size}`,
    );
  });
});

describe('Metric: intra-list diversity (categories)', () => {
  it('is 1 − the mean pairwise Jaccard similarity of category sets', () => {
    // J(a, b) = |{Drama}| / |{Drama, Comedy}| = 1/2; J(a, c) = 0; J(b, c) = 0;
    // mean = 0.5 / 3 = 0.16667; diversity = 1 − 0.16667 = 0.83333
    expect(intraListDiversity(['a', 'b', 'c'], categoriesOf)).toBeCloseTo(0.83333, 4);
  });

  it('is 0 for items with identical categories and 1 for disjoint ones', () => {
    expect(intraListDiversity(['b', 'b2'], (id) => (id === 'b2' ? ['Drama'] : categoriesOf(id)))).toBe(0);
    // J(b, c) = 0 → diversity 1
    expect(intraListDiversity(['b', 'c'], categoriesOf)).toBeCloseTo(1, 4);
  });

  it('treats two items without categories as identical and one without as disjoint', () => {
    // J(∅, ∅) = 1 by definition → diversity 0
    expect(intraListDiversity(['d', 'e'], categoriesOf)).toBeCloseTo(0, 4);
    // J(∅, {Drama}) = 0/1 = 0 → diversity 1
    expect(intraListDiversity(['d', 'b'], categoriesOf)).toBeCloseTo(1, 4);
  });

  it('treats repeated labels as a set', () => {
    // f = {Drama} after dedup; J(f, b) = 1 → diversity 0
    expect(intraListDiversity(['f', 'b'], categoriesOf)).toBeCloseTo(0, 4);
  });

  it('is 0 for a list of fewer than two items', () => {
    expect(intraListDiversity([], categoriesOf)).toBe(0);
    expect(intraListDiversity(['a'], categoriesOf)).toBe(0);
  });
});

describe('Metric: intra-list distance (embeddings)', () => {
  it('is the mean pairwise cosine distance', () => {
    // cos(x, y) = 0 → 1; cos(x, xy) = 1/√2 = 0.70711 → 0.29289; cos(y, xy) = 0.70711 → 0.29289;
    // mean = (1 + 0.29289 + 0.29289) / 3 = 1.58579 / 3 = 0.52860
    expect(intraListDistance(['x', 'y', 'xy'], vectorOf)).toBeCloseTo(0.5286, 4);
  });

  it('ignores vector length and reaches 2 for opposite vectors', () => {
    // cos(x, 2x) = 1 → 0; cos(x, −x) = −1 → 2
    expect(intraListDistance(['x', 'twoX'], vectorOf)).toBeCloseTo(0, 4);
    expect(intraListDistance(['x', 'minusX'], vectorOf)).toBeCloseTo(2, 4);
  });

  it('is 0 for a list of fewer than two items', () => {
    expect(intraListDistance(['x'], vectorOf)).toBe(0);
  });

  it('rejects a zero vector and vectors of different lengths', () => {
    expect(() => intraListDistance(['x', 'zero'], vectorOf)).toThrow(
      'vector of item "zero" has zero norm; cosine is undefined',
    );
    expect(() => intraListDistance(['x', 'threeD'], vectorOf)).toThrow(
      'vector of item "threeD" has length 3, expected 2 like "x"',
    );
  });
});

describe('Metric: novelty', () => {
  const SHARES: Record<string, number> = { a: 0.5, b: 0.25, c: 0.125, top: 1, none: 0 };
  const shareOf = (id: string): number => SHARES[id] ?? Number.NaN;

  it('is the mean −log2 of item popularity share', () => {
    // −log2(0.5) = 1, −log2(0.25) = 2, −log2(0.125) = 3; mean = 6/3 = 2
    expect(novelty(['a', 'b', 'c'], shareOf)).toBeCloseTo(2, 4);
  });

  it('is 0 for an item everybody interacted with and for an empty list', () => {
    expect(novelty(['top'], shareOf)).toBeCloseTo(0, 4);
    expect(novelty([], shareOf)).toBe(0);
  });

  it('rejects shares outside (0, 1]', () => {
    expect(() => novelty(['none'], shareOf)).toThrow(
      'popularity share of item "none" must be in (0, 1], got 0',
    );
    expect(() => novelty(['?'], shareOf)).toThrow(RangeError);
  });
});

describe('Popularity share from training interactions', () => {
  const at = (itemId: string, userId: string): Interaction => ({
    userId,
    itemId,
    timestamp: 0,
    type: 'CLICK',
    value: null,
  });
  // 4 training interactions: a × 3 (two users, one repeat), b × 1
  const train = [at('a', 'u1'), at('a', 'u2'), at('a', 'u1'), at('b', 'u1')];

  it('is the item share of training interactions', () => {
    const share = popularityShareFrom(train);
    // a: 3/4 = 0.75; b: 1/4 = 0.25
    expect(share('a')).toBeCloseTo(0.75, 4);
    expect(share('b')).toBeCloseTo(0.25, 4);
    // novelty([a]) = −log2(0.75) = 0.41504
    expect(novelty(['a'], share)).toBeCloseTo(0.41504, 4);
  });

  it('gives items without training interactions 1 / (total + 1)', () => {
    // 1 / (4 + 1) = 0.2; novelty = −log2(0.2) = 2.32193
    expect(popularityShareFrom(train)('unseen')).toBeCloseTo(0.2, 4);
    expect(novelty(['unseen'], popularityShareFrom(train))).toBeCloseTo(2.32193, 4);
  });

  it('gives share 1 to every item when there is no training data', () => {
    expect(popularityShareFrom([])('a')).toBe(1);
  });
});
