import type { FeatureStore } from '../../src/stores/featureStore.js';

/**
 * `store` with its `readItemColumns` hidden (an own property set to
 * undefined), so the ranking stage reads it through the request's loaders,
 * as it reads a Redis store: for tests that cover that path on a memory store.
 * Returns the same object.
 */
export function withoutItemColumnReads<S extends FeatureStore>(store: S): S {
  Object.defineProperty(store, 'readItemColumns', { value: undefined, configurable: true });
  return store;
}
