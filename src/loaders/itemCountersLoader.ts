import DataLoader from 'dataloader';
import type { FeatureStore, ItemCounters } from '../stores/featureStore.js';
import { batchByKeys } from './batchByKeys.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/** Item id → live decayed counters (null when none): one `getItemCounters` per batch. Create one per request. */
export function createItemCountersLoader(store: FeatureStore): DataLoader<string, ItemCounters | null> {
  return new DataLoader((keys) => batchByKeys('itemCounters', keys, (k) => store.getItemCounters(k)), {
    name: 'itemCounters',
    batchScheduleFn: dispatchOnNextLoopTurn,
  });
}
