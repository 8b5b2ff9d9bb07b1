import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { evaluateRankings } from '../../../models/eval/evaluateRankings.js';

// Catalog i1..i6.
// Categories: i1 {A}, i2 {A, B}, i3 {B}, i4 {C}, i5 {C}, i6 {}.
// Shares: i1 1/4, i2 1/4, i3 1/16, i4 1/8, i5 1/8, i6 1/8 → −log2: 2, 2, 4, 3, 3, 3 bits.
const CATEGORIES: Record<string, readonly string[]> = {
  i1: ['A'],
  i2: ['A', 'B'],
  i3: ['B'],
  i4: ['C'],
  i5: ['C'],
  i6: [],
};
const SHARES: Record<string, number> = { i1: 0.25, i2: 0.25, i3: 0.0625, i4: 0.125, i5: 0.125, i6: 0.125 };
const categoriesOf = (id: string): readonly string[] => CATEGORIES[id] ?? [];
const popularityShare = (id: string): number => SHARES[id] ?? Number.NaN;

// u1 ranks i1, i2, i3 (relevant i1, i3); u2 ranks i4, i5, i1 (relevant i5);
// u3 has a relevant item but no list (counts as all zero);
// u4 has a list but no relevant item (not evaluated, its i6 does not count for coverage).
const LISTS = new Map<string, readonly string[]>([
  ['u1', ['i1', 'i2', 'i3']],
  ['u2', ['i4', 'i5', 'i1']],
  ['u4', ['i6']],
]);
const RELEVANT = new Map<string, ReadonlySet<string>>([
  ['u1', new Set(['i1', 'i3'])],
  ['u2', new Set(['i5'])],
  ['u3', new Set(['i2'])],
  ['u4', new Set()],
]);

describe('Evaluation: evaluateRankings', () => {
  const table = evaluateRankings({
    lists: LISTS,
    relevant: RELEVANT,
    ks: [1, 3],
    catalogSize: 6,
    categoriesOf,
    popularityShare,
  });

  it('evaluates only users with a relevant item, missing lists included', () => {
    // u1, u2, u3 (u4 has no relevant item)
    expect(table.users).toBe(3);
  });

  it('averages the accuracy metrics at k = 1 over the evaluated users', () => {
    // u1: top-1 i1 is a hit: NDCG 1/1 = 1, recall 1/2, precision 1/1, RR 1, AP 1/min(1, 2) = 1, HR 1.
    // u2: top-1 i4 misses: all 0. u3: no list: all 0.
    expect(table['ndcg@1']).toBeCloseTo(0.33333, 4); // 1/3
    expect(table['recall@1']).toBeCloseTo(0.16667, 4); // 0.5/3
    expect(table['precision@1']).toBeCloseTo(0.33333, 4); // 1/3
    expect(table['mrr@1']).toBeCloseTo(0.33333, 4); // 1/3
    expect(table['map@1']).toBeCloseTo(0.33333, 4); // 1/3
    expect(table['hitrate@1']).toBeCloseTo(0.33333, 4); // 1/3
  });

  it('averages the accuracy metrics at k = 3 over the evaluated users', () => {
    // u1: hits at ranks 1, 3. DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.63093; NDCG = 0.91972;
    //     recall 2/2 = 1; precision 2/3; RR 1; AP = (1/1 + 2/3) / min(3, 2) = 0.83333; HR 1.
    // u2: hit at rank 2. DCG = 1/log2(3) = 0.63093; IDCG = 1; NDCG = 0.63093;
    //     recall 1/1 = 1; precision 1/3; RR 1/2; AP = (1/2) / 1 = 0.5; HR 1.
    // u3: all 0.
    expect(table['ndcg@3']).toBeCloseTo(0.51688, 4); // (0.91972 + 0.63093) / 3
    expect(table['recall@3']).toBeCloseTo(0.66667, 4); // (1 + 1) / 3
    expect(table['precision@3']).toBeCloseTo(0.33333, 4); // (2/3 + 1/3) / 3
    expect(table['mrr@3']).toBeCloseTo(0.5, 4); // (1 + 0.5) / 3
    expect(table['map@3']).toBeCloseTo(0.44444, 4); // (0.83333 + 0.5) / 3
    expect(table['hitrate@3']).toBeCloseTo(0.66667, 4); // 2/3
  });

  it('reports coverage over the evaluated users’ top-k lists', () => {
    // k = 1: {i1, i4} → 2/6; k = 3: {i1, i2, i3, i4, i5} → 5/6 (u4's i6 is not evaluated)
    expect(table['coverage@1']).toBeCloseTo(0.33333, 4);
    expect(table['coverage@3']).toBeCloseTo(0.83333, 4);
  });

  it('reports intra-list diversity of the top-k lists', () => {
    // k = 1: single-item lists have diversity 0.
    // k = 3: u1: J(i1,i2) = 1/2, J(i1,i3) = 0, J(i2,i3) = 1/2 → 1 − 1/3 = 0.66667;
    //        u2: J(i4,i5) = 1, J(i4,i1) = 0, J(i5,i1) = 0 → 1 − 1/3 = 0.66667; u3: 0.
    //        mean = 1.33333 / 3 = 0.44444
    expect(table['diversity@1']).toBeCloseTo(0, 4);
    expect(table['diversity@3']).toBeCloseTo(0.44444, 4);
  });

  it('reports novelty of the top-k lists in bits', () => {
    // k = 1: u1 [i1] → 2; u2 [i4] → 3; u3 → 0; mean = 5/3 = 1.66667
    // k = 3: u1 (2 + 2 + 4)/3 = 2.66667; u2 (3 + 3 + 2)/3 = 2.66667; u3 → 0; mean = 5.33333/3 = 1.77778
    expect(table['novelty@1']).toBeCloseTo(1.66667, 4);
    expect(table['novelty@3']).toBeCloseTo(1.77778, 4);
  });

  it('evaluates only the given subset of users, e.g. cold-start users', () => {
    const subset = evaluateRankings({
      lists: LISTS,
      relevant: RELEVANT,
      ks: [3],
      catalogSize: 6,
      users: ['u2', 'u4', 'u2', 'unknown'],
    });
    // only u2 qualifies: NDCG@3 = 1/log2(3) = 0.63093; coverage {i4, i5, i1} = 3/6
    expect(subset.users).toBe(1);
    expect(subset['ndcg@3']).toBeCloseTo(0.63093, 4);
    expect(subset['mrr@3']).toBeCloseTo(0.5, 4);
    expect(subset['coverage@3']).toBeCloseTo(0.5, 4);
  });

  it('reports exactly the documented keys at the default k = 10 and 20', () => {
    const keys = (withExtras: boolean): string[] =>
      Object.keys(
        evaluateRankings({
          lists: LISTS,
          relevant: RELEVANT,
          catalogSize: 6,
          ...(withExtras ? { categoriesOf, popularityShare } : {}),
        }),
      ).sort();
    const accuracy = ['ndcg', 'recall', 'precision', 'mrr', 'map', 'hitrate', 'coverage'];
    const expected = (names: string[]): string[] =>
      [...names.flatMap((name) => [`${name}@10`, `${name}@20`]), 'users'].sort();
    expect(keys(false)).toEqual(expected(accuracy));
    expect(keys(true)).toEqual(expected([...accuracy, 'diversity', 'novelty']));
  });

  it('reports zeros when no user can be evaluated', () => {
    const empty = evaluateRankings({ lists: LISTS, relevant: new Map(), ks: [10], catalogSize: 6 });
    expect(empty).toEqual({
      'ndcg@10': 0,
      'recall@10': 0,
      'precision@10': 0,
      'mrr@10': 0,
      'map@10': 0,
      'hitrate@10': 0,
      'coverage@10': 0,
      users: 0,
    });
  });

  it.each([[[]], [[0]], [[10, 2.5]]])('rejects ks = %j', (ks) => {
    expect(() => evaluateRankings({ lists: LISTS, relevant: RELEVANT, ks, catalogSize: 6 })).toThrow(
      RangeError,
    );
  });

  it('evaluates every one of 600 users with 20-item lists', () => {
    const random = createRandom(11);
    const lists = new Map<string, string[]>();
    const relevant = new Map<string, Set<string>>();
    for (let u = 0; u < 600; u++) {
      lists.set(
        `u${u}`,
        Array.from({ length: 20 }, (_, r) => `i${(u * 7 + r * 13) % 2000}`),
      );
      relevant.set(`u${u}`, new Set(Array.from({ length: 5 }, () => `i${random.int(0, 1999)}`)));
    }
    const result = evaluateRankings({
      lists,
      relevant,
      catalogSize: 2000,
      categoriesOf: (id) => [`g${id.length % 5}`, `h${id.charCodeAt(1) % 3}`],
      popularityShare: () => 0.001,
    });
    expect(result.users).toBe(600);
  });
});
