import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  choleskyFactorSolve,
  choleskyRankOne,
  choleskyRankTwo,
  choleskySolve,
} from '../../../models/retrieval/choleskySolve.js';
import { createRandom } from '../../../src/domain/random.js';

/** A random SPD matrix MᵀM + n·I (n×n row-major, both triangles) from a seed. */
function randomSpd(n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const m = Array.from({ length: n * n }, () => random.normal());
  const a = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      let s = p === q ? n : 0;
      for (let k = 0; k < n; k++) s += m[k * n + p]! * m[k * n + q]!;
      a[p * n + q] = s;
    }
  }
  return a;
}

/**
 * The plain Cholesky–Banachiewicz recurrence, one row and one entry at a time
 * (Golub & Van Loan, Algorithm 4.2.1): the reference the register-blocked
 * {@link choleskySolve} must match bit for bit (same operations, same order).
 */
function referenceCholeskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[j * n + i]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      if (j < i) a[i * n + j] = s / a[j * n + j]!;
      else if (s > 0) a[i * n + i] = Math.sqrt(s);
      else throw new RangeError('not positive definite');
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  return b;
}

describe('choleskySolve', () => {
  // The classic example (e.g. Wikipedia "Cholesky decomposition"):
  // A = [[4, 12, −16], [12, 37, −43], [−16, −43, 98]] = L·Lᵀ with
  // L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]]. With x = (1, 2, 3):
  // b = A·x = (4 + 24 − 48, 12 + 74 − 129, −16 − 86 + 294) = (−20, −43, 192).
  it('solves the hand-worked 3×3 system and leaves L in the lower triangle', () => {
    const a = Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98);
    const b = Float64Array.of(-20, -43, 192);
    const x = choleskySolve(a, b, 3);
    expect(x).toBe(b);
    expect(Array.from(x).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 2, 3]);
    // Lower triangle = L; strict upper triangle untouched.
    expect(Array.from(a)).toEqual([2, 12, -16, 6, 1, -43, -8, 5, 3]);
  });

  it('reads only the upper triangle', () => {
    const a = Float64Array.of(4, 12, -16, 999, 37, -43, -999, 7, 98);
    const x = choleskySolve(a, Float64Array.of(-20, -43, 192), 3);
    expect(Array.from(x).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 2, 3]);
  });

  it.each([1, 2, 5, 17, 64])('matches ml-matrix CholeskyDecomposition on a random %i×%i SPD system', (n) => {
    const a = randomSpd(n, 100 + n);
    const random = createRandom(n);
    const b = Float64Array.from({ length: n }, () => random.normal());
    const rows = Array.from({ length: n }, (_, p) => Array.from(a.subarray(p * n, (p + 1) * n)));
    const reference = new CholeskyDecomposition(new Matrix(rows))
      .solve(Matrix.columnVector(Array.from(b)))
      .getColumn(0);
    const x = choleskySolve(a.slice(), b.slice(), n);
    for (let p = 0; p < n; p++) expect(x[p]).toBeCloseTo(reference[p]!, 10);
    // And the residual A·x − b is tiny.
    for (let p = 0; p < n; p++) {
      let r = -b[p]!;
      for (let q = 0; q < n; q++) r += a[p * n + q]! * x[q]!;
      expect(Math.abs(r)).toBeLessThan(1e-9 * n);
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 31, 64, 67])(
    'gives bitwise the plain row-by-row recurrence’s L and x for n = %i (register blocking keeps the order)',
    (n) => {
      const a = randomSpd(n, 7 * n);
      const random = createRandom(1000 + n);
      const b = Float64Array.from({ length: n }, () => random.normal());
      const refA = a.slice();
      const reference = referenceCholeskySolve(refA, b.slice(), n);
      const blockedA = a.slice();
      const x = choleskySolve(blockedA, b.slice(), n);
      expect(Array.from(x)).toEqual(Array.from(reference));
      expect(Array.from(blockedA)).toEqual(Array.from(refA));
    },
  );

  it('solves an empty system', () => {
    expect(choleskySolve(new Float64Array(0), new Float64Array(0), 0).length).toBe(0);
  });

  it('throws RangeError for a matrix that is not positive definite', () => {
    // [[1, 2], [2, 1]] has eigenvalues 3 and −1.
    expect(() => choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toThrow(
      /not positive definite/,
    );
    expect(() => choleskySolve(Float64Array.of(NaN), Float64Array.of(1), 1)).toThrow(RangeError);
  });
});

/** choleskySolve's factor of `a` (n×n, upper triangle read) as (strict lower triangle in a copy, diagonal). */
function factorOf(a: Float64Array, n: number): { l: Float64Array; diag: Float64Array } {
  const l = a.slice();
  choleskySolve(l, new Float64Array(n), n);
  const diag = Float64Array.from({ length: n }, (_, i) => l[i * n + i]!);
  return { l, diag };
}

/** Largest |x − y| over the strict lower triangles and diagonals of two stored factors, relative to the largest |y|. */
function factorDistance(
  x: { l: Float64Array; diag: Float64Array },
  y: { l: Float64Array; diag: Float64Array },
  n: number,
): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    err = Math.max(err, Math.abs(x.diag[i]! - y.diag[i]!));
    scale = Math.max(scale, Math.abs(y.diag[i]!));
    for (let k = 0; k < i; k++) {
      err = Math.max(err, Math.abs(x.l[i * n + k]! - y.l[i * n + k]!));
      scale = Math.max(scale, Math.abs(y.l[i * n + k]!));
    }
  }
  return err / scale;
}

describe('choleskyRankOne', () => {
  // A = [[4, 12, −16], [12, 37, −43], [−16, −43, 98]], L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]] (above).
  // v = (2, 0, 0): A + v·vᵀ changes only A₀₀ to 8. By hand, column by column:
  // k = 0: r = √(4 + 4) = 2√2, c = √2, s = 1; L₁₀ = 6/√2 = 3√2, v₁ = 0 − 3√2;
  //        L₂₀ = −8/√2 = −4√2, v₂ = 0 + 4√2.
  // k = 1: r = √(1 + 18) = √19, c = √19, s = −3√2; L₂₁ = (5 − 24)/√19 = −√19,
  //        v₂ = √19·4√2 − 3√2·√19 = √38.
  // k = 2: r = √(9 + 38) = √47.
  // So L' = [[2√2, 0, 0], [3√2, √19, 0], [−4√2, −√19, √47]] (L'·L'ᵀ = A + v·vᵀ).
  it('updates the hand-worked 3×3 factor, and the downdate restores it', () => {
    const l = Float64Array.of(0, 99, 99, 6, 0, 99, -8, 5, 0);
    const diag = Float64Array.of(2, 1, 3);
    expect(choleskyRankOne(l, diag, 3, Float64Array.of(2, 0, 0), 1)).toBe(true);
    const expected = [2 * Math.SQRT2, Math.sqrt(19), Math.sqrt(47)];
    diag.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    expect(l[3]).toBeCloseTo(3 * Math.SQRT2, 12);
    expect(l[6]).toBeCloseTo(-4 * Math.SQRT2, 12);
    expect(l[7]).toBeCloseTo(-Math.sqrt(19), 12);
    expect([l[1], l[2], l[5]]).toEqual([99, 99, 99]); // the upper triangle is not touched
    expect(choleskyRankOne(l, diag, 3, Float64Array.of(2, 0, 0), -1)).toBe(true);
    diag.forEach((v, i) => expect(v).toBeCloseTo([2, 1, 3][i]!, 12));
    [6, -8, 5].forEach((v, j) => expect(l[[3, 6, 7][j]!]).toBeCloseTo(v, 12));
  });

  it.each([1, 2, 5, 17, 64])(
    'matches factoring A ± v·vᵀ from scratch on random %i×%i systems, and solves with the factor',
    (n) => {
      const random = createRandom(300 + n);
      const a = randomSpd(n, 200 + n);
      const v = Float64Array.from({ length: n }, () => random.normal());
      const up = a.slice();
      for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) up[p * n + q]! += v[p]! * v[q]!;
      const f = factorOf(a, n);
      expect(choleskyRankOne(f.l, f.diag, n, v.slice(), 1)).toBe(true);
      expect(factorDistance(f, factorOf(up, n), n)).toBeLessThan(1e-12);
      // Downdate back to A's factor.
      expect(choleskyRankOne(f.l, f.diag, n, v.slice(), -1)).toBe(true);
      expect(factorDistance(f, factorOf(a, n), n)).toBeLessThan(1e-12);
      // choleskyFactorSolve with the updated factor solves (A + v·vᵀ)·x = b like choleskySolve does.
      expect(choleskyRankOne(f.l, f.diag, n, v.slice(), 1)).toBe(true);
      const b = Float64Array.from({ length: n }, () => random.normal());
      const x = choleskyFactorSolve(f.l, f.diag, n, b.slice());
      const reference = choleskySolve(up.slice(), b.slice(), n);
      let scale = 0;
      for (let p = 0; p < n; p++) scale = Math.max(scale, Math.abs(reference[p]!));
      for (let p = 0; p < n; p++) expect(Math.abs(x[p]! - reference[p]!)).toBeLessThan(1e-12 * scale);
    },
  );

  it('reports a downdate that would leave the matrix not positive definite, or lose most of a pivot', () => {
    // [[1]] − 2² < 0.
    expect(choleskyRankOne(Float64Array.of(0), Float64Array.of(1), 1, Float64Array.of(2), -1)).toBe(false);
    // 1 − 0.99² = 0.0199: positive, but under a 0.1 share of L₀₀² = 1.
    expect(choleskyRankOne(Float64Array.of(0), Float64Array.of(1), 1, Float64Array.of(0.99), -1)).toBe(true);
    expect(choleskyRankOne(Float64Array.of(0), Float64Array.of(1), 1, Float64Array.of(0.99), -1, 0.1)).toBe(
      false,
    );
    expect(choleskyRankOne(Float64Array.of(0), Float64Array.of(1), 1, Float64Array.of(NaN), 1)).toBe(false);
  });
});

describe('choleskyFactorSolve', () => {
  it('solves the hand-worked 3×3 system from its factor L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]]', () => {
    const x = choleskyFactorSolve(
      Float64Array.of(0, 0, 0, 6, 0, 0, -8, 5, 0),
      Float64Array.of(2, 1, 3),
      3,
      Float64Array.of(-20, -43, 192),
    );
    expect(Array.from(x).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 2, 3]);
  });
});

describe('choleskyRankTwo', () => {
  it.each([
    [1, 1, 1],
    [5, 1, -1],
    [17, -1, 1],
    [64, -1, -1],
  ] as const)('is bitwise two choleskyRankOne steps in a row (n = %i, signs %i, %i)', (n, signV, signW) => {
    const random = createRandom(500 + n);
    // A = B + v·vᵀ + w·wᵀ so that downdates by v and w stay positive definite.
    const v = Float64Array.from({ length: n }, () => random.normal());
    const w = Float64Array.from({ length: n }, () => random.normal());
    const a = randomSpd(n, 600 + n);
    for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) a[p * n + q]! += v[p]! * v[q]! + w[p]! * w[q]!;
    const one = factorOf(a, n);
    const two = { l: one.l.slice(), diag: one.diag.slice() };
    expect(choleskyRankOne(one.l, one.diag, n, v.slice(), signV)).toBe(true);
    expect(choleskyRankOne(one.l, one.diag, n, w.slice(), signW)).toBe(true);
    expect(choleskyRankTwo(two.l, two.diag, n, v.slice(), signV, w.slice(), signW)).toBe(true);
    expect(Array.from(two.diag)).toEqual(Array.from(one.diag));
    expect(Array.from(two.l)).toEqual(Array.from(one.l));
  });

  it('reports a failing second step', () => {
    // [[1]] + 1² = 2, then − 2² < 0.
    const diag = Float64Array.of(1);
    expect(choleskyRankTwo(Float64Array.of(0), diag, 1, Float64Array.of(1), 1, Float64Array.of(2), -1)).toBe(
      false,
    );
  });
});
