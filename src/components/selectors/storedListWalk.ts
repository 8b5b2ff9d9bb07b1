import type { CatalogItem } from '../../domain/interaction.js';
import { isReportedDegraded } from '../../stores/fallback/degradedParts.js';
import { ITEMS_PART } from '../../stores/fallback/fallbackFeatureStore.js';

/** Items read per round after the first when a later page walks past hidden items (bounds the rounds). */
export const WALK_CHUNK = 64;

/**
 * The positions of a later page of a stored list (issue #6 attack reports:
 * items hidden since the list was ranked are skipped). Walks the list's ids
 * from position `start`, reading its items through `items` (the request's
 * `items` loader: same length and order, null for an unknown id, an Error
 * for a failed read), until `first` items that are still in the catalog,
 * not marked `available: false` and not `excluded` (the user's feedback
 * since: see `laterPageExclusion`) were found, then one more position to
 * tell whether any such item follows. Returns the position after the last
 * item of the page (`end`), the positions it skipped before it (`hidden`),
 * and whether a later page would serve anything (`more`).
 *
 * The first round reads `first + 1` items (the page and the look-ahead: one
 * read when nothing was hidden); each further round at least
 * {@link WALK_CHUNK}, so a run of hidden items costs few store round trips.
 * An item is kept when its read failed (an Error), and when the store
 * answered it as missing from a fallback (the items part reported degraded:
 * a snapshot does not hold items added since), so a failure never drops an
 * item from the list for good.
 */
export async function walkStoredList(
  items: { loadMany(keys: readonly string[]): Promise<readonly (CatalogItem | null | Error)[]> },
  ids: readonly string[],
  start: number,
  first: number,
  excluded: (itemId: string) => boolean = () => false,
): Promise<{ end: number; hidden: Set<number>; more: boolean }> {
  const hidden = new Set<number>();
  let end = start;
  let kept = 0;
  let read = start;
  for (let round = 0; read < ids.length; round++) {
    const want = round === 0 ? first - kept + 1 : Math.max(WALK_CHUNK, first - kept + 1);
    const chunk = ids.slice(read, Math.min(ids.length, read + want));
    const found = await items.loadMany(chunk);
    const fallback = isReportedDegraded(ITEMS_PART);
    for (let j = 0; j < chunk.length; j++) {
      const item = found[j];
      const gone =
        (item === null && !fallback) ||
        (item !== null && item !== undefined && !(item instanceof Error) && item.available === false) ||
        excluded(chunk[j]!);
      if (kept === first) {
        // The look-ahead: the first position after the page that would be served.
        if (!gone) return { end, hidden, more: true };
        continue;
      }
      if (gone) hidden.add(read + j);
      else {
        kept++;
        end = read + j + 1;
      }
    }
    read += chunk.length;
  }
  // The list ended: hidden positions after the last served item are passed over too.
  return { end: kept === first ? end : ids.length, hidden, more: false };
}

/**
 * The items a later page of `user`'s stored list skips because of the
 * user's feedback since the list was ranked, as the first page's `seenItems`
 * and `dismissed` filters drop them: every item the user interacted with
 * (PURCHASE: "not recommended again") and every item DISMISSed or DISLIKEd
 * ("never comes back"). Found by the attack on session 27's work: a cursor
 * kept serving an item dismissed after page 1. `null` (an anonymous list, or
 * a user the store does not know): nothing is skipped.
 */
export function laterPageExclusion(
  user: { readonly seen: ReadonlySet<string>; readonly dismissed: ReadonlySet<string> } | null,
): (itemId: string) => boolean {
  if (user === null || (user.seen.size === 0 && user.dismissed.size === 0)) return () => false;
  return (itemId) => user.seen.has(itemId) || user.dismissed.has(itemId);
}
