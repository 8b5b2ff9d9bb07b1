import DataLoader from 'dataloader';
import type { Promotion } from '../services/serviceTypes.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/** The single key of {@link createPromotionsLoader}. */
export const ALL_PROMOTIONS = 'all';

/**
 * Every promotion, read once per request (`listPromotions`), whichever
 * surfaces of the request ask. One key: {@link ALL_PROMOTIONS}.
 */
export function createPromotionsLoader(store: FeatureStore): DataLoader<string, Promotion[]> {
  return new DataLoader(
    async (keys) => {
      const all = await store.listPromotions();
      return keys.map(() => all);
    },
    { name: 'promotions', batchScheduleFn: dispatchOnNextLoopTurn },
  );
}
