import murmurhash from 'murmurhash';
import { createRandom } from '../../domain/random.js';

/**
 * The exploration slots of a list: 0-based positions p where
 * ⌊(p+1)·share + u⌋ > ⌊p·share + u⌋, with the offset u ∈ [0, 1) from a hash
 * of the request id. Every prefix of n positions holds ⌊n·share⌋ or
 * ⌈n·share⌉ slots (1 in 20 for share 0.05, wherever the list is cut), and
 * the same request id always gives the same slots.
 * @param share 0..1. @returns ascending positions < length.
 */
export function explorationSlotPositions(requestId: string, length: number, share: number): number[] {
  if (!(share > 0)) return [];
  const u = murmurhash.v3(`slots:${requestId}`, 0) / 2 ** 32;
  const out: number[] = [];
  for (let p = 0; p < length; p++) {
    if (Math.floor((p + 1) * share + u) > Math.floor(p * share + u)) out.push(p);
  }
  return out;
}

/**
 * Fills exploration slots: for each slot (ascending), one item of the pool
 * still at or below the slot is chosen uniformly with a generator seeded by
 * the request id's hash and moved into the slot. Reproducible: the same
 * request id, order and pool give the same result.
 * @param order indices, best first (not modified).
 * @param inPool whether an index may explore (under-exposed or new).
 * @returns the new order and the indices that were placed in slots.
 */
export function fillExplorationSlots(
  requestId: string,
  order: readonly number[],
  share: number,
  inPool: (index: number) => boolean,
): { order: number[]; explored: number[] } {
  const out = order.slice();
  const explored: number[] = [];
  const slots = explorationSlotPositions(requestId, out.length, share);
  if (slots.length === 0) return { order: out, explored };
  const rng = createRandom(murmurhash.v3(`pick:${requestId}`, 0) | 0);
  const chosen = new Set<number>();
  for (const slot of slots) {
    const eligible: number[] = [];
    for (let p = slot; p < out.length; p++) {
      const idx = out[p]!;
      if (!chosen.has(idx) && inPool(idx)) eligible.push(p);
    }
    if (eligible.length === 0) break;
    const from = eligible[rng.int(0, eligible.length - 1)]!;
    const [idx] = out.splice(from, 1);
    out.splice(slot, 0, idx!);
    chosen.add(idx!);
    explored.push(idx!);
  }
  return { order: out, explored };
}
