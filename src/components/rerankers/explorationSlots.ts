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
 * the request id's hash (xoroshiro128+, small state: one is made per request)
 * and moved into the slot (the items between shift down by one). Reproducible: the same request id, order and pool give the
 * same result.
 *
 * Cost: `inPool` is called at most once per position, then O(slots × n) work on
 * typed arrays. Items already placed sit above every later slot, so the
 * items eligible for a slot are exactly the pool items at or below it.
 * @param order indices, best first, without repeats (a permutation, as
 *   `RankedList.order`); not modified.
 * @param inPool whether an index may explore (under-exposed or new); pure.
 * @returns the new order (a copy) and the indices placed in slots, in slot order.
 */
export function fillExplorationSlots(
  requestId: string,
  order: readonly number[],
  share: number,
  inPool: (index: number) => boolean,
): { order: number[]; explored: number[] } {
  const out = order.slice();
  const explored: number[] = [];
  const n = out.length;
  const slots = explorationSlotPositions(requestId, n, share);
  if (slots.length === 0) return { order: out, explored };
  // pool[p]: whether the item now at position p may explore (moves with it).
  const pool = new Uint8Array(n);
  let eligible = 0; // pool items at or below the current slot
  for (let p = slots[0]!; p < n; p++) {
    if (inPool(out[p]!)) {
      pool[p] = 1;
      eligible++;
    }
  }
  const rng = createRandom(murmurhash.v3(`pick:${requestId}`, 0) | 0, 'xoroshiro128plus');
  for (let s = 0; s < slots.length; s++) {
    const slot = slots[s]!;
    if (s > 0) for (let p = slots[s - 1]!; p < slot; p++) eligible -= pool[p]!;
    if (eligible === 0) break;
    // The k-th (0-based) pool item at or below the slot.
    let k = rng.int(0, eligible - 1);
    let from = slot;
    for (; from < n; from++) if (pool[from] === 1 && k-- === 0) break;
    if (from === n) break; // unreachable while `eligible` is exact; bounds the scan regardless
    const idx = out[from]!;
    for (let p = from; p > slot; p--) {
      out[p] = out[p - 1]!;
      pool[p] = pool[p - 1]!;
    }
    out[slot] = idx;
    pool[slot] = 1;
    explored.push(idx);
  }
  return { order: out, explored };
}
