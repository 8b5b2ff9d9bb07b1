import { RANKER_FEATURES } from '../../domain/rankerFeatures.js';
import type { ServedModel } from '../../inference/servedModel.js';
import type { Scorer } from '../../pipeline/scorer.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * The registry's ONNX ranker: `scoreRows` on all candidates' feature rows in
 * ONE session run. `params.rankerVersion` (an experiment override) selects
 * another published version, loaded once and cached by the gateway; if it
 * cannot be loaded or its manifest lists other features than the gateway
 * computes, the current version scores and `onnxRanker.rankerVersion` is
 * reported in `degraded`. Sets `query.scoredWith` to the version used.
 */
export const onnxRankerScorer: Scorer<RecommendationQuery> = {
  name: 'onnxRanker',
  async score(q, candidates, features) {
    let model: ServedModel = q.model;
    const wanted = q.params.rankerVersion;
    if (wanted !== null && wanted !== q.model.version) {
      try {
        const other = await q.env.rankers(wanted);
        assertSameFeatures(other);
        model = other;
      } catch (err) {
        q.run.degraded.push('onnxRanker.rankerVersion');
        console.warn(
          `[recgate] request ${q.requestId}: ranker ${wanted} unavailable: ${(err as Error).message}`,
        );
      }
    }
    q.scoredWith = model.version;
    return model.scoreRows(features.data, candidates.length);
  },
};

/** @throws Error when the model's feature list differs from {@link RANKER_FEATURES}. */
function assertSameFeatures(model: ServedModel): void {
  const names = model.manifest.ranker.features.map((f) => f.name);
  const expected = RANKER_FEATURES.map((f) => f.name);
  if (names.join(',') !== expected.join(',')) {
    throw new Error(
      `version ${model.version} expects features [${names.join(', ')}], the gateway computes [${expected.join(', ')}]`,
    );
  }
}
