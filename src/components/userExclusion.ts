import type { RecommendationQuery } from './recommendationQuery.js';

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
