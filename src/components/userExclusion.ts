import type { VectorSearchOptions } from '../stores/vectorIndex.js';
import type { RecommendationQuery } from './recommendationQuery.js';

/**
 * Above this many seen items the seen set is left to the `exclude` predicate
 * only: copying it into `excludeIds` on every request costs more than it
 * saves (a remote index post-filters long lists anyway).
 */
export const MAX_PUSHED_SEEN = 10_000;

/**
 * Items a source need not propose because a filter would drop them anyway
 * (seen or dismissed by the user, the session items, the seed): saves candidate slots. The
 * filters stay the authority; this is only an optimisation.
 */
export function userExclusion(query: RecommendationQuery): (itemId: string) => boolean {
  const seen = query.user?.seen;
  const dismissed = query.user?.dismissed;
  const seed = query.seedItemId;
  const session = query.sessionItemIds.length > 0 ? new Set(query.sessionItemIds) : null;
  return (id) =>
    id === seed || (seen?.has(id) ?? false) || (dismissed?.has(id) ?? false) || (session?.has(id) ?? false);
}

/**
 * The VectorIndex search options of the embedding sources: the
 * {@link userExclusion} exclusions and the request's `ItemFilter` and
 * availability as a structured filter (which a remote index evaluates
 * server-side):
 * - `excludeIds` (without duplicates): the seed, session items, dismissed items, the request's
 *   `excludeItemIds`, and the seen items unless there are more than
 *   {@link MAX_PUSHED_SEEN} (then only the predicate covers them);
 * - `categoriesAny` / `categoriesNone`: the request's lists (empty = no constraint);
 * - `availableOnly`: always (the `unavailable` filter would drop them);
 * - `exclude`: the {@link userExclusion} predicate only when the seen set is
 *   over {@link MAX_PUSHED_SEEN} (otherwise `excludeIds` already holds every
 *   id it would refuse, and calling it per row would only cost time).
 * The pipeline filters (`seenItems`, `dismissed`, `unavailable`, `requestFilter`)
 * stay the safety net: an index whose payload is stale only costs candidate slots.
 */
export function userSearchOptions(query: RecommendationQuery): VectorSearchOptions {
  const excluded = new Set<string>(query.sessionItemIds);
  if (query.seedItemId !== null) excluded.add(query.seedItemId);
  const user = query.user;
  if (user !== null) {
    for (const id of user.dismissed) excluded.add(id);
    if (user.seen.size <= MAX_PUSHED_SEEN) for (const id of user.seen) excluded.add(id);
  }
  const f = query.filter;
  for (const id of f?.excludeItemIds ?? []) excluded.add(id);
  const seenPushed = user === null || user.seen.size <= MAX_PUSHED_SEEN;
  return {
    ...(seenPushed ? {} : { exclude: userExclusion(query) }),
    filter: {
      excludeIds: [...excluded],
      categoriesAny: f?.categoriesAny ?? [],
      categoriesNone: f?.categoriesNone ?? [],
      availableOnly: true,
    },
  };
}
