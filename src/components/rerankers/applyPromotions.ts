import type { Promotion } from '../../services/serviceTypes.js';

/**
 * Applies promotions to a ranked list.
 * - Boosts: for a promotion with `boost` and no position for an item, the
 *   item's score is multiplied by `boost` (divided for a negative score) and
 *   the item moves up to just before the first non-boosted item above it with
 *   a lower score; it never moves down, and other items keep their order.
 * - Fixed positions: `positions[k]` (1-based) places `itemIds[k]` at that
 *   position (or last when the list is shorter); placements are made in
 *   ascending position order after every placed item was taken out, so one
 *   never shifts another. An item claimed twice keeps the first (promotions in the given order).
 * Items not in the list (filtered out) are ignored: nothing is ever added.
 * @param scores per candidate index; boosted entries are updated in place.
 * @returns the new order and candidate index → promotion id for every promoted item.
 */
export function applyPromotions(
  order: readonly number[],
  scores: Float64Array,
  indexOf: ReadonlyMap<string, number>,
  promotions: readonly Promotion[],
): { order: number[]; promoted: Map<number, string> } {
  const promoted = new Map<number, string>();
  const fixed: { idx: number; position: number }[] = [];
  const boosted = new Set<number>();
  for (const p of promotions) {
    p.itemIds.forEach((itemId, k) => {
      const idx = indexOf.get(itemId);
      if (idx === undefined || promoted.has(idx)) return;
      const position = p.positions?.[k];
      if (position !== undefined) {
        fixed.push({ idx, position });
        promoted.set(idx, p.id);
      } else if (p.boost !== null && p.boost > 0 && Number.isFinite(p.boost)) {
        scores[idx] = scores[idx]! >= 0 ? scores[idx]! * p.boost : scores[idx]! / p.boost;
        boosted.add(idx);
        promoted.set(idx, p.id);
      }
    });
  }
  let out = order.slice();
  // Boosted items, top to bottom: each moves up to before the first item with a
  // lower score above it (never down, so a boost never demotes).
  for (let p = 0; p < out.length; p++) {
    const idx = out[p]!;
    if (!boosted.has(idx)) continue;
    let target = p;
    for (let t = 0; t < p; t++) {
      const other = out[t]!;
      if (!boosted.has(other) && scores[other]! < scores[idx]!) {
        target = t;
        break;
      }
    }
    if (target < p) {
      out.splice(p, 1);
      out.splice(target, 0, idx);
    }
  }
  if (fixed.length > 0) {
    const placed = new Set(fixed.map((f) => f.idx));
    out = out.filter((idx) => !placed.has(idx));
    for (const f of fixed.sort((a, b) => a.position - b.position)) {
      out.splice(Math.min(Math.max(0, f.position - 1), out.length), 0, f.idx);
    }
  }
  return { order: out, promoted };
}
