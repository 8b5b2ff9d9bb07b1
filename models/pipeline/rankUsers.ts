import { RANKER_FEATURE_COUNT } from '../../src/domain/rankerFeatures.js';
import { candidateFeatures } from './candidateFeatures.js';
import { generateCandidates, retrievalScores } from './generateCandidates.js';
import type { ModelBundle, RowScorer, UserState } from './modelBundle.js';
import { topK, topKCached } from './topK.js';
import type { TrainConfig } from './trainConfig.js';

/** The three ranked lists the evaluation compares, user id → item ids best first. */
export interface RankedLists {
  readonly mostPop: Map<string, string[]>;
  readonly retrieval: Map<string, string[]>;
  readonly twoStage: Map<string, string[]>;
}

/**
 * Ranks the catalog for each user three ways (full ranking, seen items excluded):
 * - `mostPop`: plain training counts;
 * - `retrieval`: embedding cosine alone (users without a vector fall back to
 *   decayed popularity, as the gateway does for cold start);
 * - `twoStage`: candidate generation, then the ranker's scores.
 * @param k list length (the largest metric cut-off).
 */
export async function rankUsers(
  bundle: ModelBundle,
  states: ReadonlyMap<string, UserState>,
  users: Iterable<string>,
  scorer: RowScorer,
  config: TrainConfig,
  k: number,
): Promise<RankedLists> {
  const lists: RankedLists = { mostPop: new Map(), retrieval: new Map(), twoStage: new Map() };
  const d = bundle.dimension;
  const ids = (idx: readonly number[]): string[] => idx.map((i) => bundle.itemIds.at(i)!);
  for (const userId of users) {
    const state = states.get(userId);
    const seen = state?.seen;
    const exclude = (i: number): boolean => !bundle.available[i] || (seen?.has(i) ?? false);
    lists.mostPop.set(userId, ids(topKCached(bundle.trainCounts, k, exclude)));
    const u = bundle.userIndex.get(userId);
    const retrieval = retrievalScores(
      bundle,
      u === undefined ? null : bundle.userVectors.subarray(u * d, (u + 1) * d),
    );
    const hasVector = !Number.isNaN(retrieval[0]!);
    lists.retrieval.set(
      userId,
      ids(hasVector ? topK(retrieval, k, exclude) : topKCached(bundle.popularity, k, exclude)),
    );
    const candidates = generateCandidates(bundle, state, retrieval, config.candidates);
    const x = candidateFeatures(bundle, state, candidates, bundle.referenceTime);
    const scores = await scorer(x, x.length / RANKER_FEATURE_COUNT);
    const order = topK(scores, k);
    lists.twoStage.set(
      userId,
      order.map((j) => bundle.itemIds.at(candidates.items[j]!)!),
    );
  }
  return lists;
}
