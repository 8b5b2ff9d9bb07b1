import { dismissedFilter } from '../components/filters/dismissedFilter.js';
import { requestFilter } from '../components/filters/requestFilter.js';
import { seenItemsFilter } from '../components/filters/seenItemsFilter.js';
import { unavailableFilter } from '../components/filters/unavailableFilter.js';
import { itemFeaturesHydrator } from '../components/hydrators/itemFeaturesHydrator.js';
import type { RecommendationQuery } from '../components/recommendationQuery.js';
import { categoryCapReranker } from '../components/rerankers/categoryCapReranker.js';
import { explorationSlotsReranker } from '../components/rerankers/explorationSlotsReranker.js';
import { impressionDemotionReranker } from '../components/rerankers/impressionDemotionReranker.js';
import { mmrDiversityReranker } from '../components/rerankers/mmrDiversityReranker.js';
import { promotionsReranker } from '../components/rerankers/promotionsReranker.js';
import { onnxRankerScorer } from '../components/scorers/onnxRankerScorer.js';
import { cursorPagingSelector } from '../components/selectors/cursorPagingSelector.js';
import { servedListLog } from '../components/sideEffects/servedListLog.js';
import { embeddingSource } from '../components/sources/embeddingSource.js';
import { itemToItemSource } from '../components/sources/itemToItemSource.js';
import { popularSource } from '../components/sources/popularSource.js';
import { promotionSource } from '../components/sources/promotionSource.js';
import { sessionSource } from '../components/sources/sessionSource.js';
import { trendingSource } from '../components/sources/trendingSource.js';
import { RANKER_FEATURE_COUNT } from '../domain/rankerFeatures.js';
import type { SurfaceConfig } from '../pipeline/surfaceConfig.js';

/**
 * `home` (the `recommendations` query): personalised candidates from
 * embeddings, recent items and the session, plus popular, trending and
 * promoted items; the user's seen and dismissed items filtered out; ONNX
 * ranking; impression demotion, MMR diversity, a category cap, exploration
 * slots and promotions; cursor paging. Popular is the cold-start backbone,
 * so it fails closed: an unknown user with nothing else still gets a list or a clear error.
 */
export const homeSurface = {
  name: 'home',
  sources: [embeddingSource, itemToItemSource, sessionSource, popularSource, trendingSource, promotionSource],
  filters: [seenItemsFilter, dismissedFilter, unavailableFilter, requestFilter], // cheap first
  hydrators: [itemFeaturesHydrator],
  featureWidth: RANKER_FEATURE_COUNT,
  scorer: onnxRankerScorer,
  rerankers: [
    impressionDemotionReranker,
    mmrDiversityReranker,
    categoryCapReranker,
    explorationSlotsReranker,
    promotionsReranker,
  ],
  selector: cursorPagingSelector,
  sideEffects: [servedListLog],
  failOpen: {
    embedding: true,
    itemToItem: true,
    session: true,
    popular: false,
    trending: true,
    promotion: true,
  },
} satisfies SurfaceConfig<RecommendationQuery>;
