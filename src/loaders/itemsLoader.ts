import DataLoader from 'dataloader';
import type { CatalogItem } from '../domain/interaction.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { batchByKeys } from './batchByKeys.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/** Item id → catalog item (null when unknown): one `getItems` per batch. Create one per request. */
export function createItemsLoader(store: FeatureStore): DataLoader<string, CatalogItem | null> {
  return new DataLoader((keys) => batchByKeys('items', keys, (k) => store.getItems(k)), {
    name: 'items',
    batchScheduleFn: dispatchOnNextLoopTurn,
  });
}
