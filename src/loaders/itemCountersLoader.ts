import type { FeatureStore, ItemCounters } from '../stores/featureStore.js';
import { KeyedBatchLoader } from './keyedBatchLoader.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/**
 * Item id → live decayed counters (null when none): one `getItemCounters` per batch. Create one per request.
 * @param trackDegraded re-report a fallback read to every caller (see {@link KeyedBatchLoader}). @default false
 */
export function createItemCountersLoader(
  store: FeatureStore,
  trackDegraded = false,
): KeyedBatchLoader<ItemCounters> {
  return new KeyedBatchLoader(
    'itemCounters',
    (keys) => store.getItemCounters(keys),
    dispatchOnNextLoopTurn,
    trackDegraded,
  );
}
