import type { FactorRows } from '../../domain/factorRows.js';
import { decodeTableOf } from '../../domain/itemVectors.js';
import type { Reranker } from '../../pipeline/reranker.js';
import { candidateModelRow } from '../itemColumnsMemo.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { mmrOrder } from './mmr.js';

/**
 * Writes item `row`'s factors y scaled to unit length, y/‖y‖, into `out` at
 * `offset` (a zero row stays zero), so cosines between items are dot
 * products. Rows are `scale`·v for the stored v, and y/‖y‖ = v/‖v‖ for any
 * scale > 0, so `scale` only matters when it is 0 (every item zero). When
 * served, v is the first d components of the item vector: the unit rows equal
 * those of the raw factors up to float32 rounding. Only the window's rows are
 * normalised, per request: a catalog-wide copy would cost nItems × d × 4 bytes
 * (256 MB at 1M items × 64).
 */
export function writeUnitRow(rows: FactorRows, row: number, out: Float32Array, offset: number): void {
  const { values, dimension: d } = rows;
  const o = row * rows.stride;
  const table = decodeTableOf(values);
  let s = 0;
  for (let p = 0; p < d; p++) {
    const v = table === null ? values[o + p]! : table[values[o + p]!]!;
    s += v * v;
  }
  const k = s > 0 && rows.scale > 0 ? 1 / Math.sqrt(s) : 0;
  for (let p = 0; p < d; p++)
    out[offset + p] = (table === null ? values[o + p]! : table[values[o + p]!]!) * k;
}

/**
 * Diversity by MMR ({@link mmrOrder}; Carbonell & Goldstein 1998) over the
 * item embeddings (unit iALS factors), with λ = `params.mmrLambda`
 * (default 0.8). Re-orders the top `settings.mmrWindow` positions (default
 * 50, bounding the O(w²·d) cost); relevance is the score min-max
 * normalised to 0..1 over that window. Items the model does not know have
 * no embedding (similar to nothing). Scores are unchanged.
 */
export const mmrDiversityReranker: Reranker<RecommendationQuery> = {
  name: 'mmrDiversity',
  rerank(q, list) {
    const lambda = q.params.mmrLambda;
    const w = Math.min(list.order.length, q.env.settings.mmrWindow);
    if (w < 3 || lambda >= 1) return;
    const bundle = q.model.bundle;
    const d = bundle.dimension;
    const modelRows = q.rows?.modelRows;
    const relevance = new Float64Array(w);
    const embeddings = new Float32Array(w * d);
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < w; j++) {
      const idx = list.order[j]!;
      const s = list.scores[idx]!;
      relevance[j] = s;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
      const row = modelRows?.[idx] ?? candidateModelRow(bundle, list.candidates[idx]!);
      if (row >= 0) writeUnitRow(bundle.itemFactors, row, embeddings, j * d);
    }
    const span = hi - lo;
    for (let j = 0; j < w; j++) relevance[j] = span > 0 ? (relevance[j]! - lo) / span : 1;
    const picked = mmrOrder(relevance, embeddings, d, lambda, w);
    let moved = false;
    for (let j = 0; j < w && !moved; j++) moved = picked[j] !== j;
    if (!moved) return; // the window is already in MMR order: no copy
    // A new array (the pipeline keeps the previous one to restore on failure); the tail keeps its order.
    const before = list.order;
    const order = before.slice();
    for (let j = 0; j < w; j++) order[j] = before[picked[j]!]!;
    list.order = order;
  },
};
