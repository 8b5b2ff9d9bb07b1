import type { ServedModel } from '../inference/servedModel.js';
import type { RecommendationQuery } from './recommendationQuery.js';

/**
 * Item-based CF scores from a basis of items (Sarwar et al. 2001): for every
 * model item, the sum of neighbour similarities from the basis items — the
 * same sum training's `itemToItemScores` computes.
 * - `scores`: nItems, the sum (0 when no basis item points to it);
 * - `via`: nItems, the basis row contributing the largest single similarity (-1 if none);
 * - `touched`: rows with a positive score, in discovery order.
 */
export interface NeighbourScores {
  readonly scores: Float32Array;
  readonly via: Int32Array;
  readonly touched: readonly number[];
}

/** Computes {@link NeighbourScores} over `basisRows` (model rows; negatives are skipped). O(basis·topN). */
export function neighbourScores(model: ServedModel, basisRows: readonly number[]): NeighbourScores {
  const n = model.bundle.itemIds.length;
  const scores = new Float32Array(n);
  const best = new Float32Array(n);
  const via = new Int32Array(n).fill(-1);
  const touched: number[] = [];
  for (const r of basisRows) {
    const list = r >= 0 ? model.bundle.neighbours[r] : undefined;
    if (!list) continue;
    for (let k = 0; k < list.items.length; k++) {
      const i = list.items[k]!;
      const s = list.scores[k]!;
      if (scores[i] === 0 && s > 0) touched.push(i);
      scores[i]! += s;
      if (s > best[i]!) {
        best[i] = s;
        via[i] = r;
      }
    }
  }
  return { scores, via, touched };
}

/** {@link neighbourScores} memoised on the query under `key`. */
export function memoNeighbourScores(
  query: RecommendationQuery,
  key: string,
  basisRows: () => readonly number[],
): NeighbourScores {
  const memoKey = `neighbours:${key}`;
  let v = query.memo.get(memoKey) as NeighbourScores | undefined;
  if (v === undefined) {
    v = neighbourScores(query.model, basisRows());
    query.memo.set(memoKey, v);
  }
  return v;
}

/**
 * The item-to-item feature's neighbour scores: from the user's recent items
 * (shared with the `itemToItem` source's memo), or, for a user with no
 * history, from the session items (shared with the `session` source's memo),
 * which then play the role of recent items.
 */
export function featureNeighbourScores(query: RecommendationQuery): NeighbourScores {
  if (query.recent.length > 0)
    return memoNeighbourScores(query, 'recent', () => query.recent.map((r) => r.row));
  return memoNeighbourScores(query, 'session', () => sessionRows(query));
}

/** Model rows of up to 20 session items (-1 for items the model does not know). */
export function sessionRows(query: RecommendationQuery): number[] {
  const index = query.model.bundle.itemIndex;
  return query.sessionItemIds.slice(0, 20).map((id) => index.get(id) ?? -1);
}
