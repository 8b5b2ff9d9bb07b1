import { RANKER_FEATURES } from '../../domain/rankerFeatures.js';
import type { ServedModel } from '../../inference/servedModel.js';
import type { Scorer } from '../../pipeline/scorer.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { compareWithShadow } from './shadowRanker.js';
import { logger } from '../../telemetry/logger.js';

/**
 * The registry's ONNX ranker: `scoreRows` on all candidates' feature rows in
 * ONE session run. `params.rankerVersion` (an experiment override) selects
 * another published version, loaded once and cached by the gateway; if it
 * cannot be loaded or its manifest lists other features than the gateway
 * computes, the current version scores and `onnxRanker.rankerVersion` is
 * reported in `degraded`. Sets `query.scoredWith` to the version used.
 *
 * Shadow scoring: when the gateway has a shadow version and samples this
 * request (`env.shadow`), the shadow model scores a copy of the same rows
 * after the live scores are computed, without being awaited; the comparison
 * (Spearman's ρ, top-10 overlap) goes to `env.shadow.report` and the promise
 * is kept in `query.memo` under `shadowScoring` (tests await it).
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
        logger.warn(`ranker ${wanted} unavailable`, {
          listId: q.requestId,
          requestId: q.httpRequestId,
          error: err,
        });
      }
    }
    q.scoredWith = model.version;
    const n = candidates.length;
    const scores = await model.scoreRows(features.data, n);
    const shadow = q.env.shadow?.sample() ?? null;
    if (shadow !== null && shadow.version !== model.version && n > 0) {
      try {
        assertSameFeatures(shadow);
        const rows = features.data.slice(0, n * RANKER_FEATURES.length);
        q.memo.set(
          'shadowScoring',
          compareWithShadow(q.env.shadow!, shadow, model.version, rows, scores.slice()),
        );
      } catch (err) {
        q.env.shadow!.fail(shadow.version, err);
      }
    }
    return scores;
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
