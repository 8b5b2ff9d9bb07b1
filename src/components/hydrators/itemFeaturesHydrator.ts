import { cosineFromIndexScore } from '../../../models/pipeline/candidateFeatures.js';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import type { CatalogItem } from '../../domain/interaction.js';
import type { CandidateScores, ItemFeatureState } from '../../domain/rankerFeatures.js';
import { RANKER_FEATURE_COUNT, writeFeatureRow } from '../../domain/rankerFeatures.js';
import type { Hydrator } from '../../pipeline/hydrator.js';
import type { ItemCounters } from '../../stores/featureStore.js';
import { featureNeighbourScores } from '../neighbourScores.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * Builds the ranker's feature matrix for all candidates, exactly as training
 * does (`models/pipeline/candidateFeatures.ts`), with {@link writeFeatureRow}:
 * - `retrieval_score`: the index cosine of [userVector, 0] and the item vector
 *   (computed for every candidate, whichever source proposed it), null
 *   without a user vector or for an item the model does not know;
 * - `embedding_cosine`: `cosineFromIndexScore` of that score;
 * - `item_to_item_score`: the sum of neighbour similarities from the user's
 *   recent items (or the session items of a user without history);
 * - `popularity` / `trend`: the live counters; `item_age_days` from the
 *   model's first-seen time, else the catalog's `createdAt`;
 * - user features from the query's user state.
 *
 * Store reads: one `getItems` (the request's `items` loader, usually already
 * filled by the `unavailable` filter) and one `getItemCounters`, for all
 * candidates. Writes straight into the matrix; one reused item/score object,
 * no per-candidate allocation. Also records what it read in `query.rows`.
 */
/** The model's first-seen time of `row` (Unix ms), from the column when the loader provided one. */
function modelFirstSeen(bundle: ModelBundle, row: number): number | null {
  if (bundle.firstSeen !== undefined) {
    const t = bundle.firstSeen[row]!;
    return Number.isNaN(t) ? null : t;
  }
  return bundle.itemState[row]?.firstSeen ?? null;
}

export const itemFeaturesHydrator: Hydrator<RecommendationQuery> = {
  name: 'itemFeatures',
  async hydrate(q, candidates, features) {
    if (features.width !== RANKER_FEATURE_COUNT) {
      throw new RangeError(
        `itemFeatures writes ${RANKER_FEATURE_COUNT} columns, the matrix has ${features.width}`,
      );
    }
    const ids = candidates.map((c) => c.itemId);
    const [itemsRaw, countersRaw] = await Promise.all([
      q.env.loaders.items.loadMany(ids),
      q.env.loaders.itemCounters.loadMany(ids),
    ]);
    const items = itemsRaw.map((v) => (v instanceof Error ? null : v)) as (CatalogItem | null)[];
    const counters = countersRaw.map((v) => (v instanceof Error ? null : v)) as (ItemCounters | null)[];
    const bundle = q.model.bundle;
    const d = bundle.dimension;
    const w = d + 1;
    const modelRows = new Int32Array(candidates.length);
    const x = q.userVector;
    let xNorm = 0;
    if (x !== null) for (let p = 0; p < d; p++) xNorm += x[p]! * x[p]!;
    xNorm = Math.sqrt(xNorm);
    const ns = featureNeighbourScores(q);
    const item: { -readonly [K in keyof ItemFeatureState]: ItemFeatureState[K] } = {
      popularity: 0,
      trend: 0,
      firstSeen: null,
      categories: [],
    };
    const scores: { -readonly [K in keyof CandidateScores]: CandidateScores[K] } = {
      retrieval: null,
      cosine: null,
      itemToItem: 0,
    };
    for (let j = 0; j < candidates.length; j++) {
      const row = bundle.itemIndex.get(ids[j]!) ?? -1;
      modelRows[j] = row;
      const catalog = items[j];
      const c = counters[j];
      item.popularity = c?.popularity ?? 0;
      item.trend = c?.trend ?? 0;
      item.firstSeen = (row >= 0 ? modelFirstSeen(bundle, row) : null) ?? catalog?.createdAt ?? null;
      item.categories = catalog?.categories ?? [];
      if (row >= 0 && x !== null && xNorm > 0) {
        let s = 0;
        const o = row * w;
        for (let p = 0; p < d; p++) s += x[p]! * bundle.itemVectors[o + p]!;
        const r = s / xNorm;
        scores.retrieval = r;
        scores.cosine = cosineFromIndexScore(bundle, row, r);
      } else {
        scores.retrieval = null;
        scores.cosine = null;
      }
      scores.itemToItem = row >= 0 ? ns.scoreOf(row) : 0;
      writeFeatureRow(features.data, j * features.width, q.userState, item, scores, q.now);
    }
    q.rows = { items, counters, modelRows };
  },
};
