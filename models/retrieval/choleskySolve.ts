/**
 * Solves A·x = b for a symmetric positive definite n×n matrix A, in place, by
 * the Cholesky factorisation A = L·Lᵀ (Cholesky–Banachiewicz, row by row; Golub
 * & Van Loan, "Matrix Computations", 4th ed., §4.2, Algorithm 4.2.1; the same
 * recurrence as Numerical Recipes' `choldc`/`cholsl`, §2.9), then the forward
 * substitution L·z = b and the back substitution Lᵀ·x = z.
 *
 * This is the iALS / fold-in inner solve: for d = 64 it costs d³/6 + d²
 * multiply-adds on the typed array itself, where a round trip through
 * ml-matrix's `CholeskyDecomposition` allocated and copied several matrices per call.
 *
 * @param a n×n row-major. Only the upper triangle (q ≥ p, diagonal included)
 *   is read. On return the lower triangle (diagonal included) holds L; the
 *   strict upper triangle is left as it was.
 * @param b length n; overwritten with the solution x.
 * @param n the order of the system (n ≥ 0).
 * @returns `b` (now x), for chaining.
 * @throws RangeError when a pivot is not positive (A is not positive definite,
 *   or holds NaN): `b` is then partly overwritten.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  // Rows are computed two at a time (i, i + 1): each L[j][k] loaded serves
  // both rows' dot products (two independent add chains).
  for (let i = 0; i < n; i += 2) {
    const ri = i * n;
    if (i + 1 === n) {
      for (let j = 0; j < i; j++) {
        const rj = j * n;
        let s = a[rj + i]!;
        for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
        a[ri + j] = s / a[rj + j]!;
      }
      a[ri + i] = pivot(a, ri, i, a[ri + i]!);
      break;
    }
    const r1 = ri + n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      // A[i][j], A[i+1][j] read from the upper triangle (A[j][i], A[j][i+1]).
      let s0 = a[rj + i]!;
      let s1 = a[rj + i + 1]!;
      for (let k = 0; k < j; k++) {
        const l = a[rj + k]!;
        s0 -= a[ri + k]! * l;
        s1 -= a[r1 + k]! * l;
      }
      const ljj = a[rj + j]!;
      a[ri + j] = s0 / ljj;
      a[r1 + j] = s1 / ljj;
    }
    a[ri + i] = pivot(a, ri, i, a[ri + i]!);
    let s = a[ri + i + 1]!; // A[i][i+1]
    for (let k = 0; k < i; k++) s -= a[r1 + k]! * a[ri + k]!;
    a[r1 + i] = s / a[ri + i]!;
    a[r1 + i + 1] = pivot(a, r1, i + 1, a[r1 + i + 1]!);
  }
  // L·z = b
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[ri + k]! * b[k]!;
    b[i] = s / a[ri + i]!;
  }
  // Lᵀ·x = z: column i of L is row i of Lᵀ.
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  return b;
}

/** L[i][i] = sqrt(A[i][i] − Σ_{k<i} L[i][k]²) for row offset `ri`. @throws RangeError when not positive. */
function pivot(a: Float64Array, ri: number, i: number, aii: number): number {
  let s = aii;
  for (let k = 0; k < i; k++) s -= a[ri + k]! * a[ri + k]!;
  if (!(s > 0))
    throw new RangeError(`choleskySolve: the matrix is not positive definite (pivot ${i} is ${s})`);
  return Math.sqrt(s);
}
