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
 * The per-candidate families (`items`, `itemCounters`) are
 * {@link KeyedBatchLoader}s: the request path loads ~500 keys per call, and
 * DataLoader's promise per key cost more than the store read.
 */
export interface RequestLoaders {
  readonly users: DataLoader<string, UserFeatures | null>;
  /** Catalog rows: `load` / `loadMany` as DataLoader's, one promise per call instead of per key. */
  readonly items: KeyedBatchLoader<CatalogItem>;
  /** Live counters, likewise. */
  readonly itemCounters: KeyedBatchLoader<ItemCounters>;
  readonly promotions: DataLoader<string, Promotion[]>;
  readonly similarLists: DataLoader<SimilarItemsRequest, RecommendationList, string>;
}

/** Fresh loaders over `store`; `similar` computes a batch of similar-item lists. */
export function createRequestLoaders(options: {
  readonly store: FeatureStore;
  readonly similar: (requests: readonly SimilarItemsRequest[]) => Promise<(RecommendationList | Error)[]>;
}): RequestLoaders {
  return {
    users: createUsersLoader(options.store),
    items: createItemsLoader(options.store),
    itemCounters: createItemCountersLoader(options.store),
    promotions: createPromotionsLoader(options.store),
    similarLists: createSimilarListsLoader(options.similar),
  };
}
