import type { Resolvers } from '../src/generated/graphql.js';
import { similar } from './item/similar.js';
import { popularity } from './item/popularity.js';
import { deletePromotion } from './mutation/deletePromotion.js';
import { recordFeedback } from './mutation/recordFeedback.js';
import { recordFeedbackBatch } from './mutation/recordFeedbackBatch.js';
import { recordImpressions } from './mutation/recordImpressions.js';
import { upsertItems } from './mutation/upsertItems.js';
import { upsertPromotion } from './mutation/upsertPromotion.js';
import { experimentAssignments } from './query/experimentAssignments.js';
import { experiments } from './query/experiments.js';
import { item } from './query/item.js';
import { items } from './query/items.js';
import { modelInfo } from './query/modelInfo.js';
import { recommendations } from './query/recommendations.js';
import { similarItems } from './query/similarItems.js';
import { user } from './query/user.js';
import { item as recommendationItem } from './recommendation/item.js';
import { score } from './recommendation/score.js';
import { pageInfo } from './recommendationList/pageInfo.js';
import { dateTimeScalar } from './scalars/dateTimeScalar.js';
import { jsonScalar } from './scalars/jsonScalar.js';
import { recentItems } from './user/recentItems.js';
import { topCategories } from './user/topCategories.js';

/**
 * The resolver map, one resolver per file (`resolvers/<type>/<field>.ts`).
 * Fields not listed use graphql-js's default resolver: the service types
 * already carry them under the schema's names (times in Unix ms are
 * serialised by the DateTime scalar).
 */
export const resolvers = {
  DateTime: dateTimeScalar,
  JSON: jsonScalar,
  Query: { recommendations, similarItems, item, items, user, experimentAssignments, experiments, modelInfo },
  Mutation: {
    recordFeedback,
    recordFeedbackBatch,
    recordImpressions,
    upsertItems,
    upsertPromotion,
    deletePromotion,
  },
  RecommendationList: { pageInfo },
  Recommendation: { item: recommendationItem, score },
  Item: { popularity, similar },
  User: { recentItems, topCategories },
} satisfies Resolvers;
