import type { Promotion } from '../services/serviceTypes.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { KeyedBatchLoader } from './keyedBatchLoader.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/** The single key of {@link createPromotionsLoader}. */
export const ALL_PROMOTIONS = 'all';

/**
 * Every promotion, read once per request (`listPromotions`), whichever
 * surfaces of the request ask. One key: {@link ALL_PROMOTIONS}.
 * @param trackDegraded re-report a fallback read to every caller (see {@link KeyedBatchLoader}). @default false
 */
export function createPromotionsLoader(
  store: FeatureStore,
  trackDegraded = false,
): KeyedBatchLoader<Promotion[]> {
  return new KeyedBatchLoader(
    'promotions',
    async (keys) => {
      const all = await store.listPromotions();
      return keys.map(() => all);
    },
    dispatchOnNextLoopTurn,
    trackDegraded,
  );
}
