import type { ItemIdList } from '../domain/itemIdList.js';
import type { FeatureStore } from './featureStore.js';

/**
 * The catalog and live-counter fields the ranking stage reads of a batch of
 * items, as columns: entry j is the item `itemIds[j]` of the read. Values are
 * those `getItems` and `getItemCounters` would give at the same moment:
 * - `known[j]`: 1 when the item is in the catalog (`getItems` not null), else 0;
 * - `available[j]`: 1 when known and not marked `available: false`, else 0;
 * - `createdAt[j]`: the catalog's `createdAt` (Unix ms), NaN when null or unknown
 *   (a value that is not a number, possible only in a registry catalog line
 *   kept as parsed, reads as its `Number()` conversion);
 * - `categories[j]`: the catalog's categories (shared arrays: read-only), an
 *   empty array when unknown;
 * - `hasCounters[j]`: 1 when the item has counters (`getItemCounters` not null);
 * - `popularity[j]` / `trend[j]`: the counters decayed to the read's time,
 *   bit for bit `getItemCounters`' values; 0 without counters.
 */
export interface ItemColumns {
  readonly known: Uint8Array;
  readonly available: Uint8Array;
  readonly createdAt: Float64Array;
  readonly categories: readonly (readonly string[])[];
  readonly hasCounters: Uint8Array;
  readonly popularity: Float64Array;
  readonly trend: Float64Array;
}

/**
 * Optional synchronous column read of a feature store that keeps its catalog
 * and counters in process (issue #6: the ranking stage reads ~500 items per
 * `recommendations` call; through the per-request loaders that is a map
 * entry, an item object and a counters object per item). A store offering it
 * promises the values of `getItems` and `getItemCounters` at the time of the
 * call ({@link ItemColumns}); it never fails and never reports degraded parts.
 * The memory store offers it; stores that answer over the network (Redis, the
 * fallback wrapper) do not, and the ranking stage reads them through the
 * request's loaders instead.
 */
export interface ItemColumnReads {
  /**
   * Columns for `itemIds` (same length and order; a repeated id gets the same
   * values at each place). `rows`, when the caller has looked the ids up in a
   * list of ids anyway (the served model's item ids): `rows.at[j]` is the
   * position of `itemIds[j]` in `rows.ids`, -1 when it is not there. A store
   * whose catalog lists exactly `rows.ids` (the same array) may then skip its
   * own lookup of each id; any other store ignores them.
   */
  readItemColumns(itemIds: readonly string[], rows?: ItemRows): ItemColumns;
}

/** Positions of a read's ids in a list of ids ({@link ItemColumnReads.readItemColumns}). */
export interface ItemRows {
  readonly ids: ItemIdList;
  /** Per id of the read: its position in `ids`, -1 when absent. */
  readonly at: Int32Array;
}

/** Whether `store` offers {@link ItemColumnReads}. */
export function hasItemColumnReads(store: FeatureStore): store is FeatureStore & ItemColumnReads {
  return typeof (store as Partial<ItemColumnReads>).readItemColumns === 'function';
}

/** The shared empty category list of an unknown item. */
export const NO_CATEGORIES: readonly string[] = Object.freeze([]);

/** Empty columns for n items (unknown, no counters), for a store to fill. */
export function emptyItemColumns(n: number): {
  -readonly [K in keyof ItemColumns]: K extends 'categories' ? (readonly string[])[] : ItemColumns[K];
} {
  return {
    known: new Uint8Array(n),
    available: new Uint8Array(n),
    createdAt: new Float64Array(n).fill(NaN),
    categories: new Array<readonly string[]>(n).fill(NO_CATEGORIES),
    hasCounters: new Uint8Array(n),
    popularity: new Float64Array(n),
    trend: new Float64Array(n),
  };
}
