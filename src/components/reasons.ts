import type { InteractionType } from '../domain/interaction.js';
import type { RequestLoaders } from '../loaders/requestLoaders.js';

/** How a reason names what the user did with the item that led to a recommendation. */
const VERBS: Partial<Record<InteractionType, string>> = {
  VIEW: 'watched',
  CLICK: 'watched',
  LIKE: 'liked',
  RATING: 'rated',
  PURCHASE: 'bought',
  ADD_TO_CART: 'added',
  SHARE: 'shared',
};

/** Most specific first: reasons naming the user's own items lead. */
const PRIORITY: Readonly<Record<string, number>> = {
  ITEM_TO_ITEM: 0,
  SESSION: 0,
  PROMOTION: 1,
  EMBEDDING: 2,
  TRENDING: 3,
  POPULAR: 4,
  EXPLORATION: 5,
};

/** What reasons need to know about the list beyond the item's sources. */
export interface ReasonContext {
  /** The seed of a `similar` list, else null. */
  readonly seedItemId: string | null;
  /** How the user met one of their recent items (for the verb), if known. */
  readonly typeOf: (itemId: string) => InteractionType | undefined;
  /** Display title of an item id (its id when it has none). */
  readonly titleOf: (itemId: string) => string;
}

/**
 * Human-readable reasons for one item, one per source that proposed it,
 * most specific first, without duplicates, never empty:
 * - ITEM_TO_ITEM: "Because you watched Alien (1979)" (the recent item whose
 *   neighbour list held it; the verb follows the interaction: liked, rated,
 *   bought…); "Similar to …" when it came from a `similar` seed;
 * - SESSION: "Because you just viewed …"; EMBEDDING: "Recommended for you"
 *   ("Similar to …" from a seed); PROMOTION: "Promoted"; TRENDING: "Trending
 *   now"; POPULAR: "Popular overall" (the long-window decayed count: half-life 90 days by default); EXPLORATION: "New in the catalog" for
 *   new items, else "Something different to explore"; any new item also gets
 *   "New in the catalog".
 * @param via parallel to `sources`: the item that led each source to this one, or null.
 */
export function reasonsFor(
  sources: readonly string[],
  via: readonly (string | null)[],
  isNew: boolean,
  ctx: ReasonContext,
): string[] {
  const ranked: { reason: string; priority: number }[] = [];
  const add = (reason: string, source: string): void => {
    if (!ranked.some((r) => r.reason === reason)) ranked.push({ reason, priority: PRIORITY[source] ?? 6 });
  };
  sources.forEach((source, k) => {
    const from = via[k] ?? null;
    if (from !== null && from === ctx.seedItemId)
      return add(`Similar to ${ctx.titleOf(from)}`, 'ITEM_TO_ITEM');
    switch (source) {
      case 'ITEM_TO_ITEM': {
        if (from === null) return add('Recommended for you', 'EMBEDDING');
        const type = ctx.typeOf(from);
        return add(`Because you ${(type && VERBS[type]) ?? 'watched'} ${ctx.titleOf(from)}`, source);
      }
      case 'SESSION':
        return add(
          from === null ? 'Based on your session' : `Because you just viewed ${ctx.titleOf(from)}`,
          source,
        );
      case 'POPULAR':
        return add('Popular overall', source);
      case 'TRENDING':
        return add('Trending now', source);
      case 'PROMOTION':
        return add('Promoted', source);
      case 'EXPLORATION':
        return add(isNew ? 'New in the catalog' : 'Something different to explore', source);
      default:
        return add('Recommended for you', 'EMBEDDING');
    }
  });
  if (isNew) add('New in the catalog', 'EXPLORATION');
  if (ranked.length === 0) return ['Recommended for you'];
  return ranked.sort((a, b) => a.priority - b.priority).map((r) => r.reason);
}

/**
 * Titles of `itemIds` from the request's items loader (usually already
 * loaded with the candidates: no store read). @returns a title lookup.
 */
export async function loadTitles(
  loaders: RequestLoaders,
  itemIds: Iterable<string>,
): Promise<(itemId: string) => string> {
  const list = [...new Set(itemIds)];
  const items = list.length > 0 ? await loaders.items.loadMany(list) : [];
  const titles = new Map<string, string>();
  list.forEach((id, k) => {
    const item = items[k];
    if (item && !(item instanceof Error) && item.title) titles.set(id, item.title);
  });
  return (id) => titles.get(id) ?? id;
}
