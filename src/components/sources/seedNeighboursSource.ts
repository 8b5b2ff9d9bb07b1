import type { SourceHit } from '../../pipeline/candidate.js';
import type { CandidateSource } from '../../pipeline/candidateSource.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { userExclusion } from '../userExclusion.js';

/**
 * ITEM_TO_ITEM for `similar`: the seed item's co-occurrence neighbours, best
 * first; `via` is the seed, `row` the neighbour's model row (a row of
 * `q.model.bundle`). A seed the model does not know has none.
 */
export const seedNeighboursSource: CandidateSource<RecommendationQuery> = {
  name: 'seedNeighbours',
  kind: 'ITEM_TO_ITEM',
  param: 'itemToItem',
  usesSignal: false,
  async fetch(q, limit) {
    const seed = q.seedItemId;
    const row = seed === null ? undefined : q.model.bundle.itemIndex.get(seed);
    const list = row === undefined ? undefined : q.model.bundle.neighbours[row];
    if (seed === null || list === undefined) return [];
    const ids = q.model.bundle.itemIds;
    const exclude = userExclusion(q);
    const out: SourceHit[] = [];
    for (let k = 0; k < list.items.length && out.length < limit; k++) {
      const row = list.items[k]!;
      const id = ids.at(row)!;
      if (!exclude(id)) out.push({ itemId: id, score: list.scores[k]!, via: seed, row });
    }
    return out;
  },
};
