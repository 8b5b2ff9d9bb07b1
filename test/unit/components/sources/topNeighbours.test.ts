import { describe, expect, it } from 'vitest';
import { topK } from '../../../../models/pipeline/topK.js';
import type { NeighbourScores } from '../../../../src/components/neighbourScores.js';
import type { RecommendationQuery } from '../../../../src/components/recommendationQuery.js';
import { topNeighbours } from '../../../../src/components/sources/itemToItemSource.js';
import { createRandom } from '../../../../src/domain/random.js';

describe('topNeighbours', () => {
  it('equals training’s topK over the non-excluded scores (ties in discovery order), asking exclude lazily', () => {
    const random = createRandom(17);
    const itemIds = Array.from({ length: 300 }, (_, i) => `i${i}`);
    const q = { model: { bundle: { itemIds } } } as unknown as RecommendationQuery;
    for (let trial = 0; trial < 40; trial++) {
      const count = Math.floor(random.next() * 250);
      const touched = Array.from({ length: count }, () => Math.floor(random.next() * 300));
      // Few distinct values: many ties; an occasional non-finite score is skipped.
      const scores = touched.map(() =>
        random.next() < 0.02 ? NaN : Math.fround(Math.floor(random.next() * 8) / 8),
      );
      const via = touched.map((_, k) => (k % 5 === 0 ? -1 : (k * 7) % 300));
      const ns: NeighbourScores = { touched, scores, via, scoreOf: () => 0 };
      const excluded = new Set(itemIds.filter(() => random.next() < 0.3));
      let asked = 0;
      const exclude = (id: string): boolean => {
        asked++;
        return excluded.has(id);
      };
      for (const limit of [0, 1, 10, 300]) {
        asked = 0;
        const hits = topNeighbours(q, ns, limit, exclude);
        const expected = topK(scores, limit, (k) => excluded.has(itemIds[touched[k]!]!)).map((k) => ({
          itemId: itemIds[touched[k]!]!,
          score: scores[k]!,
          via: via[k]! >= 0 ? itemIds[via[k]!]! : null,
        }));
        expect(hits).toEqual(expected);
        expect(asked).toBeLessThanOrEqual(count);
      }
    }
  });
});
