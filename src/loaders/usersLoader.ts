import type { FeatureStore, UserFeatures } from '../stores/featureStore.js';
import { KeyedBatchLoader } from './keyedBatchLoader.js';
import { dispatchOnNextLoopTurn } from './loopTurnBatching.js';

/**
 * User id → the user's features (null when unknown): one `getUsers` per batch. Create one per request.
 * @param trackDegraded re-report a fallback read to every caller (see {@link KeyedBatchLoader}). @default false
 */
export function createUsersLoader(
  store: FeatureStore,
  trackDegraded = false,
): KeyedBatchLoader<UserFeatures> {
  return new KeyedBatchLoader('users', (keys) => store.getUsers(keys), dispatchOnNextLoopTurn, trackDegraded);
}
