import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { buildImplicitMatrix } from '../../../models/retrieval/implicitMatrix.js';
import type { ImplicitMatrix, MatrixEntry } from '../../../models/retrieval/implicitMatrix.js';
import {
  gramMatrix,
  ialsLoss,
  rowRegularization,
  solveRow,
  trainIals,
} from '../../../models/retrieval/trainIals.js';

/**
 * Two blocks of 5 users × 5 items: user u of a block interacts with the three
 * block items (u, u+1, u+2) mod 5, so every user also has two unseen items in
 * its own block.
 */
function blockMatrix(): ImplicitMatrix {
  const entries: MatrixEntry[] = [];
  for (let u = 0; u < 10; u++) {
    const base = u < 5 ? 0 : 5;
    for (let k = 0; k < 3; k++) entries.push({ user: u, item: base + (((u % 5) + k) % 5), weight: 1 });
  }
  return buildImplicitMatrix(entries, 10, 10);
}

/** A seeded random 30×20 matrix with weights 1..3, about 20 % dense. */
function randomMatrix(seed: number): ImplicitMatrix {
  const random = createRandom(seed);
  const entries: MatrixEntry[] = [];
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 20; i++)
      if (random.next() < 0.2) entries.push({ user: u, item: i, weight: random.int(1, 3) });
  }
  return buildImplicitMatrix(entries, 30, 20);
}

function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let p = 0; p < d; p++) s += a[ao + p]! * b[bo + p]!;
  return s;
}

describe('iALS: gramMatrix', () => {
  it('computes FᵀF of a 3×2 matrix', () => {
    // F = [[1, 2], [3, 4], [5, 6]]
    // (FᵀF)00 = 1 + 9 + 25 = 35; (FᵀF)01 = 2 + 12 + 30 = 44; (FᵀF)11 = 4 + 16 + 36 = 56
    expect(Array.from(gramMatrix([1, 2, 3, 4, 5, 6], 3, 2))).toEqual([35, 44, 44, 56]);
  });

  it('handles zero entries (which it skips) and stays symmetric', () => {
    // F = [[0, 2], [3, 0], [1, 1]]: G00 = 0 + 9 + 1 = 10; G01 = 0 + 0 + 1 = 1; G11 = 4 + 0 + 1 = 5
    expect(Array.from(gramMatrix([0, 2, 3, 0, 1, 1], 3, 2))).toEqual([10, 1, 1, 5]);
  });

  it('equals the direct triple sum on 600 random rows with an odd d (several row blocks)', () => {
    const n = 600;
    const d = 5;
    const random = createRandom(3);
    const f = Float32Array.from({ length: n * d }, () => random.normal());
    const g = gramMatrix(f, n, d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += f[r * d + a]! * f[r * d + b]!;
        expect(g[a * d + b]).toBeCloseTo(s, 9);
      }
    }
  });

  it('reads only the first n rows', () => {
    // Only row [1, 2] counts: [[1, 2], [2, 4]]
    expect(Array.from(gramMatrix([1, 2, 100, 100], 1, 2))).toEqual([1, 2, 2, 4]);
  });
});

describe('iALS: solveRow', () => {
  // Fixed side Y (3 rows, d = 2): y0 = [1, 0], y1 = [0, 1], y2 = [1, 1];
  // G = YᵀY = [[2, 1], [1, 2]]. Observed rows 0 (w = 1) and 2 (w = 2), λ = 0.5, α = 1.
  const Y = [1, 0, 0, 1, 1, 1];
  const G = Float64Array.of(2, 1, 1, 2);

  it('solves (G + λI + Σ α·w·y·yᵀ) x = Σ (1 + α·w)·y on a 2×2 example', () => {
    // A = G + 0.5·I + 1·1·[[1, 0], [0, 0]] + 1·2·[[1, 1], [1, 1]] = [[5.5, 3], [3, 4.5]]
    // b = (1 + 1)·[1, 0] + (1 + 2)·[1, 1] = [5, 3]
    // det A = 5.5·4.5 − 3·3 = 15.75; A⁻¹ = [[4.5, −3], [−3, 5.5]] / 15.75
    // x = [4.5·5 − 3·3, −3·5 + 5.5·3] / 15.75 = [13.5, 1.5] / 15.75 = [6/7, 2/21] = [0.857143, 0.095238]
    const x = solveRow(G, Y, [0, 2], [1, 2], 2, 0.5, 1);
    expect(x.length).toBe(2);
    expect(x[0]).toBeCloseTo(0.857143, 5);
    expect(x[1]).toBeCloseTo(0.095238, 5);
  });

  it('ignores the observed weights in the matrix when α = 0 (confidence 1 everywhere)', () => {
    // A = G + 0.5·I = [[2.5, 1], [1, 2.5]]; b = y0 + y2 = [2, 1]
    // det = 6.25 − 1 = 5.25; x = [2.5·2 − 1·1, −1·2 + 2.5·1] / 5.25 = [4, 0.5] / 5.25 = [0.761905, 0.095238]
    const x = solveRow(G, Y, [0, 2], [1, 2], 2, 0.5, 0);
    expect(x[0]).toBeCloseTo(0.761905, 5);
    expect(x[1]).toBeCloseTo(0.095238, 5);
  });

  it('solves a d = 1 row as a plain division', () => {
    // y = [2, 1, −1]: G = 4 + 1 + 1 = 6. Row 1 observed with w = 3, λ = 1, α = 2:
    // A = 6 + 1 + 2·3·1² = 13; b = (1 + 6)·1 = 7; x = 7/13 = 0.538462
    const x = solveRow(Float64Array.of(6), [2, 1, -1], [1], [3], 1, 1, 2);
    expect(x[0]).toBeCloseTo(0.538462, 5);
  });

  it('returns the zero vector when no row is observed', () => {
    expect(Array.from(solveRow(G, Y, [], [], 2, 0.5, 1))).toEqual([0, 0]);
  });

  it('matches an ml-matrix solve of the explicitly built system on 150 random observed rows (several blocks)', () => {
    const d = 7;
    const nOther = 300;
    const random = createRandom(11);
    const y = Float32Array.from({ length: nOther * d }, () => random.normal() * 0.3);
    const rows = Array.from({ length: 150 }, (_, j) => (j * 7) % nOther);
    const w = rows.map(() => 0.5 + random.next());
    const [lambda, alpha] = [0.7, 3];
    const g = gramMatrix(y, nOther, d);
    const a = Matrix.zeros(d, d);
    const b = Matrix.zeros(d, 1);
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) a.set(p, q, g[p * d + q]! + (p === q ? lambda : 0));
    }
    rows.forEach((r, j) => {
      for (let p = 0; p < d; p++) {
        b.set(p, 0, b.get(p, 0) + (1 + alpha * w[j]!) * y[r * d + p]!);
        for (let q = 0; q < d; q++) {
          a.set(p, q, a.get(p, q) + alpha * w[j]! * y[r * d + p]! * y[r * d + q]!);
        }
      }
    });
    const reference = solve(a, b).getColumn(0);
    const x = solveRow(g, y, rows, w, d, lambda, alpha);
    for (let p = 0; p < d; p++) expect(x[p]).toBeCloseTo(reference[p]!, 9);
  });

  it('does not modify the Gram matrix it is given', () => {
    const gram = G.slice();
    solveRow(gram, Y, [0, 2], [1, 2], 2, 0.5, 1);
    expect(Array.from(gram)).toEqual([2, 1, 1, 2]);
  });
});

describe('iALS: rowRegularization', () => {
  it('is plain λ when ν = 0, whatever the counts', () => {
    expect(rowRegularization(0.1, 10, 0, 7, 1000)).toBe(0.1);
  });

  it('is λ·(α·n + nOther) when ν = 1', () => {
    // 0.02·(5·3 + 10) = 0.02·25 = 0.5
    expect(rowRegularization(0.02, 5, 1, 3, 10)).toBeCloseTo(0.5, 10);
  });

  it('is λ·sqrt(α·n + nOther) when ν = 0.5', () => {
    // 0.1·sqrt(5·3 + 10) = 0.1·5 = 0.5
    expect(rowRegularization(0.1, 5, 0.5, 3, 10)).toBeCloseTo(0.5, 10);
  });
});

describe('iALS: ialsLoss', () => {
  it('sums confidence-weighted squared errors over every pair plus λ‖·‖² (1 user, 2 items, d = 1)', () => {
    // x = [1], y = [0.5, 2], entry (0, 0) with w = 1, α = 2, λ = 0.1
    // (0, 0) observed: c = 1 + 2·1 = 3, s = 0.5: 3·(1 − 0.5)² = 0.75
    // (0, 1) unobserved: c = 1, s = 2: (0 − 2)² = 4
    // λ(‖x‖² + ‖y‖²) = 0.1·(1 + 0.25 + 4) = 0.525; total 5.275
    const m = buildImplicitMatrix([{ user: 0, item: 0, weight: 1 }], 1, 2);
    expect(ialsLoss(m, [1], [0.5, 2], 1, 0.1, 2)).toBeCloseTo(5.275, 6);
  });

  it('handles d = 2 with two users (2×2 example)', () => {
    // x0 = [1, 0], x1 = [0, 1]; y0 = [1, 1], y1 = [0.5, 0]; entries (0, 0, w = 1), (1, 1, w = 2); α = 1
    // s00 = 1, s01 = 0.5, s10 = 1, s11 = 0
    // (0, 0) observed c = 2: 2·(1 − 1)² = 0;   (0, 1) unobserved: 0.5² = 0.25
    // (1, 0) unobserved: 1² = 1;              (1, 1) observed c = 3: 3·(1 − 0)² = 3
    // data term = 4.25; λ = 0.5: 0.5·(1 + 1 + 2 + 0.25) = 2.125; total 6.375
    const m = buildImplicitMatrix(
      [
        { user: 0, item: 0, weight: 1 },
        { user: 1, item: 1, weight: 2 },
      ],
      2,
      2,
    );
    const x = [1, 0, 0, 1];
    const y = [1, 1, 0.5, 0];
    expect(ialsLoss(m, x, y, 2, 0, 1)).toBeCloseTo(4.25, 6);
    expect(ialsLoss(m, x, y, 2, 0.5, 1)).toBeCloseTo(6.375, 6);
  });

  it('equals the direct double sum over all user–item pairs on random factors', () => {
    const m = randomMatrix(3);
    const d = 3;
    const random = createRandom(4);
    const x = Float64Array.from({ length: m.nUsers * d }, () => random.normal());
    const y = Float64Array.from({ length: m.nItems * d }, () => random.normal());
    const lambda = 0.3;
    const alpha = 4;
    let direct = 0;
    for (let u = 0; u < m.nUsers; u++) {
      const w = new Map<number, number>();
      for (let k = m.userPtr[u]!; k < m.userPtr[u + 1]!; k++) w.set(m.userItems[k]!, m.userWeights[k]!);
      for (let i = 0; i < m.nItems; i++) {
        const s = dot(x, u * d, y, i * d, d);
        const wi = w.get(i);
        direct += wi === undefined ? s * s : (1 + alpha * wi) * (1 - s) ** 2;
      }
    }
    for (const v of x) direct += lambda * v * v;
    for (const v of y) direct += lambda * v * v;
    expect(ialsLoss(m, x, y, d, lambda, alpha)).toBeCloseTo(direct, 6);
  });
});

describe('iALS: trainIals', () => {
  it('scores every in-block item above every out-of-block item on a block-structured matrix', () => {
    const m = blockMatrix();
    const d = 2;
    const model = trainIals(m, { dimension: d, regularization: 0.1, alpha: 10, epochs: 20 });
    expect(model.userFactors.length).toBe(10 * d);
    expect(model.itemFactors.length).toBe(10 * d);
    for (let u = 0; u < 10; u++) {
      const base = u < 5 ? 0 : 5;
      let worstIn = Infinity;
      let bestOut = -Infinity;
      for (let i = 0; i < 10; i++) {
        const s = dot(model.userFactors, u * d, model.itemFactors, i * d, d);
        if (i >= base && i < base + 5) worstIn = Math.min(worstIn, s);
        else bestOut = Math.max(bestOut, s);
      }
      // Includes the two in-block items the user never saw.
      expect(worstIn).toBeGreaterThan(bestOut);
    }
  });

  it('reports a non-increasing loss through onEpoch (each ALS half-step minimises the objective)', () => {
    const epochs: number[] = [];
    const losses: number[] = [];
    trainIals(randomMatrix(1), {
      dimension: 3,
      regularization: 0.2,
      alpha: 5,
      epochs: 15,
      onEpoch: (p) => {
        epochs.push(p.epoch);
        losses.push(p.loss);
        expect(p.epochs).toBe(15);
      },
    });
    expect(epochs).toEqual(Array.from({ length: 15 }, (_, k) => k + 1));
    for (let k = 1; k < losses.length; k++) {
      expect(losses[k]!).toBeLessThanOrEqual(losses[k - 1]! * (1 + 1e-6));
    }
    // Training must make progress, so a constant sequence would not pass.
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
  });

  it('leaves every item row at the exact minimiser given the user factors (the item step runs last)', () => {
    // Stationarity of the last half-step: (XᵀX + λI + Σ_u α·w·x_u·x_uᵀ) y_i = Σ_u (1 + α·w)·x_u.
    const m = randomMatrix(2);
    const d = 3;
    const lambda = 0.2;
    const alpha = 5;
    const model = trainIals(m, { dimension: d, regularization: lambda, alpha, epochs: 4 });
    const X = model.userFactors;
    const Y = model.itemFactors;
    const xtx = new Float64Array(d * d);
    for (let u = 0; u < m.nUsers; u++) {
      for (let p = 0; p < d; p++)
        for (let q = 0; q < d; q++) xtx[p * d + q]! += X[u * d + p]! * X[u * d + q]!;
    }
    for (let i = 0; i < m.nItems; i++) {
      const a = xtx.slice();
      for (let p = 0; p < d; p++) a[p * d + p]! += lambda;
      const b = new Float64Array(d);
      for (let k = m.itemPtr[i]!; k < m.itemPtr[i + 1]!; k++) {
        const u = m.itemUsers[k]!;
        const w = m.itemWeights[k]!;
        for (let p = 0; p < d; p++) {
          b[p]! += (1 + alpha * w) * X[u * d + p]!;
          for (let q = 0; q < d; q++) a[p * d + q]! += alpha * w * X[u * d + p]! * X[u * d + q]!;
        }
      }
      const scale = Math.max(1, Math.hypot(...b));
      for (let p = 0; p < d; p++) {
        let ay = 0;
        for (let q = 0; q < d; q++) ay += a[p * d + q]! * Y[i * d + q]!;
        expect(Math.abs(ay - b[p]!) / scale).toBeLessThan(1e-6);
      }
    }
  });

  it('gives identical factors for the same seed and different ones for another seed', () => {
    const m = randomMatrix(5);
    const a = trainIals(m, { dimension: 4, epochs: 3, seed: 9 });
    const b = trainIals(m, { dimension: 4, epochs: 3, seed: 9 });
    const c = trainIals(m, { dimension: 4, epochs: 3, seed: 10 });
    expect(Array.from(b.userFactors)).toEqual(Array.from(a.userFactors));
    expect(Array.from(b.itemFactors)).toEqual(Array.from(a.itemFactors));
    expect(Array.from(c.itemFactors)).not.toEqual(Array.from(a.itemFactors));
  });

  it('records its settings in the model', () => {
    const model = trainIals(blockMatrix(), {
      dimension: 3,
      regularization: 0.5,
      alpha: 2,
      epochs: 1,
      regularizationExponent: 1,
    });
    expect(model).toMatchObject({
      dimension: 3,
      regularization: 0.5,
      alpha: 2,
      epochs: 1,
      regularizationExponent: 1,
    });
  });

  it('gives a zero factor to an item nobody interacted with', () => {
    const m = buildImplicitMatrix(
      [
        { user: 0, item: 0, weight: 1 },
        { user: 1, item: 1, weight: 1 },
      ],
      2,
      3,
    );
    const model = trainIals(m, { dimension: 2, epochs: 2 });
    expect(Array.from(model.itemFactors.subarray(4, 6))).toEqual([0, 0]);
  });

  it.each([
    ['dimension 0', { dimension: 0 }],
    ['negative dimension', { dimension: -2 }],
    ['fractional dimension', { dimension: 1.5 }],
    ['negative λ', { regularization: -0.1 }],
    ['NaN λ', { regularization: NaN }],
    ['negative α', { alpha: -1 }],
  ])('throws RangeError for %s', (_label, options) => {
    expect(() => trainIals(blockMatrix(), { epochs: 1, ...options })).toThrow(RangeError);
  });

  it('throws RangeError for a matrix without users or items', () => {
    expect(() => trainIals(buildImplicitMatrix([], 0, 3), { epochs: 1 })).toThrow(RangeError);
    expect(() => trainIals(buildImplicitMatrix([], 3, 0), { epochs: 1 })).toThrow(RangeError);
  });
});
