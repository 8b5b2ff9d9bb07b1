import type { RecommendationListResolvers } from '../../src/generated/graphql.js';

/** `RecommendationList.pageInfo`: the engine's flat paging fields as a Relay-style PageInfo. */
export const pageInfo: NonNullable<RecommendationListResolvers['pageInfo']> = (list) => ({
  hasNextPage: list.hasNextPage,
  endCursor: list.endCursor,
});
