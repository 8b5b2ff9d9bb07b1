import { describe, expect, it } from 'vitest';
import { isPromotionActive } from '../../../src/components/activePromotions.js';
import { applyPromotions } from '../../../src/components/rerankers/applyPromotions.js';
import type { Promotion } from '../../../src/services/serviceTypes.js';

const base: Promotion = {
  id: 'p',
  itemIds: [],
  positions: null,
  boost: null,
  surfaces: null,
  startsAt: null,
  endsAt: null,
};
const ids = ['a', 'b', 'c', 'd', 'e'];
const indexOf = new Map(ids.map((id, i) => [id, i]));

describe('Re-ranker: promotions', () => {
  it('places items at fixed 1-based positions without shifting each other', () => {
    const scores = Float64Array.from([5, 4, 3, 2, 1]);
    const { order, promoted } = applyPromotions([0, 1, 2, 3, 4], scores, indexOf, [
      { ...base, id: 'p1', itemIds: ['e', 'd'], positions: [1, 3] },
    ]);
    expect(order.map((i) => ids[i])).toEqual(['e', 'a', 'd', 'b', 'c']);
    expect([...promoted]).toEqual([
      [4, 'p1'],
      [3, 'p1'],
    ]);
  });

  it('a position beyond the list puts the item last', () => {
    const { order } = applyPromotions([0, 1, 2], Float64Array.from([3, 2, 1]), indexOf, [
      { ...base, itemIds: ['a'], positions: [99] },
    ]);
    expect(order.map((i) => ids[i])).toEqual(['b', 'c', 'a']);
  });

  it('a boost multiplies the score and lifts the item above lower-scored items only', () => {
    // MMR-like order where c (score 3) sits below e (score 1): boosting d (2 → 4) puts it before b (score 4? no: 4 ≥ 4 stays).
    const scores = Float64Array.from([5, 4, 3, 2, 1]);
    const { order } = applyPromotions([0, 4, 1, 2, 3], scores, indexOf, [
      { ...base, itemIds: ['d'], boost: 2 },
    ]);
    expect(scores[3]).toBe(4);
    // d moves to before the first item above it with a lower score (e, score 1).
    expect(order.map((i) => ids[i])).toEqual(['a', 'd', 'e', 'b', 'c']);
  });

  it('a boost never moves an item down', () => {
    const scores = Float64Array.from([1, 5, 4]);
    const { order } = applyPromotions([0, 1, 2], scores, indexOf, [{ ...base, itemIds: ['a'], boost: 1.5 }]);
    expect(order).toEqual([0, 1, 2]);
  });

  it('ignores items that are not in the list (filtered out): nothing is added', () => {
    const { order, promoted } = applyPromotions(
      [0, 1],
      Float64Array.from([2, 1, 0, 0, 0]),
      new Map([
        ['a', 0],
        ['b', 1],
      ]),
      [{ ...base, itemIds: ['zz'], positions: [1] }],
    );
    expect(order).toEqual([0, 1]);
    expect(promoted.size).toBe(0);
  });

  it('is active only inside [startsAt, endsAt) and on its surfaces (none listed = all)', () => {
    const p = { ...base, startsAt: 1000, endsAt: 2000, surfaces: ['home'] };
    expect(isPromotionActive(p, 'home', 999)).toBe(false);
    expect(isPromotionActive(p, 'home', 1000)).toBe(true);
    expect(isPromotionActive(p, 'home', 2000)).toBe(false);
    expect(isPromotionActive(p, 'similar', 1500)).toBe(false);
    expect(isPromotionActive({ ...p, surfaces: [] }, 'similar', 1500)).toBe(true);
    expect(isPromotionActive({ ...p, surfaces: null, startsAt: null, endsAt: null }, 'x', 0)).toBe(true);
  });
});
