import { describe, expect, it } from 'vitest';
import { buildImplicitMatrix } from '../../../models/retrieval/implicitMatrix.js';
import type { ImplicitMatrix } from '../../../models/retrieval/implicitMatrix.js';
import { computeItemNeighbours } from '../../../models/retrieval/itemNeighbours.js';
import type { NeighbourList } from '../../../models/retrieval/itemNeighbours.js';

// 3 users × 4 items:
//   user 0: items 0, 1, 2     user 1: items 0, 1     user 2: items 1, 2, 3
// Users per item: n0 = 2, n1 = 3, n2 = 2, n3 = 1.
// Co-counts: (0,1) = 2, (0,2) = 1, (0,3) = 0, (1,2) = 2, (1,3) = 1, (2,3) = 1.
// Cosine co / sqrt(ni·nj):
//   (0,1) = 2/sqrt(6) = 0.816497   (0,2) = 1/sqrt(4) = 0.5
//   (1,2) = 2/sqrt(6) = 0.816497   (1,3) = 1/sqrt(3) = 0.577350   (2,3) = 1/sqrt(2) = 0.707107
// Weights differ (5 on user 0's item 0) to show that they are ignored.
function example(): ImplicitMatrix {
  const rows = [
    [0, 1, 2],
    [0, 1],
    [1, 2, 3],
  ];
  return buildImplicitMatrix(
    rows.flatMap((items, user) =>
      items.map((item) => ({ user, item, weight: user === 0 && item === 0 ? 5 : 1 })),
    ),
    3,
    4,
  );
}

function plain(list: NeighbourList | undefined): { items: number[]; scores: number[] } {
  if (!list) throw new Error('missing neighbour list');
  return { items: Array.from(list.items), scores: Array.from(list.scores) };
}

function expectList(list: NeighbourList | undefined, items: number[], scores: number[]): void {
  const p = plain(list);
  expect(p.items).toEqual(items);
  expect(p.scores.length).toBe(scores.length);
  scores.forEach((s, k) => expect(p.scores[k]).toBeCloseTo(s, 5));
}

describe('Item-to-item: computeItemNeighbours', () => {
  it('computes binary co-occurrence cosines, best first, ties by lower index (minCoCount 1)', () => {
    const lists = computeItemNeighbours(example(), { minCoCount: 1 });
    expect(lists.length).toBe(4);
    expectList(lists[0], [1, 2], [0.816497, 0.5]);
    expectList(lists[1], [0, 2, 3], [0.816497, 0.816497, 0.57735]);
    expectList(lists[2], [1, 3, 0], [0.816497, 0.707107, 0.5]);
    expectList(lists[3], [2, 1], [0.707107, 0.57735]);
  });

  it('keeps only pairs with at least two common users by default', () => {
    const lists = computeItemNeighbours(example());
    expectList(lists[0], [1], [0.816497]);
    expectList(lists[1], [0, 2], [0.816497, 0.816497]);
    expectList(lists[2], [1], [0.816497]);
    expectList(lists[3], [], []);
  });

  it('respects a larger minCoCount', () => {
    const lists = computeItemNeighbours(example(), { minCoCount: 3 });
    for (const list of lists) expect(list.items.length).toBe(0);
  });

  it('cuts each list at topN', () => {
    const lists = computeItemNeighbours(example(), { minCoCount: 1, topN: 1 });
    expectList(lists[1], [0], [0.816497]);
    expectList(lists[2], [1], [0.816497]);
    expect(
      computeItemNeighbours(example(), { minCoCount: 1, topN: 0 }).every((l) => l.items.length === 0),
    ).toBe(true);
  });

  it('adds the shrinkage to the denominator', () => {
    // (0,1): 2 / (sqrt(6) + 1) = 2 / 3.449490 = 0.579796
    const lists = computeItemNeighbours(example(), { minCoCount: 1, shrink: 1 });
    expect(plain(lists[0]).items[0]).toBe(1);
    expect(plain(lists[0]).scores[0]).toBeCloseTo(0.579796, 5);
  });

  it('never lists an item as its own neighbour', () => {
    const lists = computeItemNeighbours(example(), { minCoCount: 1 });
    lists.forEach((list, i) => expect(Array.from(list.items)).not.toContain(i));
  });

  it('gives an empty list to an item nobody interacted with', () => {
    const m = buildImplicitMatrix(
      [
        { user: 0, item: 0, weight: 1 },
        { user: 0, item: 1, weight: 1 },
      ],
      1,
      3,
    );
    const lists = computeItemNeighbours(m, { minCoCount: 1 });
    // Items 0 and 1 share their only user: 1/sqrt(1·1) = 1.
    expectList(lists[0], [1], [1]);
    expectList(lists[2], [], []);
  });
});
