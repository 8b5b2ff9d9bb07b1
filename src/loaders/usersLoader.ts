import DataLoader from 'dataloader';
import type { FeatureStore, UserFeatures } from '../stores/featureStore.js';
import { batchByKeys } from './batchByKeys.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/** User id → the user's features (null when unknown): one `getUsers` per batch. Create one per request. */
export function createUsersLoader(store: FeatureStore): DataLoader<string, UserFeatures | null> {
  return new DataLoader((keys) => batchByKeys('users', keys, (k) => store.getUsers(k)), {
    name: 'users',
    batchScheduleFn: dispatchOnNextLoopTurn,
  });
}
