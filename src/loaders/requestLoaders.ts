import type DataLoader from 'dataloader';
import type { CatalogItem } from '../domain/interaction.js';
import type { Promotion, RecommendationList, SimilarItemsRequest } from '../services/serviceTypes.js';
import type { FeatureStore, ItemCounters, UserFeatures } from '../stores/featureStore.js';
import { createItemCountersLoader } from './itemCountersLoader.js';
import { createItemsLoader } from './itemsLoader.js';
import type { KeyedBatchLoader } from './keyedBatchLoader.js';
import { createPromotionsLoader } from './promotionsLoader.js';
import { createSimilarListsLoader } from './similarListsLoader.js';
import { createUsersLoader } from './usersLoader.js';

/**
 * The DataLoaders of one request (conventions.md §4): created fresh for each
 * request so caches never cross requests or users. Each is named and honours
 * the batch contract (same length and order as the keys, null for missing).
 * The store reads (`users`, `items`, `itemCounters`, `promotions`) are
 * {@link KeyedBatchLoader}s: the request path loads ~500 keys per call, and
 * DataLoader's promise per key cost more than the store read; they also
 * re-report a read served from a fallback to every field that uses it.
 * `similarLists` stays a DataLoader (its lists carry their own `degraded`).
 */
export interface RequestLoaders {
  /** User features: `load` as DataLoader's. */
  readonly users: KeyedBatchLoader<UserFeatures>;
  /** Catalog rows: `load` / `loadMany` as DataLoader's, one promise per call instead of per key. */
  readonly items: KeyedBatchLoader<CatalogItem>;
  /** Live counters, likewise. */
  readonly itemCounters: KeyedBatchLoader<ItemCounters>;
  /** Every promotion under the one key `ALL_PROMOTIONS`. */
  readonly promotions: KeyedBatchLoader<Promotion[]>;
  readonly similarLists: DataLoader<SimilarItemsRequest, RecommendationList, string>;
}

/**
 * Fresh loaders over `store`; `similar` computes a batch of similar-item lists.
 * `trackDegraded` (default false): the store may serve reads from a fallback
 * (src/stores/fallback/), so the store loaders keep the degraded parts each
 * read reported and report them to every caller.
 */
export function createRequestLoaders(options: {
  readonly store: FeatureStore;
  readonly similar: (requests: readonly SimilarItemsRequest[]) => Promise<(RecommendationList | Error)[]>;
  readonly trackDegraded?: boolean;
}): RequestLoaders {
  const track = options.trackDegraded ?? false;
  return {
    users: createUsersLoader(options.store, track),
    items: createItemsLoader(options.store, track),
    itemCounters: createItemCountersLoader(options.store, track),
    promotions: createPromotionsLoader(options.store, track),
    similarLists: createSimilarListsLoader(options.similar),
  };
}
