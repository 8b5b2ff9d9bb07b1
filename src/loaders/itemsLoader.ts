import type { CatalogItem } from '../domain/interaction.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { KeyedBatchLoader } from './keyedBatchLoader.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/**
 * Item id → catalog item (null when unknown): one `getItems` per batch. Create one per request.
 * @param trackDegraded re-report a fallback read to every caller (see {@link KeyedBatchLoader}). @default false
 */
export function createItemsLoader(store: FeatureStore, trackDegraded = false): KeyedBatchLoader<CatalogItem> {
  return new KeyedBatchLoader('items', (keys) => store.getItems(keys), dispatchOnNextLoopTurn, trackDegraded);
}
