import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import { factorRowNorm } from '../../domain/factorRows.js';
import type { CandidateScores, ItemFeatureState } from '../../domain/rankerFeatures.js';
import { decodeTableOf } from '../../domain/itemVectors.js';
import type { ItemVectors } from '../../domain/itemVectors.js';
import { KernelRows } from '../../stores/embedded/kernelRows.js';
import { RANKER_FEATURE_COUNT, writeFeatureRow } from '../../domain/rankerFeatures.js';
import type { Hydrator } from '../../pipeline/hydrator.js';
import { emptyItemColumns, hasItemColumnReads, NO_CATEGORIES } from '../../stores/itemColumnReads.js';
import type { ItemColumns } from '../../stores/itemColumnReads.js';
import { candidateModelRows, recallItemColumns } from '../itemColumnsMemo.js';
import { featureNeighbourScores } from '../neighbourScores.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * Builds the ranker's feature matrix for all candidates, exactly as training
 * does (`models/pipeline/candidateFeatures.ts`), with {@link writeFeatureRow}:
 * - `retrieval_score`: the index cosine of [userVector, 0] and the item vector
 *   (computed for every candidate, whichever source proposed it), null
 *   without a user vector or for an item the model does not know;
 * - `embedding_cosine`: `cosineFromIndexScore` of that score (computed with
 *   the bundle's cached item norms, {@link itemFactorNorms});
 * - `item_to_item_score`: the sum of neighbour similarities from the user's
 *   recent items (or the session items of a user without history);
 * - `popularity` / `trend`: the live counters; `item_age_days` from the
 *   model's first-seen time, else the catalog's `createdAt`;
 * - user features from the query's user state.
 *
 * Store reads, for all candidates at once: from a store with
 * `ItemColumnReads` (src/stores/itemColumnReads.ts; the memory store) the
 * `unavailable` filter's column read when it kept one for these candidates
 * (`recallItemColumns`), else one synchronous column read. From another
 * store, one `getItems` (the request's `items` loader, usually already
 * filled by the `unavailable` filter) and one `getItemCounters`, each one
 * promise per call (not per key), a failed read counted as missing. Writes
 * straight into the matrix; one reused item/score object, no per-candidate
 * allocation. The candidates' model rows come from their sources' hints
 * where valid (`candidateModelRows`), else from the bundle's id → row index.
 * Records what it read, as columns, in `query.rows`.
 */
export const itemFeaturesHydrator: Hydrator<RecommendationQuery> = {
  name: 'itemFeatures',
  async hydrate(q, candidates, features) {
    if (features.width !== RANKER_FEATURE_COUNT) {
      throw new RangeError(
        `itemFeatures writes ${RANKER_FEATURE_COUNT} columns, the matrix has ${features.width}`,
      );
    }
    const n = candidates.length;
    const ids = new Array<string>(n);
    for (let j = 0; j < n; j++) ids[j] = candidates[j]!.itemId;
    const store = q.env.store;
    const bundle = q.model.bundle;
    let read: ItemColumns;
    let modelRows: Int32Array;
    if (hasItemColumnReads(store)) {
      const recalled = recallItemColumns(q, candidates);
      if (recalled !== null) {
        ({ columns: read, modelRows } = recalled);
      } else {
        modelRows = candidateModelRows(bundle, candidates);
        read = store.readItemColumns(ids, { ids: bundle.itemIds, at: modelRows });
      }
    } else {
      read = await readThroughLoaders(q, ids);
      modelRows = candidateModelRows(bundle, candidates);
    }
    // Hoisted: the bundle's fields are read once, not per candidate and component.
    const vectors = bundle.itemVectors;
    const firstSeenColumn = bundle.firstSeen;
    const itemState = bundle.itemState;
    const maxItemNorm = bundle.maxItemNorm;
    const d = bundle.dimension;
    const w = d + 1;
    const x = q.userVector;
    let xNorm = 0;
    if (x !== null) for (let p = 0; p < d; p++) xNorm += x[p]! * x[p]!;
    xNorm = Math.sqrt(xNorm);
    const scoring = x !== null && xNorm > 0;
    const norms = scoring ? itemFactorNorms(bundle) : null;
    const dots = scoring ? userItemDots(x, vectors, d, w, modelRows) : null;
    const ns = featureNeighbourScores(q);
    const data = features.data;
    const width = features.width;
    const user = q.userState;
    const now = q.now;
    const { createdAt, categories, popularity, trend } = read;
    const item: { -readonly [K in keyof ItemFeatureState]: ItemFeatureState[K] } = {
      popularity: 0,
      trend: 0,
      firstSeen: null,
      categories: NO_CATEGORIES,
    };
    const scores: { -readonly [K in keyof CandidateScores]: CandidateScores[K] } = {
      retrieval: null,
      cosine: null,
      itemToItem: 0,
    };
    for (let j = 0; j < n; j++) {
      const row = modelRows[j]!;
      item.popularity = popularity[j]!;
      item.trend = trend[j]!;
      let firstSeen: number | null = null;
      if (row >= 0) {
        if (firstSeenColumn !== undefined) {
          const t = firstSeenColumn[row]!;
          firstSeen = Number.isNaN(t) ? null : t;
        } else {
          firstSeen = itemState[row]?.firstSeen ?? null;
        }
      }
      if (firstSeen === null) {
        const t = createdAt[j]!;
        firstSeen = Number.isNaN(t) ? null : t;
      }
      item.firstSeen = firstSeen;
      item.categories = categories[j]!;
      if (row >= 0 && norms !== null) {
        const r = dots![j]! / xNorm;
        scores.retrieval = r;
        scores.cosine = cosineFromNorm(r, maxItemNorm, norms.of(row));
      } else {
        scores.retrieval = null;
        scores.cosine = null;
      }
      scores.itemToItem = row >= 0 ? ns.scoreOf(row) : 0;
      writeFeatureRow(data, j * width, user, item, scores, now);
    }
    q.rows = { modelRows, createdAt, popularity, categories };
  },
};

/**
 * The {@link ItemColumns} of `ids` through the request's `items` and
 * `itemCounters` loaders (one batch read of each, shared with the rest of the
 * request): for a store without `ItemColumnReads` (src/stores/itemColumnReads.ts) (Redis, the fallback
 * wrapper). A failed read (an Error in place) reads as missing.
 */
async function readThroughLoaders(q: RecommendationQuery, ids: readonly string[]): Promise<ItemColumns> {
  // Both reads are queued before the first await, so they join the same batch turn.
  const itemsRead = q.env.loaders.items.loadMany(ids);
  const countersRead = q.env.loaders.itemCounters.loadMany(ids);
  const items = await itemsRead;
  const counters = await countersRead;
  const out = emptyItemColumns(ids.length);
  for (let j = 0; j < ids.length; j++) {
    const catalog = items[j];
    if (catalog !== null && catalog !== undefined && !(catalog instanceof Error)) {
      out.known[j] = 1;
      out.available[j] = catalog.available !== false ? 1 : 0;
      out.createdAt[j] = catalog.createdAt ?? NaN;
      out.categories[j] = catalog.categories ?? NO_CATEGORIES;
    }
    const c = counters[j];
    if (c !== null && c !== undefined && !(c instanceof Error)) {
      out.hasCounters[j] = 1;
      out.popularity[j] = c.popularity;
      out.trend[j] = c.trend;
    }
  }
  return out;
}

/**
 * The dot products Σ_{p<d} x[p]·v[row·w + p] of the user vector `x` (d
 * floats) with the first d values of each candidate's item vector (rows of
 * w = d + 1 values; the last, the MIPS component, is left out), summed in
 * float64 in p order, as a JavaScript loop sums them (over halves, of the
 * decoded halves): for each j, the product for `rows[j]`, or 0 when
 * `rows[j]` is −1 (an item the model does not know). When the vectors live
 * in a kernel memory (`KernelRows.of`, as a served model's do), one
 * WebAssembly call scores every known row (bit for bit the same sums, about
 * half the time of the loop for 500 rows of 65); else, or when the kernel
 * refuses the query (a component of magnitude ≥ 65536 against halves), the loop.
 * @returns a new Float64Array of rows.length.
 */
export function userItemDots(
  x: Float32Array,
  vectors: ItemVectors,
  d: number,
  w: number,
  rows: Int32Array,
): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n);
  const kernel = KernelRows.of(vectors, w);
  if (kernel !== null) {
    let m = 0;
    for (let j = 0; j < n; j++) if (rows[j]! >= 0) m++;
    try {
      if (m === n) {
        kernel.exactPrefixScores(x, d, rows, n, out);
        return out;
      }
      const known = new Int32Array(m);
      m = 0;
      for (let j = 0; j < n; j++) if (rows[j]! >= 0) known[m++] = rows[j]!;
      const sums = new Float64Array(m);
      kernel.exactPrefixScores(x, d, known, m, sums);
      m = 0;
      for (let j = 0; j < n; j++) if (rows[j]! >= 0) out[j] = sums[m++]!;
      return out;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
  }
  const halves = decodeTableOf(vectors);
  for (let j = 0; j < n; j++) {
    const row = rows[j]!;
    if (row < 0) continue;
    let s = 0;
    const o = row * w;
    if (halves === null) for (let p = 0; p < d; p++) s += x[p]! * vectors[o + p]!;
    else for (let p = 0; p < d; p++) s += x[p]! * halves[vectors[o + p]!]!;
    out[j] = s;
  }
  return out;
}

/** L2 norms of a bundle's item factors, computed on first use per row and kept with the bundle. */
export interface ItemFactorNorms {
  /** ‖y_row‖ (float64) by `factorRowNorm`, as `cosineFromIndexScore` computes it. @param row a model row, 0 ≤ row < nItems. */
  of(row: number): number;
}

const normsByBundle = new WeakMap<ModelBundle, ItemFactorNorms>();

/**
 * The item-factor norms of `bundle` (one Float64Array of nItems, filled
 * lazily: a row's norm is computed by `factorRowNorm` the first time it is
 * asked for, as `cosineFromIndexScore` computes it, so the cosine is bit for
 * bit the same for the same bundle). When served, the rows are a view through
 * the item vectors, so the norm is M·‖v[0:d]‖: ‖y‖ up to float32 rounding, and
 * the cosine score·M/‖y‖ = (x·v/‖x‖)/‖v[0:d]‖ is the one of the vectors the
 * index ranked. Kept per bundle (a WeakMap: dropped with the model).
 */
export function itemFactorNorms(bundle: ModelBundle): ItemFactorNorms {
  let norms = normsByBundle.get(bundle);
  if (norms === undefined) {
    const rows = bundle.itemFactors;
    const cache = new Float64Array(bundle.itemIds.length).fill(NaN);
    norms = {
      of(row) {
        let norm = cache[row];
        // undefined: a row past the bundle's items, recomputed each time (as cosineFromIndexScore would).
        if (norm === undefined || Number.isNaN(norm)) {
          norm = factorRowNorm(rows, row);
          cache[row] = norm;
        }
        return norm;
      },
    };
    normsByBundle.set(bundle, norms);
  }
  return norms;
}

/**
 * `cosineFromIndexScore` given the item's factor norm: score·M/‖y‖ clamped
 * to [-1, 1], 0 for a zero item. @param maxItemNorm M of the bundle.
 */
export function cosineFromNorm(score: number, maxItemNorm: number, norm: number): number {
  if (norm === 0) return 0;
  return Math.max(-1, Math.min(1, (score * maxItemNorm) / norm));
}
