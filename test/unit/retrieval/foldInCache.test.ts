import { describe, expect, it } from 'vitest';
import { createFoldInModel, foldInUser } from '../../../models/retrieval/foldIn.js';
import type { FoldInModel } from '../../../models/retrieval/foldIn.js';
import {
  FoldInCache,
  MAX_FACTOR_CHANGES,
  MAX_RANK_ONE_UPDATES,
} from '../../../models/retrieval/foldInCache.js';
import { factorRowsOfVectors } from '../../../src/domain/factorRows.js';
import type { FactorRows } from '../../../src/domain/factorRows.js';
import { mipsToCosine } from '../../../src/domain/mipsToCosine.js';
import { createRandom } from '../../../src/domain/random.js';
import { halfFactorFixture } from '../../support/halfFactorRows.js';

// d = 1 item factors y = [2, 1, −1]: YᵀY = 6 (as in foldIn.test.ts).
const Y1 = Float32Array.of(2, 1, -1);
const PLAIN = { regularization: 0.5, regularizationExponent: 0, alpha: 1 };

function randomModel(nItems: number, d: number, nu: number): FoldInModel {
  const random = createRandom(11 * d + nu);
  const factors = Float32Array.from({ length: nItems * d }, () => random.normal() * 0.3);
  return createFoldInModel(factors, d, { regularization: 0.05, regularizationExponent: nu, alpha: 4 });
}

/** {@link randomModel}'s factors read as served: through their MIPS-to-cosine vectors (stride d + 1, scale M). */
function servedModel(nItems: number, d: number, nu: number): FoldInModel {
  const random = createRandom(11 * d + nu);
  const factors = Float32Array.from({ length: nItems * d }, () => random.normal() * 0.3);
  const { vectors, maxNorm } = mipsToCosine(factors, nItems, d);
  const rows = factorRowsOfVectors(vectors, d, maxNorm);
  return createFoldInModel(rows, d, { regularization: 0.05, regularizationExponent: nu, alpha: 4 });
}

/** Largest |a − b| relative to the largest |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let p = 0; p < b.length; p++) {
    err = Math.max(err, Math.abs(a[p]! - b[p]!));
    scale = Math.max(scale, Math.abs(b[p]!));
  }
  return err / scale;
}

describe('FoldInCache', () => {
  it('solves the d = 1 fold-in by hand, then updates it by one item incrementally', () => {
    const model = createFoldInModel(Y1, 1, PLAIN);
    const cache = new FoldInCache(model);
    // items [0], w = 1: A = 6 + 0.5 + 1·1·2² = 10.5; b = 2·2 = 4; x = 8/21.
    const x1 = cache.foldIn('u', [0], [1], null);
    expect(x1[0]).toBeCloseTo(8 / 21, 6);
    // + item 1, w = 1 (rank-one term 1·1·1² and b term 2·1):
    // A = 10.5 + 1 = 11.5; b = 4 + 2 = 6; x = 6 / 11.5 = 0.521739.
    const x2 = cache.foldIn('u', [0, 1], [1, 1], x1);
    expect(x2[0]).toBeCloseTo(6 / 11.5, 6);
    expect(cache.stats).toEqual({ fresh: 1, incremental: 1 });
    // − item 0 (w = 1 leaves): A = 11.5 − 4 = 7.5; b = 6 − 4 = 2; x = 2/7.5.
    // That changes 1 of 1 items (more than half): accumulated from scratch instead.
    const x3 = cache.foldIn('u', [1], [1], x2);
    expect(x3[0]).toBeCloseTo(2 / 7.5, 6);
    expect(cache.stats).toEqual({ fresh: 2, incremental: 1 });
  });

  // Dense factors (training) and the server's view through the item vectors (stride d + 1, scale M).
  const FACTORIES = [
    ['dense factors', randomModel],
    ['the served view', servedModel],
  ] as const;

  it.each(
    FACTORIES.flatMap(([name, make]) => [10, 40, 80].map((n) => ({ name, make, n, nu: n > 10 ? 1 : 0 }))),
  )(
    'from scratch gives bitwise the vector of foldInUser, on $name ($n items, ν = $nu)',
    ({ make, n, nu }) => {
      const model = make(300, 16, nu);
      const random = createRandom(n);
      const items = Array.from({ length: n }, () => Math.floor(random.next() * 300));
      const weights = items.map(() => [0.5, 1, 2, 3][Math.floor(random.next() * 4)]!);
      const cache = new FoldInCache(model);
      expect(Array.from(cache.foldIn('u', items, weights, null))).toEqual(
        Array.from(foldInUser(model, items, weights)),
      );
    },
  );

  it.each(FACTORIES.flatMap(([name, make]) => [0, 1].map((nu) => ({ name, make, nu }))))(
    'after many incremental updates (items joining, leaving, weights changing) stays within 1e-6 of foldInUser, on $name (ν = $nu)',
    ({ make, nu }) => {
      const model = make(500, 32, nu);
      const random = createRandom(99 + nu);
      const cache = new FoldInCache(model);
      let items = Array.from({ length: 40 }, () => Math.floor(random.next() * 500));
      let weights = items.map(() => 1);
      let vector: Float32Array | null = null;
      for (let step = 0; step < 300; step++) {
        // A new event first, the oldest drops off (a history of 40), sometimes a repeat.
        const item = random.next() < 0.2 ? items[5]! : Math.floor(random.next() * 500);
        items = [item, ...items.slice(0, 39)];
        weights = [[0.5, 1, 2, 3][step % 4]!, ...weights.slice(0, 39)];
        vector = cache.foldIn('u', items, weights, vector);
        expect(relativeError(vector, foldInUser(model, items, weights))).toBeLessThan(1e-6);
      }
      // Mostly incremental; recomputed from scratch at least every MAX_RANK_ONE_UPDATES changes.
      expect(cache.stats.incremental).toBeGreaterThan(200);
      expect(cache.solves.updated).toBeGreaterThan(0); // the factor's rank-one path ran too
      expect(cache.stats.fresh).toBeGreaterThanOrEqual(Math.floor((2 * 300) / MAX_RANK_ONE_UPDATES));
    },
  );

  it.each([0, 1])(
    'solves by the updated Cholesky factor on random histories (ν = %i) within 1e-6 of foldInUser, and of the full solve',
    (nu) => {
      // A catalog large next to α·n, as served models are: λ_u moves little, and often not at all.
      const model = randomModel(2000, 24, nu);
      const random = createRandom(7 + nu);
      const cache = new FoldInCache(model);
      const users = ['a', 'b', 'c'];
      const items = users.map(() => Array.from({ length: 30 }, () => Math.floor(random.next() * 60)));
      const weights = items.map((list) => list.map(() => 1));
      const vectors: (Float32Array | null)[] = users.map(() => null);
      for (let step = 0; step < 600; step++) {
        const u = step % users.length;
        // A new event (often a repeat of an item: weight changes, updates and downdates), the oldest drops off.
        items[u] = [Math.floor(random.next() * 60), ...items[u]!.slice(0, 29)];
        weights[u] = [[0.5, 1, 2, 3][Math.floor(random.next() * 4)]!, ...weights[u]!.slice(0, 29)];
        vectors[u] = cache.foldIn(users[u]!, items[u]!, weights[u]!, vectors[u]!);
        expect(relativeError(vectors[u]!, foldInUser(model, items[u]!, weights[u]!))).toBeLessThan(1e-6);
      }
      // Most solves went through the updated factor; the rest factored M again.
      expect(cache.solves.updated).toBeGreaterThan(300);
      expect(cache.solves.updated + cache.solves.factored).toBe(600);
    },
  );

  it('factors M again when a downdate cancels most of a pivot (d = 1 by hand)', () => {
    const model = createFoldInModel(Y1, 1, PLAIN);
    const cache = new FoldInCache(model);
    // M = 6 + 0.5 + 1·10⁴·2² + 1·1·1² = 40007.5; b = (1 + 10⁴)·2 + 2·1.
    const x = cache.foldIn('u', [0, 1], [1e4, 1], null);
    expect(x[0]).toBeCloseTo(20004 / 40007.5, 6);
    // w₀ → 1: the downdate leaves 11.5 of 40007.5 (under DOWNDATE_MIN_RATIO): factored again.
    // M = 6.5 + 4 + 1 = 11.5; b = 4 + 2 = 6.
    const y = cache.foldIn('u', [0, 1], [1, 1], x);
    expect(y[0]).toBeCloseTo(6 / 11.5, 6);
    expect(cache.stats).toEqual({ fresh: 1, incremental: 1 });
    expect(cache.solves).toEqual({ updated: 0, factored: 2 });
  });

  it('factors M again when more than MAX_FACTOR_CHANGES items changed, with the same result', () => {
    const model = randomModel(300, 8, 0);
    const cache = new FoldInCache(model);
    const items = Array.from({ length: 20 }, (_, k) => k);
    const x = cache.foldIn(
      'u',
      items,
      items.map(() => 1),
      null,
    );
    expect(cache.solves).toEqual({ updated: 0, factored: 1 });
    const few = items.map((_, k) => (k < MAX_FACTOR_CHANGES ? 2 : 1));
    const y = cache.foldIn('u', items, few, x);
    expect(cache.solves).toEqual({ updated: 1, factored: 1 });
    expect(relativeError(y, foldInUser(model, items, few))).toBeLessThan(1e-6);
    const many = items.map((_, k) => (k <= MAX_FACTOR_CHANGES ? 3 : 1));
    const z = cache.foldIn('u', items, many, y);
    expect(cache.stats).toEqual({ fresh: 1, incremental: 2 });
    expect(cache.solves).toEqual({ updated: 1, factored: 2 });
    expect(relativeError(z, foldInUser(model, items, many))).toBeLessThan(1e-6);
  });

  it('starts from scratch when the current vector is not the one it returned last', () => {
    const model = randomModel(100, 8, 1);
    const cache = new FoldInCache(model);
    const x = cache.foldIn('u', [1, 2, 3, 4], [1, 1, 1, 1], null);
    const other = x.slice();
    other[0] = other[0]! + 1e-3;
    const y = cache.foldIn('u', [1, 2, 3, 4, 5], [1, 1, 1, 1, 2], other);
    expect(cache.stats).toEqual({ fresh: 2, incremental: 0 });
    expect(Array.from(y)).toEqual(Array.from(foldInUser(model, [1, 2, 3, 4, 5], [1, 1, 1, 1, 2])));
    cache.foldIn('u', [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 2, 1], y);
    expect(cache.stats).toEqual({ fresh: 2, incremental: 1 });
  });

  it('keeps at most maxEntries users, evicting the least recently used', () => {
    const model = randomModel(100, 8, 0);
    const cache = new FoldInCache(model, 2);
    const a = cache.foldIn('a', [1, 2, 3], [1, 1, 1], null);
    const b = cache.foldIn('b', [1, 2, 3], [1, 1, 1], null);
    cache.foldIn('a', [1, 2, 3, 4], [1, 1, 1, 1], a); // a is now the most recent
    cache.foldIn('c', [1, 2, 3], [1, 1, 1], null); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.stats).toEqual({ fresh: 3, incremental: 1 });
    cache.foldIn('b', [1, 2, 3, 4], [1, 1, 1, 1], b);
    expect(cache.stats).toEqual({ fresh: 4, incremental: 1 });
  });

  it('returns zeros without a positive weight, and rejects bad input like foldInUser', () => {
    const model = createFoldInModel(Y1, 1, PLAIN);
    const cache = new FoldInCache(model);
    expect(Array.from(cache.foldIn('u', [0, 1], [0, -1], null))).toEqual([0]);
    expect(() => cache.foldIn('u', [3], [1], null)).toThrow(RangeError);
    expect(() => cache.foldIn('u', [0], [], null)).toThrow(RangeError);
    expect(() => new FoldInCache(model, 0)).toThrow(RangeError);
  });

  describe('through the served view of Y in the item vectors (FactorRows: stride d + 1, scale M)', () => {
    it('updates the d = 1 hand case incrementally through stride 2, scale 2, bit for bit as on dense factors', () => {
      // Y1 = 2·[1, 0.5, −0.5], a pad value after each row: a power-of-two scale keeps every
      // product exact, so each step equals the dense cache's (and the hand values above).
      const rows: FactorRows = {
        values: Float32Array.of(1, 99, 0.5, 99, -0.5, 99),
        dimension: 1,
        stride: 2,
        scale: 2,
        count: 3,
      };
      const view = new FoldInCache(createFoldInModel(rows, 1, PLAIN));
      const dense = new FoldInCache(createFoldInModel(Y1, 1, PLAIN));
      const steps: [number[], number[]][] = [
        [[0], [1]],
        [
          [0, 1],
          [1, 1],
        ],
        [
          [0, 1, 2],
          [1, 1, 2],
        ],
        [[1], [1]],
      ];
      let a: Float32Array | null = null;
      let b: Float32Array | null = null;
      for (const [items, weights] of steps) {
        a = view.foldIn('u', items, weights, a);
        b = dense.foldIn('u', items, weights, b);
        expect(Array.from(a)).toEqual(Array.from(b));
      }
      expect(view.stats).toEqual(dense.stats);
      expect(view.solves).toEqual(dense.solves);
      expect(view.stats.incremental).toBeGreaterThan(0);
      expect(view.solves.updated).toBeGreaterThan(0); // the factor's rank-one path read the view too
      expect(a![0]).toBeCloseTo(2 / 7.5, 6);
    });
  });
});

describe('FoldInCache through half-precision item vectors (RECGATE_VECTOR_PRECISION=float16)', () => {
  it('updates incrementally bit for bit as on float32 vectors holding the decoded values', () => {
    const d = 6;
    const { maxNorm, halves, decoded } = halfFactorFixture(31, 200, d);
    const settings = { regularization: 0.05, regularizationExponent: 1, alpha: 4 };
    const float = createFoldInModel(factorRowsOfVectors(decoded, d, maxNorm), d, settings);
    // The same Gram matrix for both, so every difference would come from reading the rows.
    const half = {
      ...createFoldInModel(factorRowsOfVectors(halves, d, maxNorm), d, settings),
      gram: float.gram,
    };
    const a = new FoldInCache(half);
    const b = new FoldInCache(float);
    let items = [1, 2, 3, 4, 5, 6, 7, 8];
    let x: Float32Array | null = null;
    let y: Float32Array | null = null;
    for (let step = 0; step < 6; step++) {
      const weights = items.map((_, k) => 1 + ((k + step) % 3));
      x = a.foldIn('u', items, weights, x);
      y = b.foldIn('u', items, weights, y);
      expect(Array.from(x)).toEqual(Array.from(y));
      items = [...items.slice(1), 20 + step * 7];
    }
    expect(a.stats).toEqual(b.stats);
    expect(a.stats.incremental).toBeGreaterThan(0);
  });
});
