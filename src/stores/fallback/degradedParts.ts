import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The parts of one request that were served from a fallback (e.g.
 * `featureStore.users`, `vectorIndex`), collected across every async step of
 * the request by Node's `AsyncLocalStorage`. The gateway opens a collection
 * per request with {@link collectDegradedParts} and adds the names to the
 * response's `degraded` list; adapters call {@link reportDegraded}.
 */
const current = new AsyncLocalStorage<Set<string>>();

/**
 * Runs `fn` with a fresh collection of degraded parts.
 * @returns `fn`'s value and the part names reported while it ran (in first-report order).
 */
export async function collectDegradedParts<T>(fn: () => Promise<T>): Promise<{ value: T; parts: string[] }> {
  const parts = new Set<string>();
  const value = await current.run(parts, fn);
  return { value, parts: [...parts] };
}

/** Names `part` as degraded in the current request; a no-op outside {@link collectDegradedParts}. */
export function reportDegraded(part: string): void {
  current.getStore()?.add(part);
}

/**
 * Whether `part` was named as degraded so far in the current request (false
 * outside {@link collectDegradedParts}). Lets a caller tell "not found" from
 * "not found in the fallback while the primary is down".
 */
export function isReportedDegraded(part: string): boolean {
  return current.getStore()?.has(part) ?? false;
}
