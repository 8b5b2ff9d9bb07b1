import type { CatalogItem, Interaction } from '../../src/domain/interaction.js';
import type { UserState } from './modelBundle.js';

/** Interaction types that never count as a positive signal. */
export const NEGATIVE_TYPES: ReadonlySet<string> = new Set(['DISLIKE', 'DISMISS']);

/** How many recent items a user state keeps. */
export const RECENT_ITEMS = 20;

/**
 * Builds each user's {@link UserState} from their interactions.
 * @param interactions sorted by timestamp ascending.
 * @param itemIndex item id → dense index; interactions with unknown items are ignored.
 * @param items catalog, for categories.
 * @returns user id → state. Negative events (DISLIKE, DISMISS) mark an item as
 *   seen but add no affinity.
 */
export function buildUserStates(
  interactions: readonly Interaction[],
  itemIndex: ReadonlyMap<string, number>,
  items: ReadonlyMap<string, CatalogItem>,
): Map<string, UserState> {
  interface Mutable {
    interactionCount: number;
    categoryCount: Map<string, number>;
    categoryLastSeen: Map<string, number>;
    seen: Set<number>;
    recent: number[];
  }
  const states = new Map<string, Mutable>();
  for (const e of interactions) {
    const idx = itemIndex.get(e.itemId);
    if (idx === undefined) continue;
    let s = states.get(e.userId);
    if (!s) {
      s = {
        interactionCount: 0,
        categoryCount: new Map(),
        categoryLastSeen: new Map(),
        seen: new Set(),
        recent: [],
      };
      states.set(e.userId, s);
    }
    s.seen.add(idx);
    if (NEGATIVE_TYPES.has(e.type)) continue;
    s.interactionCount++;
    s.recent.push(idx);
    for (const c of items.get(e.itemId)?.categories ?? []) {
      s.categoryCount.set(c, (s.categoryCount.get(c) ?? 0) + 1);
      s.categoryLastSeen.set(c, e.timestamp);
    }
  }
  const out = new Map<string, UserState>();
  for (const [userId, s] of states) {
    const categoryShare = new Map<string, number>();
    for (const [c, n] of s.categoryCount) categoryShare.set(c, n / Math.max(1, s.interactionCount));
    const recentItems: number[] = [];
    const added = new Set<number>();
    for (let k = s.recent.length - 1; k >= 0 && recentItems.length < RECENT_ITEMS; k--) {
      const idx = s.recent[k]!;
      if (added.has(idx)) continue;
      added.add(idx);
      recentItems.push(idx);
    }
    out.set(userId, {
      interactionCount: s.interactionCount,
      categoryShare,
      categoryLastSeen: s.categoryLastSeen,
      seen: s.seen,
      recentItems,
    });
  }
  return out;
}
