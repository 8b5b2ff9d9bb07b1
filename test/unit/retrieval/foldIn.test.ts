import { describe, expect, it } from 'vitest';
import { denseFactorRows, factorRowsOfVectors } from '../../../src/domain/factorRows.js';
import { mipsToCosine } from '../../../src/domain/mipsToCosine.js';
import { halfFactorFixture } from '../../support/halfFactorRows.js';
import { createRandom } from '../../../src/domain/random.js';
import { createFoldInModel, foldInUser, registerItemGram } from '../../../models/retrieval/foldIn.js';
import type { FoldInModel } from '../../../models/retrieval/foldIn.js';
import { buildImplicitMatrix } from '../../../models/retrieval/implicitMatrix.js';
import type { ImplicitMatrix, MatrixEntry } from '../../../models/retrieval/implicitMatrix.js';
import {
  gramEigen,
  gramMatrix,
  rowRegularization,
  solveRow,
  trainIals,
} from '../../../models/retrieval/trainIals.js';

// d = 1 item factors y = [2, 1, −1]: YᵀY = 4 + 1 + 1 = 6.
const Y1 = Float32Array.of(2, 1, -1);
const PLAIN = { regularization: 0.5, regularizationExponent: 0, alpha: 1 };

/** Block matrix of trainIals.test.ts with weight 2 on each user's first item. */
function blockMatrix(): ImplicitMatrix {
  const entries: MatrixEntry[] = [];
  for (let u = 0; u < 10; u++) {
    const base = u < 5 ? 0 : 5;
    for (let k = 0; k < 3; k++) {
      entries.push({ user: u, item: base + (((u % 5) + k) % 5), weight: k === 0 ? 2 : 1 });
    }
  }
  return buildImplicitMatrix(entries, 10, 10);
}

function userRow(m: ImplicitMatrix, u: number): { items: number[]; weights: number[] } {
  const from = m.userPtr[u]!;
  const to = m.userPtr[u + 1]!;
  return {
    items: Array.from(m.userItems.subarray(from, to)),
    weights: Array.from(m.userWeights.subarray(from, to)),
  };
}

describe('iALS: createFoldInModel', () => {
  it('precomputes the Gram matrix of the item factors', () => {
    const model = createFoldInModel(Y1, 1, PLAIN);
    expect(Array.from(model.gram)).toEqual([6]);
    expect(model).toMatchObject({ dimension: 1, regularization: 0.5, regularizationExponent: 0, alpha: 1 });
  });

  it('uses the Gram matrix registered for the same factor array instead of recomputing it', () => {
    const factors = Float32Array.of(2, 1, -1);
    // A deliberately different registered value shows which one is used.
    registerItemGram(factors, Float64Array.of(42));
    expect(Array.from(createFoldInModel(factors, 1, PLAIN).gram)).toEqual([42]);
    // Another array with the same values is not affected.
    expect(Array.from(createFoldInModel(Float32Array.of(2, 1, -1), 1, PLAIN).gram)).toEqual([6]);
    // A registered Gram of another dimension is ignored: d = 3 computes its own 3×3.
    expect(createFoldInModel(factors, 3, PLAIN).gram.length).toBe(9);
  });

  it('refuses to register a Gram matrix that is not square', () => {
    expect(() => registerItemGram(Float32Array.of(1, 2), Float64Array.of(1, 2))).toThrow(RangeError);
  });

  it('throws RangeError when the factor length is not a multiple of d', () => {
    expect(() => createFoldInModel(Float32Array.of(1, 2, 3), 2, PLAIN)).toThrow(RangeError);
  });
});

describe('iALS: foldInUser', () => {
  it('solves the d = 1 user step by hand', () => {
    // items [0], w = 1, λ = 0.5, α = 1: A = 6 + 0.5 + 1·1·2² = 10.5; b = (1 + 1)·2 = 4
    // x = 4 / 10.5 = 8/21 = 0.380952
    const x = foldInUser(createFoldInModel(Y1, 1, PLAIN), [0], [1]);
    expect(x).toBeInstanceOf(Float32Array);
    expect(x.length).toBe(1);
    expect(x[0]).toBeCloseTo(0.380952, 5);
  });

  it('uses the frequency-scaled λ·(α·n + nItems)^ν when ν = 1', () => {
    // λ_row = 0.5·(1·1 + 3) = 2; A = 6 + 2 + 4 = 12; b = 4; x = 1/3
    const x = foldInUser(createFoldInModel(Y1, 1, { ...PLAIN, regularizationExponent: 1 }), [0], [1]);
    expect(x[0]).toBeCloseTo(0.333333, 5);
  });

  it('merges duplicate items by summing their weights', () => {
    // items [0, 0], weights [1, 2] → one entry with w = 3:
    // A = 6.5 + 3·4 = 18.5; b = (1 + 3)·2 = 8; x = 8 / 18.5 = 16/37 = 0.432432
    // (two separate entries would give b = 2·2 + 3·2 = 10 and x = 0.540541)
    const x = foldInUser(createFoldInModel(Y1, 1, PLAIN), [0, 0], [1, 2]);
    expect(x[0]).toBeCloseTo(0.432432, 5);
  });

  it('counts merged duplicates once in the frequency-scaled λ', () => {
    // ν = 1, n = 1 distinct item: λ_row = 0.5·(1 + 3) = 2; A = 6 + 2 + 3·4 = 20; b = 8; x = 0.4
    const x = foldInUser(createFoldInModel(Y1, 1, { ...PLAIN, regularizationExponent: 1 }), [0, 0], [1, 2]);
    expect(x[0]).toBeCloseTo(0.4, 5);
  });

  it('skips items with a zero, negative or non-finite weight', () => {
    // Only item 0 (w = 1) counts: the hand value 8/21 of the first case.
    const x = foldInUser(createFoldInModel(Y1, 1, PLAIN), [0, 1, 2, 1], [1, 0, -2, NaN]);
    expect(x[0]).toBeCloseTo(0.380952, 5);
  });

  it('returns the zero vector for no items or only non-positive weights', () => {
    const model = createFoldInModel(Float32Array.of(1, 0, 0, 1), 2, PLAIN);
    expect(Array.from(foldInUser(model, [], []))).toEqual([0, 0]);
    expect(Array.from(foldInUser(model, [0, 1], [0, -1]))).toEqual([0, 0]);
    expect(Array.from(foldInUser(model, [1], [Infinity]))).toEqual([0, 0]);
  });

  it.each([
    ['index = nItems', 3],
    ['negative index', -1],
    ['fractional index', 0.5],
  ])('throws RangeError for an item %s', (_label, item) => {
    expect(() => foldInUser(createFoldInModel(Y1, 1, PLAIN), [item], [1])).toThrow(RangeError);
  });

  it('throws RangeError when items and weights differ in length', () => {
    expect(() => foldInUser(createFoldInModel(Y1, 1, PLAIN), [0, 1], [1])).toThrow(RangeError);
  });

  it.each([0, 1])('equals solveRow with the frequency-scaled λ on random factors (ν = %i)', (nu) => {
    const random = createRandom(21);
    const d = 4;
    const nItems = 12;
    const factors = Float32Array.from({ length: nItems * d }, () => random.normal());
    const settings = { regularization: 0.05, regularizationExponent: nu, alpha: 3 };
    const items = [1, 4, 7, 10];
    const weights = [1, 2, 1, 5];
    const expected = solveRow(
      gramMatrix(factors, nItems, d),
      factors,
      items,
      weights,
      d,
      rowRegularization(0.05, 3, nu, items.length, nItems),
      3,
    );
    const x = foldInUser(createFoldInModel(factors, d, settings), items, weights);
    for (let p = 0; p < d; p++) expect(x[p]).toBeCloseTo(expected[p]!, 5);
  });

  it.each([0, 1])(
    'reproduces the user vectors of epoch E from the item factors of epoch E − 1 (ν = %i)',
    (nu) => {
      // trainIals runs the user step, then the item step, in each epoch. So the trained user
      // vectors of an E-epoch model were solved against the item factors of epoch E − 1, not
      // against the final ones. Training is deterministic for a seed, so the (E − 1)-epoch model
      // has exactly those item factors: folding in each user's training row against them must
      // give back the E-epoch user vector (up to the float32 rounding of the stored factors).
      const m = blockMatrix();
      const options = { dimension: 2, regularization: 0.1, alpha: 10, regularizationExponent: nu, seed: 3 };
      const before = trainIals(m, { ...options, epochs: 2 });
      const after = trainIals(m, { ...options, epochs: 3 });
      const model = createFoldInModel(before.itemFactors, 2, {
        regularization: 0.1,
        regularizationExponent: nu,
        alpha: 10,
      });
      for (let u = 0; u < m.nUsers; u++) {
        const { items, weights } = userRow(m, u);
        const x = foldInUser(model, items, weights);
        for (let p = 0; p < 2; p++)
          expect(Math.abs(x[p]! - after.userFactors[u * 2 + p]!)).toBeLessThan(1e-4);
      }
    },
  );

  it("ranks a trained user's own items above the other block after training", () => {
    // With the final item factors the fold-in is one more user half-step, so it is close to
    // but not exactly the trained vector; what must hold is the ranking it produces.
    const m = blockMatrix();
    const trained = trainIals(m, { dimension: 2, regularization: 0.1, alpha: 10, epochs: 20 });
    const model = createFoldInModel(trained.itemFactors, 2, {
      regularization: 0.1,
      regularizationExponent: 0,
      alpha: 10,
    });
    for (let u = 0; u < m.nUsers; u++) {
      const { items, weights } = userRow(m, u);
      const x = foldInUser(model, items, weights);
      const score = (i: number): number =>
        x[0]! * trained.itemFactors[i * 2]! + x[1]! * trained.itemFactors[i * 2 + 1]!;
      const other = u < 5 ? [5, 6, 7, 8, 9] : [0, 1, 2, 3, 4];
      const worstOwn = Math.min(...items.map(score));
      const bestOther = Math.max(...other.map(score));
      expect(worstOwn).toBeGreaterThan(bestOther);
    }
  });
});

describe('iALS: fold-in through FactorRows (the served view of Y in the item vectors)', () => {
  it('reads rows at their stride and folds the scale in: the d = 1 hand case through stride 2, scale 2', () => {
    // Y1 = [2, 1, −1] stored as 2·[1, 0.5, −0.5] with a pad value between rows (never read):
    // the same YᵀY = 6 and x = 8/21 as above. A power-of-two scale makes every product
    // exact, so the result is bit for bit the dense one.
    const rows = {
      values: Float32Array.of(1, 99, 0.5, 99, -0.5, 99),
      dimension: 1,
      stride: 2,
      scale: 2,
      count: 3,
    };
    const model = createFoldInModel(rows, 1, PLAIN);
    expect(Array.from(model.gram)).toEqual([6]);
    expect(Array.from(foldInUser(model, [0], [1]))).toEqual(
      Array.from(foldInUser(createFoldInModel(Y1, 1, PLAIN), [0], [1])),
    );
    expect(foldInUser(model, [0], [1])[0]).toBeCloseTo(8 / 21, 6);
    // items [0, 1], w = 1 each: A = 6.5 + 4 + 1 = 11.5; b = 2·2 + 2·1 = 6; x = 6/11.5.
    expect(foldInUser(model, [0, 1], [1, 1])[0]).toBeCloseTo(6 / 11.5, 6);
  });

  it('uses a Gram matrix registered for the rows object', () => {
    const rows = denseFactorRows(Float32Array.of(2, 1, -1), 1);
    registerItemGram(rows, Float64Array.of(42));
    expect(Array.from(createFoldInModel(rows, 1, PLAIN).gram)).toEqual([42]);
    expect(() => registerItemGram(rows, Float64Array.of(1, 2, 3, 4))).toThrow(RangeError);
    expect(() => createFoldInModel(rows, 2, PLAIN)).toThrow(RangeError);
  });

  it.each([
    [0, 'its own YᵀY'],
    [1, 'its own YᵀY'],
    [0, 'the published YᵀY'],
    [1, 'the published YᵀY'],
  ])(
    'equals the fold-in on the raw factors within the float32 rounding of y/M (ν = %i, %s)',
    (nu, gramSource) => {
      // Tolerance. The view's factors are y·(1 + δ) with |δ| ≤ u = 2⁻²⁴ per component
      // (v = fl32(y/M)), so the normal equations A·x = b (A = YᵀY + λI + Σ α·w·y·yᵀ,
      // b = Σ (1 + α·w)·y) are perturbed by ‖ΔA‖ ≤ 2u·trace ≤ 2u·d·‖A‖ and |Δb| ≤ u·Σ c·|y|.
      // First-order perturbation theory (Golub & Van Loan §2.6.2) bounds the solution's
      // relative change by κ(A)·(‖ΔA‖/‖A‖ + ‖Δb‖/‖b‖); each result is then rounded to
      // float32 (u each). κ(A) is computed below, so the bound is the test's own:
      // ‖Δx‖ ≤ (κ·(2d + 2)·u + 2u)·‖x‖. The observed error is far below it (~1e-7).
      const random = createRandom(5 + nu);
      const d = 16;
      const nItems = 400;
      const factors = Float32Array.from({ length: nItems * d }, () => random.normal() * 0.3);
      const { vectors, maxNorm } = mipsToCosine(factors, nItems, d);
      const settings = { regularization: 0.05, regularizationExponent: nu, alpha: 4 };
      const view = factorRowsOfVectors(vectors, d, maxNorm);
      if (gramSource === 'the published YᵀY') registerItemGram(view, gramMatrix(factors, nItems, d));
      const served = createFoldInModel(view, d, settings);
      const raw = createFoldInModel(factors, d, settings);
      const u = 2 ** -24;
      for (let trial = 0; trial < 20; trial++) {
        const n = 1 + Math.floor(random.next() * 60);
        const items = Array.from({ length: n }, () => Math.floor(random.next() * nItems));
        const weights = items.map(() => [0.5, 1, 2, 3][Math.floor(random.next() * 4)]!);
        const expected = foldInUser(raw, items, weights);
        const got = foldInUser(served, items, weights);
        const kappa = conditionNumber(raw, items, weights);
        const tol = (kappa * (2 * d + 2) * u + 2 * u) * norm(expected);
        expect(norm(got.map((g, p) => g - expected[p]!))).toBeLessThanOrEqual(tol);
        expect(kappa).toBeLessThan(100); // keeps the bound meaningful: under 2e-4 relative
      }
    },
  );
});

/** ‖x‖₂. */
function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let p = 0; p < x.length; p++) s += x[p]! ** 2;
  return Math.sqrt(s);
}

/** κ₂ of the fold-in system A = YᵀY + λI + Σ α·w·y·yᵀ (merged weights), from its eigenvalues. */
function conditionNumber(model: FoldInModel, items: readonly number[], weights: readonly number[]): number {
  const d = model.dimension;
  const { values } = model.itemFactors;
  const merged = new Map<number, number>();
  items.forEach((i, k) => merged.set(i, (merged.get(i) ?? 0) + weights[k]!));
  const lambda = rowRegularization(
    model.regularization,
    model.alpha,
    model.regularizationExponent,
    merged.size,
    model.itemFactors.count,
  );
  const a = model.gram.slice();
  for (let p = 0; p < d; p++) a[p * d + p]! += lambda;
  for (const [i, w] of merged) {
    for (let p = 0; p < d; p++)
      for (let q = 0; q < d; q++) a[p * d + q]! += model.alpha * w * values[i * d + p]! * values[i * d + q]!;
  }
  const eigen = gramEigen(a, d).values;
  return Math.max(...eigen) / Math.min(...eigen);
}

describe('iALS: fold-in through half-precision item vectors (RECGATE_VECTOR_PRECISION=float16)', () => {
  it('folds in exactly as through float32 vectors holding the same values, and near the float32 fold-in', () => {
    const d = 8;
    const { vectors, maxNorm, halves, decoded } = halfFactorFixture(77, 300, d);
    const settings = { regularization: 0.05, regularizationExponent: 1, alpha: 4 };
    const half = createFoldInModel(factorRowsOfVectors(halves, d, maxNorm), d, settings);
    const float = createFoldInModel(factorRowsOfVectors(decoded, d, maxNorm), d, settings);
    // YᵀY summed over blocks of decoded rows: the same matrix up to the order of float64 additions.
    for (let k = 0; k < d * d; k++) {
      expect(Math.abs(half.gram[k]! - float.gram[k]!)).toBeLessThanOrEqual(
        1e-12 * Math.abs(float.gram[k]!) + 1e-15,
      );
    }
    // With the same Gram matrix, the solve reads the decoded rows: bit for bit.
    const sameGram = { ...half, gram: float.gram };
    for (const items of [[0], [5, 17, 5, 299], [3, 1, 4, 1, 5, 9, 2, 6]]) {
      const weights = items.map((_, k) => 1 + k);
      expect(Array.from(foldInUser(sameGram, items, weights))).toEqual(
        Array.from(foldInUser(float, items, weights)),
      );
    }
    // And close to the fold-in on the float32 vectors: binary16 rounds each value by ≤ 2⁻¹¹.
    const exact = createFoldInModel(factorRowsOfVectors(vectors, d, maxNorm), d, settings);
    const a = foldInUser(half, [5, 17, 299], [1, 2, 3]);
    const b = foldInUser(exact, [5, 17, 299], [1, 2, 3]);
    const size = Math.max(...Array.from(b, Math.abs));
    let diff = 0;
    for (let p = 0; p < d; p++) diff = Math.max(diff, Math.abs(a[p]! - b[p]!));
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThanOrEqual(1e-2 * size);
  });
});
