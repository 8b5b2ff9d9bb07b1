import { dismissedFilter } from '../components/filters/dismissedFilter.js';
import { requestFilter } from '../components/filters/requestFilter.js';
import { seedItemFilter } from '../components/filters/seedItemFilter.js';
import { seenItemsFilter } from '../components/filters/seenItemsFilter.js';
import { unavailableFilter } from '../components/filters/unavailableFilter.js';
import { itemFeaturesHydrator } from '../components/hydrators/itemFeaturesHydrator.js';
import type { RecommendationQuery } from '../components/recommendationQuery.js';
import { categoryCapReranker } from '../components/rerankers/categoryCapReranker.js';
import { mmrDiversityReranker } from '../components/rerankers/mmrDiversityReranker.js';
import { promotionsReranker } from '../components/rerankers/promotionsReranker.js';
import { onnxRankerScorer } from '../components/scorers/onnxRankerScorer.js';
import { topOnlySelector } from '../components/selectors/topOnlySelector.js';
import { servedListLog } from '../components/sideEffects/servedListLog.js';
import { promotionSource } from '../components/sources/promotionSource.js';
import { seedEmbeddingSource } from '../components/sources/seedEmbeddingSource.js';
import { seedNeighboursSource } from '../components/sources/seedNeighboursSource.js';
import { RANKER_FEATURE_COUNT } from '../domain/rankerFeatures.js';
import type { SurfaceConfig } from '../pipeline/surfaceConfig.js';

/**
 * `similar` (`similarItems`, `Item.similar`): the seed's co-occurrence
 * neighbours and its nearest items in the embedding index, without the seed;
 * for a known user also without their seen and dismissed items and ranked
 * with their features (the query treats the seed as the one recent item).
 * No exploration and no paging (lists are short); each list is logged like `home`'s.
 */
export const similarSurface = {
  name: 'similar',
  sources: [seedNeighboursSource, seedEmbeddingSource, promotionSource],
  filters: [seedItemFilter, seenItemsFilter, dismissedFilter, unavailableFilter, requestFilter],
  hydrators: [itemFeaturesHydrator],
  featureWidth: RANKER_FEATURE_COUNT,
  scorer: onnxRankerScorer,
  rerankers: [mmrDiversityReranker, categoryCapReranker, promotionsReranker],
  selector: topOnlySelector,
  sideEffects: [servedListLog],
  failOpen: { seedNeighbours: true, seedEmbedding: true, promotion: true },
} satisfies SurfaceConfig<RecommendationQuery>;
