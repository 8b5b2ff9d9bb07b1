import type { CatalogItem, InteractionType } from '../domain/interaction.js';
import type { Promotion } from '../services/serviceTypes.js';

/** One interaction kept in a user's history (most recent first in {@link UserFeatures.recent}). */
export interface HistoryEntry {
  readonly itemId: string;
  readonly type: InteractionType;
  readonly value: number | null;
  /** Unix ms. */
  readonly timestamp: number;
}

/**
 * Everything the pipeline reads about one user, in one batched read per family.
 * - `recent`: up to 50 interactions, most recent first.
 * - `seen`: items the user interacted with (any type).
 * - `dismissed`: items DISMISSed or DISLIKEd.
 * - `categoryWeights`: category → accumulated positive weight; `categoryLastSeen`: category → Unix ms.
 * - `vector`: the user's current embedding (trained or folded in), or null.
 * - `impressions`: item → number of times shown (for demotion), with the last
 *   time shown (Unix ms); at most the adapter's `maxImpressionsPerUser` items
 *   (the most recently shown ones, see {@link FeatureStore.recordImpressions}).
 */
export interface UserFeatures {
  readonly userId: string;
  readonly interactionCount: number;
  readonly recent: readonly HistoryEntry[];
  readonly seen: ReadonlySet<string>;
  readonly dismissed: ReadonlySet<string>;
  readonly categoryWeights: ReadonlyMap<string, number>;
  readonly categoryLastSeen: ReadonlyMap<string, number>;
  readonly vector: Float32Array | null;
  readonly impressions: ReadonlyMap<string, { readonly count: number; readonly lastAt: number }>;
}

/** Live per-item counters: decayed popularity and trend as of `updatedAt` (Unix ms). */
export interface ItemCounters {
  readonly popularity: number;
  readonly trend: number;
  readonly updatedAt: number;
}

/** A ranked list kept for paging: item ids and per-item data, expires after a TTL. */
export interface StoredRankedList {
  readonly requestId: string;
  readonly entries: readonly unknown[];
}

/** The ranked lists a store keeps for `after` paging: how many, and the bytes they take in the store (the memory store: their encoded bytes). */
export interface PagingCacheUsage {
  readonly lists: number;
  readonly bytes: number;
}

/**
 * How many items' impressions a store keeps per user unless told otherwise
 * (see {@link FeatureStore.recordImpressions}): enough for the
 * impression-demotion re-ranker, which only needs recently shown items, and
 * a bound on the state every `getUsers` reads (~80 bytes per item in memory).
 */
export const DEFAULT_MAX_IMPRESSIONS_PER_USER = 500;

/**
 * Online state (port): user features, item counters and catalog, promotions and
 * the paging cache. Adapters: `MemoryFeatureStore` (embedded default),
 * `RedisFeatureStore`. A store may also offer the optional batch writes and
 * narrow fold-in read of featureStoreBatchWrites.ts (Redis does: one call per
 * user and one per feedback batch instead of two per event).
 *
 * Contract (one shared suite tests every adapter):
 * - batch reads return arrays of the same length and order as the keys, `null`
 *   for missing keys (DataLoader's batch contract);
 * - each batch read is ONE store round trip (one MGET or pipeline in Redis);
 * - writes for one event are applied atomically per user.
 */
export interface FeatureStore {
  readonly name: string;
  getUsers(userIds: readonly string[]): Promise<(UserFeatures | null)[]>;
  /**
   * Applies one accepted interaction to the user's state: history, seen,
   * dismissed (DISMISS, DISLIKE), category weights (+`weight` per category of
   * `categories`), interaction count. `vector`, when given, replaces the user's vector.
   *
   * Precisely (every adapter): the entry joins `recent` in timestamp order
   * (most recent first; an older event lands further down; the oldest beyond
   * the adapter's history size drop off); the item joins `seen`; DISMISS and
   * DISLIKE (`DISMISSIVE_TYPES`) add it to `dismissed` and change nothing else;
   * any other type adds 1 to `interactionCount` (as training counts them) and,
   * when `weight > 0`, adds `weight` to each category of `categories` and moves
   * its `categoryLastSeen` forward to the entry's timestamp. Creates the user if unknown.
   */
  applyInteraction(
    userId: string,
    entry: HistoryEntry,
    update: {
      readonly categories: readonly string[];
      readonly weight: number;
      readonly vector?: Float32Array | null;
    },
  ): Promise<void>;
  /**
   * Counts that `itemIds` were shown to the user at `at` (Unix ms), creating
   * the user if unknown: each item's `count` grows by 1 per occurrence (an id
   * repeated in one call counts twice) and its `lastAt` becomes the larger of
   * the stored one and `at` (an older `at` never lowers it). An empty
   * `itemIds` only creates the user.
   *
   * Bounded (every adapter, identically): after the call's items are counted,
   * the user keeps at most `maxImpressionsPerUser` items (the adapter's option,
   * {@link DEFAULT_MAX_IMPRESSIONS_PER_USER} by default; the gateway's
   * `RECGATE_IMPRESSIONS_PER_USER`), those with the latest `lastAt`. The rest
   * are dropped, count and all, oldest `lastAt` first; among equal `lastAt`
   * the smaller item id (by Unicode code point, which is UTF-8 byte order,
   * as Redis orders sorted-set members) is dropped first. A dropped item
   * shown again starts from count 1. Kept items are unchanged.
   */
  recordImpressions(userId: string, itemIds: readonly string[], at: number): Promise<void>;
  getItemCounters(itemIds: readonly string[]): Promise<(ItemCounters | null)[]>;
  /** Adds `weight` to an item's decayed counters at time `at` (half-lives fixed by the adapter's options). */
  incrementItemCounters(itemId: string, weight: number, at: number): Promise<void>;
  getItems(itemIds: readonly string[]): Promise<(CatalogItem | null)[]>;
  upsertItems(items: readonly CatalogItem[]): Promise<void>;
  /** Every item id known to the catalog (used to build sources for new items). */
  listItemIds(): Promise<readonly string[]>;
  listPromotions(): Promise<Promotion[]>;
  upsertPromotion(promotion: Promotion): Promise<void>;
  deletePromotion(id: string): Promise<boolean>;
  putRankedList(list: StoredRankedList, ttlMs: number): Promise<void>;
  getRankedList(requestId: string): Promise<StoredRankedList | null>;
  /**
   * Bulk load (optional): replaces the whole state of each given user in one
   * round trip per chunk. Used by `seedFeatureStore` at start-up (16k users in
   * well under a second); adapters without it cannot be seeded.
   */
  seedUsers?(users: readonly UserSeed[]): Promise<void>;
  /**
   * Bulk load (optional): sets items' decayed counters as of `counters.updatedAt`
   * (replacing any stored value). `incrementItemCounters` cannot express it because
   * it adds the same weight to popularity and trend.
   */
  putItemCounters?(
    entries: readonly { readonly itemId: string; readonly counters: ItemCounters }[],
  ): Promise<void>;
  /**
   * Optional: namespaces user vectors by model version (a shared store
   * outlives a model). After the call, `getUsers` returns only vectors written
   * under `version` (others read as null: callers fold the user in from their
   * history) and writes store vectors under it. Stores rebuilt per model
   * (memory) do not need it.
   */
  setVectorVersion?(version: string): void;
  close(): Promise<void>;
}

/**
 * The complete state of one user for {@link FeatureStore.seedUsers}: the
 * {@link UserFeatures} fields in plain-data form. `recent` is most recent first
 * (the adapter keeps at most its history size); `impressions` start empty.
 */
export interface UserSeed {
  readonly userId: string;
  readonly interactionCount: number;
  readonly recent: readonly HistoryEntry[];
  readonly seen: readonly string[];
  readonly dismissed: readonly string[];
  /** Category → accumulated positive weight. */
  readonly categoryWeights: Readonly<Record<string, number>>;
  /** Category → Unix ms. */
  readonly categoryLastSeen: Readonly<Record<string, number>>;
  readonly vector: Float32Array | null;
}
