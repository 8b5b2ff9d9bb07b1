import type { RecommendationsRequest } from '../../src/services/serviceTypes.js';

/**
 * A first-page `recommendations` request on the home surface for `userId`
 * (no session items, filter, cursor or context; `first` 10), with `over` on top.
 */
export function homeRequest(
  userId: string | null,
  over: Partial<RecommendationsRequest> = {},
): RecommendationsRequest {
  return {
    userId,
    sessionItemIds: [],
    surface: 'home',
    first: 10,
    after: null,
    filter: null,
    context: null,
    ...over,
  };
}
