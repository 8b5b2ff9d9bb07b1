import { describe, expect, it } from 'vitest';
import { buildUserStates } from '../../../models/pipeline/buildUserStates.js';
import { fitModels } from '../../../models/pipeline/fitModels.js';
import {
  generateCandidates,
  itemToItemScores,
  retrievalScores,
} from '../../../models/pipeline/generateCandidates.js';
import type { UserState } from '../../../models/pipeline/modelBundle.js';
import { DEFAULT_TRAIN_CONFIG } from '../../../models/pipeline/trainConfig.js';
import { handBundle, neighbourList, syntheticWorld } from './pipelineFixtures.js';

// y0 = [3, 4] (norm 5), y1 = [0, 2] (norm 2), y2 = [0, 0]; M = 5.
const FACTORS = Float32Array.of(3, 4, 0, 2, 0, 0);

function userState(seen: number[], recentItems: number[]): UserState {
  return {
    interactionCount: recentItems.length,
    categoryShare: new Map(),
    categoryLastSeen: new Map(),
    seen: new Set(seen),
    recentItems,
  };
}

describe('Candidates: retrievalScores', () => {
  it('gives x·y / (‖x‖·M) for each item (hand example)', () => {
    // x = [0, 2], ‖x‖ = 2: item 0: 8 / (2·5) = 0.8; item 1: 4 / 10 = 0.4; item 2 (zero factor): 0
    const s = retrievalScores(handBundle(FACTORS, 2), Float32Array.of(0, 2));
    expect(s.length).toBe(3);
    expect(s[0]).toBeCloseTo(0.8, 6);
    expect(s[1]).toBeCloseTo(0.4, 6);
    expect(s[2]).toBeCloseTo(0, 6);
  });

  it('does not depend on the length of the user vector', () => {
    // x = [−3, 0], ‖x‖ = 3: item 0: −9 / 15 = −0.6; item 1: 0
    const s = retrievalScores(handBundle(FACTORS, 2), Float32Array.of(-3, 0));
    expect(s[0]).toBeCloseTo(-0.6, 6);
    expect(s[1]).toBeCloseTo(0, 6);
  });

  it('is all NaN without a user vector or with a zero one', () => {
    const bundle = handBundle(FACTORS, 2);
    expect(Array.from(retrievalScores(bundle, null)).every(Number.isNaN)).toBe(true);
    expect(Array.from(retrievalScores(bundle, new Float32Array(2))).every(Number.isNaN)).toBe(true);
  });
});

describe('Candidates: itemToItemScores', () => {
  it("sums the neighbour similarities of the user's recent items", () => {
    // item 0 → (1: 0.5), (2: 0.25); item 1 → (2: 0.5). Recent [0, 1]: item 1 = 0.5, item 2 = 0.25 + 0.5 = 0.75
    const bundle = handBundle(FACTORS, 2, {
      neighbours: [
        neighbourList([
          [1, 0.5],
          [2, 0.25],
        ]),
        neighbourList([[2, 0.5]]),
        neighbourList([]),
      ],
    });
    const s = itemToItemScores(bundle, [0, 1]);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo(0.5, 6);
    expect(s[2]).toBeCloseTo(0.75, 6);
  });

  it('is all zero without recent items and skips recent items without a list', () => {
    const bundle = handBundle(FACTORS, 2);
    expect(Array.from(itemToItemScores(bundle, []))).toEqual([0, 0, 0]);
    expect(Array.from(itemToItemScores(bundle, [99]))).toEqual([0, 0, 0]);
  });
});

describe('Candidates: generateCandidates', () => {
  // 8 items; item 0 seen by the user, item 7 unavailable. Each source would pick one of them first.
  const bundle = handBundle(new Float32Array(16), 2, {
    neighbours: [
      neighbourList([
        [3, 0.6],
        [1, 0.5],
        [7, 0.9],
      ]),
      ...Array.from({ length: 7 }, () => neighbourList([])),
    ],
    popularity: Float32Array.of(100, 1, 2, 3, 50, 4, 5, 200),
    trend: Float32Array.of(9, 0, 0, 0, 0, 1, 7, 10),
    available: Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 0),
  });
  const retrieval = Float32Array.of(0.9, 0.8, 0.7, 0.1, 0, -0.1, -0.2, 0.95);
  const state = userState([0], [0]);

  it('takes the union of the embedding, item-to-item, popular and trending sources', () => {
    // embedding top 2 (skip 0 seen, 7 unavailable): 1, 2
    // item-to-item top 1 from item 0's list (skip 7): 3 (0.6)
    // popular top 1: 4 (50); trending top 1: 6 (7)
    const c = generateCandidates(bundle, state, retrieval, {
      embedding: 2,
      itemToItem: 1,
      popular: 1,
      trending: 1,
    });
    expect(Array.from(c.items)).toEqual([1, 2, 3, 4, 6]);
    const r = [0.8, 0.7, 0.1, 0, -0.2];
    r.forEach((v, k) => expect(c.retrieval[k]).toBeCloseTo(v, 6));
    const i2i = [0.5, 0, 0.6, 0, 0];
    i2i.forEach((v, k) => expect(c.itemToItem[k]).toBeCloseTo(v, 6));
  });

  it('de-duplicates items picked by several sources', () => {
    // embedding top 3: 1, 2, 3; item-to-item top 2: 3, 1; popular: 4; trending: 6
    const c = generateCandidates(bundle, state, retrieval, {
      embedding: 3,
      itemToItem: 2,
      popular: 1,
      trending: 1,
    });
    expect(Array.from(c.items)).toEqual([1, 2, 3, 4, 6]);
  });

  it('never proposes seen or unavailable items, however many are asked for', () => {
    const c = generateCandidates(bundle, state, retrieval, {
      embedding: 10,
      itemToItem: 10,
      popular: 10,
      trending: 10,
    });
    expect(Array.from(c.items).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('takes no item-to-item candidate with a zero score', () => {
    const c = generateCandidates(bundle, state, retrieval, {
      embedding: 0,
      itemToItem: 10,
      popular: 0,
      trending: 0,
    });
    expect(Array.from(c.items)).toEqual([3, 1]);
  });

  it('excludes only unavailable items for an unknown user', () => {
    // No state: nothing seen and no recent items. popular top 2 over available items: 0 (100), 4 (50)
    const c = generateCandidates(bundle, undefined, retrieval, {
      embedding: 0,
      itemToItem: 5,
      popular: 2,
      trending: 0,
    });
    expect(Array.from(c.items)).toEqual([0, 4]);
  });

  it('takes no embedding candidate when the retrieval scores are NaN (no user vector)', () => {
    const none = new Float32Array(8).fill(NaN);
    const c = generateCandidates(bundle, state, none, {
      embedding: 5,
      itemToItem: 0,
      popular: 0,
      trending: 1,
    });
    expect(Array.from(c.items)).toEqual([6]);
    expect(c.retrieval[0]).toBeNaN();
  });

  it('excludes seen and unavailable items for every user of a fitted bundle', () => {
    const { catalog, interactions: events } = syntheticWorld();
    const config = { ...DEFAULT_TRAIN_CONFIG, dimension: 4, epochs: 4, neighbours: 5 };
    const { bundle: fitted } = fitModels(events, catalog, config);
    const states = buildUserStates(events, fitted.itemIndex, catalog);
    const counts = { embedding: 3, itemToItem: 3, popular: 2, trending: 2 };
    for (const userId of fitted.userIds) {
      const u = fitted.userIndex.get(userId)!;
      const s = states.get(userId)!;
      const vector = fitted.userVectors.subarray(u * 4, u * 4 + 4);
      const c = generateCandidates(fitted, s, retrievalScores(fitted, vector), counts);
      const items = Array.from(c.items);
      expect(items.length).toBeGreaterThan(0);
      expect(new Set(items).size).toBe(items.length);
      expect(items.length).toBeLessThanOrEqual(3 + 3 + 2 + 2);
      for (const i of items) {
        expect(s.seen.has(i)).toBe(false);
        expect(fitted.available[i]).toBe(1);
      }
    }
  });
});
