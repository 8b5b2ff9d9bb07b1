import type { ModelRegistry } from '../stores/modelRegistry.js';

/**
 * A {@link ModelRegistry} that reads each version once: `load` returns the
 * same promise (and so the same arrays) to every caller. The bench server
 * uses it to build the ANN index over the very `itemVectors` the gateway
 * then serves from, so the catalog's vectors are held once. Every other
 * method is delegated as is.
 */
export function memoizedRegistry(inner: ModelRegistry): ModelRegistry {
  const loads = new Map<string, ReturnType<ModelRegistry['load']>>();
  const registry: ModelRegistry = {
    name: inner.name,
    currentVersion: () => inner.currentVersion(),
    listVersions: () => inner.listVersions(),
    rankerPath: (version) => inner.rankerPath(version),
    load(version) {
      let p = loads.get(version);
      if (p === undefined) {
        p = inner.load(version);
        loads.set(version, p);
        p.catch(() => loads.delete(version));
      }
      return p;
    },
  };
  if (inner.readUserStates) registry.readUserStates = (version) => inner.readUserStates!(version);
  if (inner.shadow) registry.shadow = () => inner.shadow!();
  return registry;
}
