import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { choleskySolve } from '../../../models/retrieval/choleskySolve.js';
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
