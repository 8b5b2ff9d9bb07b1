import type { FeatureStore, ItemCounters } from '../stores/featureStore.js';
import { KeyedBatchLoader } from './keyedBatchLoader.js';

/** Item id → live decayed counters (null when none): one `getItemCounters` per batch. Create one per request. */
export function createItemCountersLoader(store: FeatureStore): KeyedBatchLoader<ItemCounters> {
  return new KeyedBatchLoader('itemCounters', (keys) => store.getItemCounters(keys));
}
