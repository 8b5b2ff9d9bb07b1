import { describe, expect, it } from 'vitest';
import {
  RANKER_FEATURE_COUNT,
  RANKER_FEATURES,
  writeFeatureRow,
} from '../../../src/domain/rankerFeatures.js';
import type { ItemFeatureState, UserFeatureState } from '../../../src/domain/rankerFeatures.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1);
const F = RANKER_FEATURE_COUNT;

const USER: UserFeatureState = {
  interactionCount: 9,
  categoryShare: new Map([
    ['drama', 0.5],
    ['comedy', 0.25],
  ]),
  categoryLastSeen: new Map([
    ['drama', NOW - 9 * DAY],
    ['comedy', NOW - 2 * DAY],
  ]),
};

const ITEM: ItemFeatureState = {
  popularity: 3,
  trend: 1,
  firstSeen: NOW - 99 * DAY,
  categories: ['comedy', 'drama', 'horror'],
};

const EMPTY_USER: UserFeatureState = {
  interactionCount: 0,
  categoryShare: new Map(),
  categoryLastSeen: new Map(),
};

/** Writes one row into a NaN-filled buffer at offset F and returns [row, buffer]. */
function row(
  user: UserFeatureState,
  item: ItemFeatureState,
  scores: { retrieval: number | null; cosine: number | null; itemToItem: number },
): number[] {
  const out = new Float32Array(3 * F).fill(NaN);
  writeFeatureRow(out, F, user, item, scores, NOW);
  return Array.from(out.subarray(F, 2 * F));
}

describe('Domain: writeFeatureRow', () => {
  it('computes every column by hand for a known user and item', () => {
    // retrieval_score      0.4                      (as given)
    // embedding_cosine     0.8                      (as given)
    // item_to_item_score   ln(1 + 1.5) = 0.916291
    // popularity           ln(1 + 3)   = 1.386294
    // trend                ln(1 + 1)   = 0.693147
    // trend_ratio          0.693147 − 1.386294 = −0.693147
    // item_age_days        ln(1 + 99)  = 4.605170
    // user_activity        ln(1 + 9)   = 2.302585
    // category_affinity    max(share(comedy) 0.25, share(drama) 0.5; horror unknown) = 0.5
    // days_since_category  latest of comedy (2 d) and drama (9 d) → ln(1 + 2) = 1.098612
    const expected = [0.4, 0.8, 0.916291, 1.386294, 0.693147, -0.693147, 4.60517, 2.302585, 0.5, 1.098612];
    const got = row(USER, ITEM, { retrieval: 0.4, cosine: 0.8, itemToItem: 1.5 });
    expect(got.length).toBe(expected.length);
    expected.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 5));
  });

  it('writes exactly RANKER_FEATURE_COUNT values at the offset and nothing else', () => {
    const out = new Float32Array(3 * F).fill(NaN);
    writeFeatureRow(out, F, USER, ITEM, { retrieval: 0.4, cosine: 0.8, itemToItem: 1.5 }, NOW);
    for (let k = 0; k < 3 * F; k++) {
      if (k >= F && k < 2 * F) expect(Number.isFinite(out[k]!)).toBe(true);
      else expect(out[k]).toBeNaN();
    }
  });

  it('uses the defaults without a retrieval score, a first-seen time or categories', () => {
    // retrieval/cosine default 0; item_to_item ln(1 + 0) = 0; popularity = trend = 0 → ratio 0;
    // item_age_days default ln(1 + 365) = 5.902633; user_activity ln(1) = 0;
    // category_affinity default 0; days_since_category default ln(1 + 3650) = 8.202756
    const got = row(
      EMPTY_USER,
      { popularity: 0, trend: 0, firstSeen: null, categories: [] },
      { retrieval: null, cosine: null, itemToItem: 0 },
    );
    const expected = [0, 0, 0, 0, 0, 0, 5.902633, 0, 0, 8.202756];
    expected.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 5));
  });

  it("uses the category defaults when none of the item's categories is known to the user", () => {
    const got = row(
      USER,
      { ...ITEM, categories: ['horror'] },
      { retrieval: 0.4, cosine: 0.8, itemToItem: 0 },
    );
    expect(got[8]).toBe(0);
    expect(got[9]).toBeCloseTo(8.202756, 5);
  });

  it('replaces non-finite inputs by the feature defaults', () => {
    const got = row(
      {
        interactionCount: NaN,
        categoryShare: new Map([['a', NaN]]),
        categoryLastSeen: new Map([['a', NaN]]),
      },
      { popularity: Infinity, trend: NaN, firstSeen: NaN, categories: ['a'] },
      { retrieval: NaN, cosine: Infinity, itemToItem: NaN },
    );
    // popularity +∞ and trend NaN give non-finite logs and ratio; every column falls back.
    const expected = [0, 0, 0, 0, 0, 0, 5.902633, 0, 0, 8.202756];
    expected.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 5));
    for (const v of got) expect(Number.isFinite(v)).toBe(true);
  });

  it('clamps ages in the future and negative counts to 0', () => {
    // firstSeen and the category's last interaction one day after `now`: ages ln(1 + 0) = 0.
    // Negative popularity/trend/count/item-to-item are clamped before the log: ln(1 + 0) = 0.
    const got = row(
      {
        interactionCount: -3,
        categoryShare: new Map([['a', 0.2]]),
        categoryLastSeen: new Map([['a', NOW + DAY]]),
      },
      { popularity: -1, trend: -1, firstSeen: NOW + DAY, categories: ['a'] },
      { retrieval: -0.5, cosine: -0.25, itemToItem: -2 },
    );
    const expected = [-0.5, -0.25, 0, 0, 0, 0, 0, 0, 0.2, 0];
    expected.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 6));
  });

  it('measures ages in fractional days', () => {
    // firstSeen 12 h ago: ln(1 + 0.5) = 0.405465; 30 days ago: ln(31) = 3.433987
    expect(
      row(USER, { ...ITEM, firstSeen: NOW - DAY / 2 }, { retrieval: 0, cosine: 0, itemToItem: 0 })[6],
    ).toBeCloseTo(0.405465, 5);
    expect(
      row(USER, { ...ITEM, firstSeen: NOW - 30 * DAY }, { retrieval: 0, cosine: 0, itemToItem: 0 })[6],
    ).toBeCloseTo(3.433987, 5);
  });
});

describe('Domain: writeFeatureRow, the log columns', () => {
  it('are bit for bit log1p(max(0, x)) for zeros, −0, negatives, NaN, infinities and ordinary values, the user count changing or not between rows', () => {
    const values = [0, -0, -3, 1e-300, 0.5, 7, 1e12, NaN, Infinity, -Infinity];
    const want = (x: number): number => {
      const v = Math.fround(Math.log1p(Math.max(0, x)));
      return Number.isFinite(v) ? v : NaN; // NaN: the writer falls back to the default, checked below
    };
    const out = new Float32Array(F);
    for (const count of [...values, 3, 3, 0, 0]) {
      for (const x of values) {
        const user = { ...USER, interactionCount: count };
        const item = { ...ITEM, popularity: x, trend: x === 7 ? 0 : x };
        writeFeatureRow(out, 0, user, item, { retrieval: null, cosine: null, itemToItem: x }, NOW);
        const expected: [number, number, number][] = [
          [2, x, RANKER_FEATURES[2]!.default],
          [3, x, RANKER_FEATURES[3]!.default],
          [4, item.trend, RANKER_FEATURES[4]!.default],
          [7, count, RANKER_FEATURES[7]!.default],
        ];
        for (const [column, input, fallback] of expected) {
          const w = want(input);
          const value = Number.isNaN(w) ? Math.fround(fallback) : w;
          expect(Object.is(out[column], value), `column ${column}, input ${input}, count ${count}`).toBe(
            true,
          );
        }
      }
    }
  });
});

describe('Domain: RANKER_FEATURES', () => {
  it('has one spec per column, in the order writeFeatureRow writes them', () => {
    expect(RANKER_FEATURE_COUNT).toBe(RANKER_FEATURES.length);
    expect(RANKER_FEATURES.map((f) => f.name)).toEqual([
      'retrieval_score',
      'embedding_cosine',
      'item_to_item_score',
      'popularity',
      'trend',
      'trend_ratio',
      'item_age_days',
      'user_activity',
      'category_affinity',
      'days_since_category',
    ]);
  });

  it('gives every feature a unique snake_case name, float32 type, a description and a finite default', () => {
    const names = RANKER_FEATURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of RANKER_FEATURES) {
      expect(f.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(f.dtype).toBe('float32');
      expect(f.description.trim().length).toBeGreaterThan(10);
      expect(Number.isFinite(f.default)).toBe(true);
    }
  });

  it('documents the defaults the row writer uses: 1 year of item age, 10 years since a category', () => {
    const byName = new Map(RANKER_FEATURES.map((f) => [f.name, f.default]));
    expect(byName.get('item_age_days')).toBeCloseTo(5.902633, 5); // ln(1 + 365)
    expect(byName.get('days_since_category')).toBeCloseTo(8.202756, 5); // ln(1 + 3650)
  });
});
