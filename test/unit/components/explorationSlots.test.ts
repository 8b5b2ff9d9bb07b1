import murmurhash from 'murmurhash';
import { describe, expect, it } from 'vitest';
import {
  explorationSlotPositions,
  fillExplorationSlots,
} from '../../../src/components/rerankers/explorationSlots.js';
import { createRandom } from '../../../src/domain/random.js';

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

/**
 * The straightforward form of the algorithm (as first written): per slot,
 * collect every eligible position at or below it, pick one with the same
 * generator, splice it into the slot. The optimised {@link fillExplorationSlots}
 * must give the same order and picks.
 */
function referenceFill(
  requestId: string,
  input: readonly number[],
  share: number,
  inPool: (index: number) => boolean,
): { order: number[]; explored: number[] } {
  const out = input.slice();
  const explored: number[] = [];
  const slots = explorationSlotPositions(requestId, out.length, share);
  if (slots.length === 0) return { order: out, explored };
  const rng = createRandom(murmurhash.v3(`pick:${requestId}`, 0) | 0, 'xoroshiro128plus');
  const chosen = new Set<number>();
  for (const slot of slots) {
    const eligible: number[] = [];
    for (let p = slot; p < out.length; p++) if (!chosen.has(out[p]!) && inPool(out[p]!)) eligible.push(p);
    if (eligible.length === 0) break;
    const from = eligible[rng.int(0, eligible.length - 1)]!;
    const [idx] = out.splice(from, 1);
    out.splice(slot, 0, idx!);
    chosen.add(idx!);
    explored.push(idx!);
  }
  return { order: out, explored };
}

describe('Re-ranker: exploration slots, optimised form', () => {
  it('matches the splice-per-slot reference on random lists, shares and pools', () => {
    const rng = createRandom(7);
    for (let t = 0; t < 400; t++) {
      const n = rng.int(0, 120);
      const input = rng.shuffle(Array.from({ length: n }, (_, i) => i));
      const share = [0.05, 0.1, 0.25, 0.5, 1, 0][t % 6]!;
      const density = rng.next();
      const inPoolSet = new Set(input.filter(() => rng.next() < density));
      const inPool = (i: number): boolean => inPoolSet.has(i);
      const requestId = `req-${t}`;
      expect(fillExplorationSlots(requestId, input, share, inPool)).toEqual(
        referenceFill(requestId, input, share, inPool),
      );
    }
  });

  it('stops at the first slot with no pool item left at or below it', () => {
    // Only items 0 and 1 (at the top) explore: slots below them find no one.
    const r = fillExplorationSlots('req-1', order, 0.05, (i) => i < 2);
    expect(r).toEqual(referenceFill('req-1', order, 0.05, (i) => i < 2));
    expect(r.explored.length).toBeLessThanOrEqual(2);
  });

  it('does not modify its input', () => {
    const input = order.slice();
    fillExplorationSlots('req-1', input, 0.05, pool);
    expect(input).toEqual(order);
  });
});
