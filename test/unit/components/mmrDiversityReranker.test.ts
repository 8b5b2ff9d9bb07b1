import { describe, expect, it } from 'vitest';
import type { RecommendationQuery } from '../../../src/components/recommendationQuery.js';
import {
  mmrDiversityReranker,
  writeUnitRow,
} from '../../../src/components/rerankers/mmrDiversityReranker.js';
import { addSourceHit } from '../../../src/pipeline/candidate.js';
import { createFeatureMatrix } from '../../../src/pipeline/featureMatrix.js';
import type { RankedList } from '../../../src/pipeline/rankedList.js';
import { denseFactorRows, factorRowsOfVectors } from '../../../src/domain/factorRows.js';
import { mipsToCosine } from '../../../src/domain/mipsToCosine.js';
import { createRandom } from '../../../src/domain/random.js';

describe('Re-ranker: MMR diversity, unit item rows', () => {
  it('normalises the hand example y = [3, 4] to [0.6, 0.8] and keeps a zero row zero', () => {
    const rows = denseFactorRows(Float32Array.of(3, 4, 0, 0), 2);
    const out = new Float32Array(5).fill(9);
    writeUnitRow(rows, 0, out, 1);
    writeUnitRow(rows, 1, out, 3);
    expect(Array.from(out)).toEqual([9, Math.fround(0.6), Math.fround(0.8), 0, 0]);
  });

  it('through the served view (item vectors, scale M) equal the raw-factor unit rows within 4·2⁻²⁴', () => {
    // v = fl32(y/M) = y·(1 + δ)/M with |δ| ≤ 2⁻²⁴ per component, so v/‖v‖ is within 2·2⁻²⁴ of
    // y/‖y‖ (in the 2-norm, hence per component); both are then rounded to float32 (components
    // ≤ 1: at most 2⁻²⁴ each). M itself cancels in the normalisation.
    const random = createRandom(4);
    const n = 50;
    const d = 16;
    const factors = Float32Array.from(
      { length: n * d },
      () => random.normal() * (random.next() < 0.5 ? 0.1 : 2),
    );
    factors.fill(0, 7 * d, 8 * d); // a zero item
    const { vectors, maxNorm } = mipsToCosine(factors, n, d);
    const raw = new Float32Array(n * d);
    const served = new Float32Array(n * d);
    const view = factorRowsOfVectors(vectors, d, maxNorm);
    for (let i = 0; i < n; i++) {
      writeUnitRow(denseFactorRows(factors, d), i, raw, i * d);
      writeUnitRow(view, i, served, i * d);
    }
    for (let k = 0; k < n * d; k++) expect(Math.abs(served[k]! - raw[k]!)).toBeLessThanOrEqual(4 * 2 ** -24);
    expect(Array.from(served.subarray(7 * d, 8 * d))).toEqual(new Array<number>(d).fill(0));
  });
});

describe('Re-ranker: MMR diversity, model rows without the hydrator’s', () => {
  it("reads hinted candidates' rows without a lookup, looks up the others, and orders as without hints", async () => {
    const random = createRandom(8);
    const n = 30;
    const d = 4;
    const itemIds = Array.from({ length: n }, (_, i) => `i${i}`);
    const asked: string[] = [];
    const index = new Map(itemIds.map((id, i) => [id, i]));
    const itemIndex = { size: index.size, get: (id: string) => (asked.push(id), index.get(id)) };
    const factors = Float32Array.from({ length: n * d }, () => random.normal());
    const q = {
      params: { mmrLambda: 0.5 },
      env: { settings: { mmrWindow: 20 } },
      model: { bundle: { itemIds, itemIndex, dimension: d, itemFactors: denseFactorRows(factors, d) } },
      rows: null, // no hydrator ran
    } as unknown as RecommendationQuery;
    const scores = Float64Array.from({ length: n }, () => random.next());
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
    const orders: number[][] = [];
    // No hints; valid hints; wrong hints on every other candidate (another item's row, out of range).
    for (const hint of [
      (): undefined => undefined,
      (i: number) => i,
      (i: number) => (i % 2 === 0 ? i : i % 4 === 1 ? (i + 1) % n : n + i),
    ]) {
      asked.length = 0;
      const candidates = itemIds.map((itemId, i) => {
        const row = hint(i);
        return addSourceHit(
          undefined,
          'ITEM_TO_ITEM',
          row === undefined ? { itemId, score: 1 } : { itemId, score: 1, row },
          i,
        );
      });
      const list: RankedList = {
        candidates,
        features: createFeatureMatrix(n, 0),
        order: order.slice(),
        scores,
      };
      await mmrDiversityReranker.rerank(q, list);
      orders.push(list.order);
      const window = order.slice(0, 20);
      const lookedUp = window.filter((i) => candidates[i]!.row !== i).map((i) => itemIds[i]!);
      expect(asked).toEqual(lookedUp);
    }
    expect(orders[0]).not.toEqual(order); // MMR moved something
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  });
});
