import { describe, expect, it } from 'vitest';
import { fitModels } from '../../../models/pipeline/fitModels.js';
import { DEFAULT_TRAIN_CONFIG } from '../../../models/pipeline/trainConfig.js';
import type { Interaction, InteractionType } from '../../../src/domain/interaction.js';
import { catalogItem, catalogOf, T0 } from './pipelineFixtures.js';

const DAY = 86_400_000;
const CONFIG = {
  ...DEFAULT_TRAIN_CONFIG,
  dimension: 3,
  epochs: 3,
  popularityHalfLifeDays: 2,
  trendingHalfLifeDays: 1,
};
// Items a..e; a has a creation time, d is never interacted with, e is unavailable.
const CATALOG = catalogOf([
  catalogItem('a', ['x'], { createdAt: T0 - 10 * DAY }),
  catalogItem('b', ['y']),
  catalogItem('c'),
  catalogItem('d'),
  catalogItem('e', [], { available: false }),
]);

function at(userId: string, itemId: string, day: number, type: InteractionType = 'CLICK'): Interaction {
  return { userId, itemId, timestamp: T0 + day * DAY, type, value: null };
}

const TRAIN = [
  at('u1', 'a', 0),
  at('u2', 'a', 2),
  at('u1', 'b', 2),
  at('u2', 'b', 3, 'DISLIKE'),
  at('u3', 'c', 4),
];

describe('Pipeline: fitModels', () => {
  const { bundle, ials } = fitModels(TRAIN, CATALOG, CONFIG);

  it('indexes every catalog item in catalog order and users in order of first positive event', () => {
    expect(bundle.itemIds).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(bundle.itemIndex.get('c')).toBe(2);
    expect(bundle.userIds).toEqual(['u1', 'u2', 'u3']);
    expect(bundle.userIndex.get('u3')).toBe(2);
  });

  it('measures from the last training interaction', () => {
    expect(bundle.referenceTime).toBe(T0 + 4 * DAY);
  });

  it('computes decayed popularity and trend over positive events only', () => {
    // reference day 4. popularity (half-life 2 d): a = 0.5^(4/2) + 0.5^(2/2) = 0.75; b = 0.5^(2/2) = 0.5
    // (its DISLIKE is left out); c = 1; d = e = 0.
    // trend (half-life 1 d): a = 0.5^4 + 0.5^2 = 0.3125; b = 0.5^2 = 0.25; c = 1.
    [0.75, 0.5, 1, 0, 0].forEach((v, i) => expect(bundle.popularity[i]).toBeCloseTo(v, 6));
    [0.3125, 0.25, 1, 0, 0].forEach((v, i) => expect(bundle.trend[i]).toBeCloseTo(v, 6));
    expect(Array.from(bundle.trainCounts)).toEqual([2, 1, 1, 0, 0]);
  });

  it('fills item states: catalog creation time, else first positive event, else null', () => {
    expect(bundle.itemState.map((s) => s.firstSeen)).toEqual([
      T0 - 10 * DAY,
      T0 + 2 * DAY,
      T0 + 4 * DAY,
      null,
      null,
    ]);
    expect(bundle.itemState[0]).toMatchObject({ categories: ['x'] });
    expect(bundle.itemState[0]!.popularity).toBeCloseTo(0.75, 6);
    expect(Array.from(bundle.available)).toEqual([1, 1, 1, 1, 0]);
  });

  it('stores d-dimensional factors and unit (d+1)-dimensional item vectors', () => {
    const d = CONFIG.dimension;
    expect(bundle.dimension).toBe(d);
    expect(ials.dimension).toBe(d);
    expect(bundle.itemFactors).toMatchObject({ dimension: d, stride: d, scale: 1, count: 5 });
    expect(bundle.itemFactors.values).toBe(ials.itemFactors);
    expect(bundle.userVectors.length).toBe(3 * d);
    expect(bundle.itemVectors.length).toBe(5 * (d + 1));
    for (let i = 0; i < 5; i++) {
      const row = bundle.itemVectors.subarray(i * (d + 1), (i + 1) * (d + 1));
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
  });

  it('gives an item without interactions a zero factor, hence the item vector [0…0, 1]', () => {
    const d = CONFIG.dimension;
    expect(Array.from(bundle.itemFactors.values.subarray(3 * d, 4 * d))).toEqual([0, 0, 0]);
    expect(Array.from(bundle.itemVectors.subarray(3 * (d + 1), 4 * (d + 1)))).toEqual([0, 0, 0, 1]);
  });

  it('has one neighbour list per item', () => {
    expect(bundle.neighbours.length).toBe(5);
  });

  it('logs the matrix size and one line per iALS epoch', () => {
    const lines: string[] = [];
    fitModels(TRAIN, CATALOG, CONFIG, (line) => lines.push(line));
    // 3 users × 5 items, 4 positive (user, item) pairs
    expect(lines[0]).toContain('3 users × 5 items, 4 entries, d=3');
    expect(lines.filter((l) => l.startsWith('iALS epoch')).length).toBe(3);
  });

  it('throws RangeError when no interaction is positive', () => {
    expect(() =>
      fitModels([at('u1', 'a', 0, 'DISLIKE'), at('u1', 'b', 1, 'DISMISS')], CATALOG, CONFIG),
    ).toThrow(RangeError);
  });
});
