import { describe, expect, it } from 'vitest';
import { topK } from '../../../../models/pipeline/topK.js';
import type { NeighbourScores } from '../../../../src/components/neighbourScores.js';
import type { RecommendationQuery } from '../../../../src/components/recommendationQuery.js';
import { topNeighbours } from '../../../../src/components/sources/itemToItemSource.js';
import { seedNeighboursSource } from '../../../../src/components/sources/seedNeighboursSource.js';
import { createRandom } from '../../../../src/domain/random.js';

describe('topNeighbours', () => {
  it('equals training’s topK over the non-excluded scores (ties in discovery order), with model rows, asking exclude lazily', () => {
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
          row: touched[k]!, // the hint: the item's row in the query's model
        }));
        expect(hits).toEqual(expected);
        expect(asked).toBeLessThanOrEqual(count);
      }
    }
  });
});

describe('seedNeighboursSource', () => {
  it("proposes the seed's neighbours best first, each with its model row, skipping excluded ones", async () => {
    const itemIds = ['s', 'a', 'b', 'c', 'd'];
    const q = {
      seedItemId: 's',
      sessionItemIds: ['c'],
      user: null,
      model: {
        bundle: {
          itemIds,
          itemIndex: new Map(itemIds.map((id, i) => [id, i])),
          neighbours: [
            { items: Int32Array.of(3, 1, 4, 2), scores: Float32Array.of(0.5, 0.25, 0.125, 0.0625) },
          ],
        },
      },
    } as unknown as RecommendationQuery;
    expect(await seedNeighboursSource.fetch(q, 2, new AbortController().signal)).toEqual([
      { itemId: 'a', score: 0.25, via: 's', row: 1 },
      { itemId: 'd', score: 0.125, via: 's', row: 4 },
    ]);
  });
});
