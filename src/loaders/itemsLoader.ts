import type { CatalogItem } from '../domain/interaction.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { KeyedBatchLoader } from './keyedBatchLoader.js';

/** Item id → catalog item (null when unknown): one `getItems` per batch. Create one per request. */
export function createItemsLoader(store: FeatureStore): KeyedBatchLoader<CatalogItem> {
  return new KeyedBatchLoader('items', (keys) => store.getItems(keys));
}
