import { describe, expect, it } from 'vitest';
import {
  explorationSlotPositions,
  fillExplorationSlots,
} from '../../../src/components/rerankers/explorationSlots.js';

const order = Array.from({ length: 200 }, (_, i) => i);
const pool = (i: number): boolean => i % 2 === 1; // "under-exposed" items, spread through the list

describe('Re-ranker: exploration slots', () => {
  it('is reproducible for a request id and differs between request ids', () => {
    const a = fillExplorationSlots('req-1', order, 0.05, pool);
    const b = fillExplorationSlots('req-1', order, 0.05, pool);
    expect(b).toEqual(a);
    const others = ['req-2', 'req-3', 'req-4'].map((id) => fillExplorationSlots(id, order, 0.05, pool).order);
    expect(others.some((o) => o.join() !== a.order.join())).toBe(true);
  });

  it('gives 1 in 20 positions to exploration in every prefix (share 0.05)', () => {
    for (const id of ['a', 'b', 'c', 'd']) {
      const slots = explorationSlotPositions(id, 200, 0.05);
      expect(slots).toHaveLength(10);
      for (let n = 20; n <= 200; n += 20) expect(slots.filter((p) => p < n)).toHaveLength(n / 20);
    }
    const { order: out, explored } = fillExplorationSlots('req-1', order, 0.05, pool);
    expect(explored).toHaveLength(10);
    const slots = explorationSlotPositions('req-1', 200, 0.05);
    expect(slots.map((p) => out[p])).toEqual(explored);
    expect(explored.every(pool)).toBe(true);
    expect([...out].sort((x, y) => x - y)).toEqual(order);
  });

  it('respects other shares and places nothing with share 0 or an empty pool', () => {
    expect(explorationSlotPositions('x', 100, 0.1)).toHaveLength(10);
    expect(fillExplorationSlots('x', order, 0, pool).explored).toEqual([]);
    expect(fillExplorationSlots('x', order, 0.05, () => false).order).toEqual(order);
  });
});
