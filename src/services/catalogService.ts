import type { LiveCounterRanking } from '../components/sources/liveCounterRanking.js';
import type { CatalogItem } from '../domain/interaction.js';
import { PublicError } from '../errors.js';
import type { RequestLoaders } from '../loaders/requestLoaders.js';
import type { VectorIndex } from '../stores/vectorIndex.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { validateId } from './feedback/validateId.js';
import type { ItemUpsert } from './gateway.js';
import type { ItemView, UserError, UserView } from './serviceTypes.js';

/** Most items one `upsertItems` call may hold. */
export const MAX_UPSERT_ITEMS = 1000;
/** Most categories per item, and longest category / title. */
const MAX_CATEGORIES = 100;
const MAX_CATEGORY_LENGTH = 256;
const MAX_TITLE_LENGTH = 1000;

/**
 * Catalog and user views and catalog writes. Reads go through the request's
 * DataLoaders (one batched store read per family per request); items added by
 * {@link upsertItems} become candidates at once (popular, trending and
 * exploration sources) without retraining.
 */
export class CatalogService {
  constructor(
    private readonly options: {
      readonly store: FeatureStore;
      readonly liveRanking: LiveCounterRanking;
      /** When given, the payload (categories, availability) of items it holds is refreshed on upsert. */
      readonly index?: VectorIndex;
      /** Clock, Unix ms: a new item's `createdAt` when the upsert gives none. @default Date.now */
      readonly now?: () => number;
    },
  ) {}

  /** Same length and order as `ids`; null where unknown. Popularity is the live decayed count (0 without one). */
  async items(ids: readonly string[], loaders: RequestLoaders): Promise<(ItemView | null)[]> {
    const [items, counters] = await Promise.all([
      loaders.items.loadMany(ids),
      loaders.itemCounters.loadMany(ids),
    ]);
    return items.map((item, k) => {
      if (item === null || item instanceof Error) return null;
      const c = counters[k];
      const popularity = c && !(c instanceof Error) && Number.isFinite(c.popularity) ? c.popularity : 0;
      return { ...item, popularity };
    });
  }

  /**
   * The view of item `id` from what this request's loaders already hold,
   * without a store read: what {@link items} would return for it (null when
   * the store has no such item), or `undefined` when the item or its
   * counters are not loaded yet (or their read failed): then ask {@link items}.
   * The first page of a `recommendations` or `similarItems` list is always
   * loaded (the recommendation service loads the page's items with the
   * reasons' titles), so its `item` fields resolve without a promise each; a
   * later page's items are loaded too, without their counters.
   */
  loadedItem(id: string, loaders: RequestLoaders): ItemView | null | undefined {
    const item = loaders.items.peek(id);
    if (item === undefined) return undefined;
    if (item === null) return null;
    const c = loaders.itemCounters.peek(id);
    if (c === undefined) return undefined;
    const popularity = c !== null && Number.isFinite(c.popularity) ? c.popularity : 0;
    return { ...item, popularity };
  }

  /** The user's profile, or null when the store does not know them. Top categories: up to 5 by share of interactions. */
  async user(id: string, loaders: RequestLoaders): Promise<UserView | null> {
    const u = await loaders.users.load(id);
    if (u === null) return null;
    const count = Math.max(1, u.interactionCount);
    const recentItemIds: string[] = [];
    for (const e of u.recent) if (!recentItemIds.includes(e.itemId)) recentItemIds.push(e.itemId);
    const topCategories = [...u.categoryWeights]
      .map(([category, w]) => ({ category, weight: Math.min(1, Math.max(0, w / count)) }))
      .sort((a, b) => b.weight - a.weight || (a.category < b.category ? -1 : 1))
      .slice(0, 5);
    return { id: u.userId, recentItemIds, interactionCount: u.interactionCount, topCategories, degraded: [] };
  }

  /**
   * Adds or updates catalog items. Each item is checked on its own: a bad one
   * gets a {@link UserError} (field `items[k].…`) and the others are written.
   * Fields left out (undefined or null) keep the stored value; a new item is
   * available unless `available: false` and created now (the gateway clock)
   * unless `createdAt` is given. Refreshes the popular/trending
   * ranking before it returns, so new items are candidates on every request
   * made after it (requests meanwhile keep the previous ranking), and the vector
   * index's payload of items it holds (so its category and availability
   * filters see the change; items without a trained vector are not added).
   * @throws PublicError BAD_USER_INPUT for more than 1000 items.
   */
  async upsertItems(input: readonly ItemUpsert[]): Promise<{ upserted: number; errors: UserError[] }> {
    if (input.length > MAX_UPSERT_ITEMS) {
      throw new PublicError(
        'BAD_USER_INPUT',
        `items must hold at most ${MAX_UPSERT_ITEMS} items per call; received ${input.length}. Split the batch.`,
        'items',
      );
    }
    const errors: UserError[] = [];
    const valid: { k: number; item: ItemUpsert }[] = [];
    input.forEach((item, k) => {
      const error = validateUpsert(item, k);
      if (error !== null) errors.push(error);
      else valid.push({ k, item });
    });
    if (valid.length === 0) return { upserted: 0, errors };
    const existing = await this.options.store.getItems(valid.map((v) => v.item.id));
    const now = (this.options.now ?? Date.now)();
    const merged = new Map<string, CatalogItem>();
    valid.forEach(({ item }, j) => {
      const old = merged.get(item.id) ?? existing[j] ?? null;
      merged.set(item.id, {
        id: item.id,
        title: item.title ?? old?.title ?? null,
        categories: item.categories ? [...item.categories] : (old?.categories ?? []),
        attributes: item.attributes ? { ...item.attributes } : (old?.attributes ?? {}),
        // A new item without one entered the catalog now (schema: "defaults to now for a new item").
        createdAt: item.createdAt ?? (old === null ? now : old.createdAt),
        available: item.available ?? old?.available ?? true,
      });
    });
    await this.options.store.upsertItems([...merged.values()]);
    await this.refreshIndexPayloads([...merged.values()]);
    // Requests keep the current ranking while it is read again; the call returns once the new one serves.
    await this.options.liveRanking.refreshAfterChange();
    return { upserted: valid.length, errors };
  }

  /** Rewrites the index points of `items` that have a vector with their current categories and availability. */
  private async refreshIndexPayloads(items: readonly CatalogItem[]): Promise<void> {
    if (this.options.index !== undefined) await refreshIndexPayloads(this.options.index, items);
  }
}

/**
 * Rewrites the points of `items` in `index` with their current categories
 * and availability (the payload the index filters by), keeping each point's
 * vector; items the index has no vector for are skipped. Used on every
 * `upsertItems` and, after a rollout, for the items carried over to the new
 * model's index. @throws what the index's `vectorOf` or `upsert` throws.
 */
export async function refreshIndexPayloads(index: VectorIndex, items: readonly CatalogItem[]): Promise<void> {
  if (items.length === 0) return;
  const vectors = await Promise.all(items.map((item) => index.vectorOf(item.id)));
  const entries = items.flatMap((item, k) => {
    const vector = vectors[k];
    return vector === null || vector === undefined
      ? []
      : [{ itemId: item.id, vector, payload: { categories: item.categories, available: item.available } }];
  });
  if (entries.length > 0) await index.upsert(entries);
}

function validateUpsert(item: ItemUpsert, k: number): UserError | null {
  const at = (field: string): string => `items[${k}].${field}`;
  const idError = validateId(item.id, at('id'));
  if (idError !== null) return idError;
  const bad = (field: string, message: string): UserError => ({
    code: 'INVALID_ITEM',
    message,
    field: at(field),
  });
  if (item.title !== undefined && item.title !== null) {
    if (typeof item.title !== 'string' || item.title.length > MAX_TITLE_LENGTH) {
      return bad(
        'title',
        `${at('title')} must be a string of at most ${MAX_TITLE_LENGTH} characters; received ${describe(item.title)}`,
      );
    }
  }
  if (item.categories !== undefined && item.categories !== null) {
    if (item.categories.length > MAX_CATEGORIES) {
      return bad(
        'categories',
        `${at('categories')} must hold at most ${MAX_CATEGORIES} categories; received ${item.categories.length}`,
      );
    }
    const c = item.categories.findIndex(
      (x) => typeof x !== 'string' || x.trim() === '' || x.length > MAX_CATEGORY_LENGTH,
    );
    if (c >= 0) {
      return bad(
        'categories',
        `${at(`categories[${c}]`)} must be a non-empty string of at most ${MAX_CATEGORY_LENGTH} characters; received ${describe(item.categories[c])}`,
      );
    }
  }
  if (item.createdAt !== undefined && item.createdAt !== null && !Number.isFinite(item.createdAt)) {
    return bad('createdAt', `${at('createdAt')} must be a finite time; received ${describe(item.createdAt)}`);
  }
  if (item.attributes !== undefined && item.attributes !== null) {
    if (typeof item.attributes !== 'object' || Array.isArray(item.attributes)) {
      return bad(
        'attributes',
        `${at('attributes')} must be a JSON object; received ${describe(item.attributes)}`,
      );
    }
  }
  return null;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}
