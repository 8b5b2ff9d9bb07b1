import type { ServedModel } from '../inference/servedModel.js';
import type { RecommendationQuery } from './recommendationQuery.js';

/**
 * Item-based CF scores from a basis of items (Sarwar et al. 2001): for every
 * model item, the sum of neighbour similarities from the basis items — the
 * same sum training's `itemToItemScores` computes. Sparse: only the rows some
 * basis item points to are stored (at most basis × list length), so the cost
 * does not grow with the catalog.
 * - `touched`: rows with a positive score, in discovery order;
 * - `scores[k]` / `via[k]`: the sum for `touched[k]`, and the basis row
 *   contributing its largest single similarity;
 * - `scoreOf(row)`: the sum for any model row (0 when no basis item points to it).
 */
export interface NeighbourScores {
  readonly touched: readonly number[];
  readonly scores: readonly number[];
  readonly via: readonly number[];
  scoreOf(row: number): number;
}

/** Computes {@link NeighbourScores} over `basisRows` (model rows; negatives are skipped). O(basis·topN). */
export function neighbourScores(model: ServedModel, basisRows: readonly number[]): NeighbourScores {
  const slot = new Map<number, number>();
  const touched: number[] = [];
  const scores: number[] = [];
  const best: number[] = [];
  const via: number[] = [];
  for (const r of basisRows) {
    const list = r >= 0 ? model.bundle.neighbours[r] : undefined;
    if (!list) continue;
    for (let k = 0; k < list.items.length; k++) {
      const i = list.items[k]!;
      const s = list.scores[k]!;
      let at = slot.get(i);
      if (at === undefined) {
        if (!(s > 0)) continue;
        at = touched.length;
        slot.set(i, at);
        touched.push(i);
        scores.push(0);
        best.push(0);
        via.push(-1);
      }
      // Summed in float32, as the dense Float32Array of training's scores does.
      scores[at] = Math.fround(scores[at]! + s);
      if (s > best[at]!) {
        best[at] = s;
        via[at] = r;
      }
    }
  }
  return {
    touched,
    scores,
    via,
    scoreOf: (row) => {
      const at = slot.get(row);
      return at === undefined ? 0 : scores[at]!;
    },
  };
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
