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
  // Rows are computed four at a time (i..i+3) against two columns at a time
  // (j, j+1): each L[j][k], L[j+1][k] loaded serves the four rows' eight dot
  // products (eight independent add chains; 6 loads per 8 multiply-adds).
  // Every entry is still A − Σ_k L[·][k]·L[·][k] subtracted in increasing k,
  // then divided (or square-rooted) exactly as the one-row recurrence does,
  // so the result is bitwise that of the plain row-by-row algorithm.
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    // i is a multiple of 4, so the columns 0..i−1 pair up exactly.
    for (let j = 0; j < i; j += 2) {
      const rj = j * n;
      const rk = rj + n; // row j + 1
      // A[i+x][j] and A[i+x][j+1], read from the upper triangle.
      let s00 = a[rj + i]!;
      let s10 = a[rj + i + 1]!;
      let s20 = a[rj + i + 2]!;
      let s30 = a[rj + i + 3]!;
      let s01 = a[rk + i]!;
      let s11 = a[rk + i + 1]!;
      let s21 = a[rk + i + 2]!;
      let s31 = a[rk + i + 3]!;
      for (let k = 0; k < j; k++) {
        const l0 = a[rj + k]!;
        const l1 = a[rk + k]!;
        const x0 = a[r0 + k]!;
        const x1 = a[r1 + k]!;
        const x2 = a[r2 + k]!;
        const x3 = a[r3 + k]!;
        s00 -= x0 * l0;
        s10 -= x1 * l0;
        s20 -= x2 * l0;
        s30 -= x3 * l0;
        s01 -= x0 * l1;
        s11 -= x1 * l1;
        s21 -= x2 * l1;
        s31 -= x3 * l1;
      }
      const ljj = a[rj + j]!;
      const l0 = (a[r0 + j] = s00 / ljj);
      const l1 = (a[r1 + j] = s10 / ljj);
      const l2 = (a[r2 + j] = s20 / ljj);
      const l3 = (a[r3 + j] = s30 / ljj);
      // The k = j term of column j + 1, then its division.
      const lkj = a[rk + j]!;
      const lkk = a[rk + j + 1]!;
      a[r0 + j + 1] = (s01 - l0 * lkj) / lkk;
      a[r1 + j + 1] = (s11 - l1 * lkj) / lkk;
      a[r2 + j + 1] = (s21 - l2 * lkj) / lkk;
      a[r3 + j + 1] = (s31 - l3 * lkj) / lkk;
    }
    // The 4×4 diagonal block, row by row.
    lowerEntries(a, n, i, i + 4, i, i + 4);
  }
  // The last n mod 4 rows, one at a time.
  lowerEntries(a, n, i, n, 0, n);
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

/**
 * The row-by-row recurrence for rows `from..to−1` and columns `c0..min(c1, row+1)−1`
 * of L (columns below `c0` already computed): L[i][j] = (A[j][i] − Σ_{k<j} L[i][k]·L[j][k]) / L[j][j],
 * and L[i][i] by {@link pivot} when the diagonal is in range.
 */
function lowerEntries(a: Float64Array, n: number, from: number, to: number, c0: number, c1: number): void {
  for (let i = from; i < to; i++) {
    const ri = i * n;
    const last = Math.min(c1, i + 1);
    for (let j = c0; j < last; j++) {
      if (j === i) {
        a[ri + i] = pivot(a, ri, i, a[ri + i]!);
        break;
      }
      const rj = j * n;
      let s = a[rj + i]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / a[rj + j]!;
    }
  }
}

/** L[i][i] = sqrt(A[i][i] − Σ_{k<i} L[i][k]²) for row offset `ri`. @throws RangeError when not positive. */
function pivot(a: Float64Array, ri: number, i: number, aii: number): number {
  let s = aii;
  for (let k = 0; k < i; k++) s -= a[ri + k]! * a[ri + k]!;
  if (!(s > 0))
    throw new RangeError(`choleskySolve: the matrix is not positive definite (pivot ${i} is ${s})`);
  return Math.sqrt(s);
}

/**
 * Cholesky factor update / downdate in place: given the lower factor L of an
 * SPD matrix A = L·Lᵀ, overwrites it with the factor of A + σ·v·vᵀ (σ = +1,
 * update) or A − v·vᵀ (σ = −1, downdate) in O(n²), instead of the O(n³)
 * refactorisation. Column k is rotated against v in turn: r = √(L_kk² + σ·v_k²),
 * c = r / L_kk, s = v_k / L_kk, then L_ik ← (L_ik + σ·s·v_i) / c and
 * v_i ← c·v_i − s·L_ik for i > k (Golub & Van Loan, "Matrix Computations",
 * 4th ed., §6.5.4, "Updating the Cholesky factorization"; the formulation of
 * the Wikipedia article "Cholesky decomposition", §"Rank-one update/downdate",
 * and MATLAB's `cholupdate`).
 *
 * Storage: L's strict lower triangle in `l` (n×n row-major, L_ik at
 * `l[i·n + k]` for k < i) and its diagonal in `diag`; the upper triangle of
 * `l` is neither read nor written (so `l` can share an array with a symmetric
 * matrix kept in its upper triangle).
 * @param v length n; overwritten (scratch).
 * @param sign +1 to add v·vᵀ, −1 to subtract it.
 * @param minRatio give up when a pivot r² is at most `minRatio`·L_kk² (a
 *   downdate cancelling most of a diagonal loses accuracy). @default 0
 * @returns false when a pivot r² is not above `minRatio`·L_kk² (with 0: the
 *   downdate would leave A not positive definite), or NaN: L is then partly
 *   overwritten and must be recomputed.
 */
export function choleskyRankOne(
  l: Float64Array,
  diag: Float64Array,
  n: number,
  v: Float64Array,
  sign: 1 | -1,
  minRatio = 0,
): boolean {
  for (let k = 0; k < n; k++) {
    const lkk = diag[k]!;
    const vk = v[k]!;
    const l2 = lkk * lkk;
    const r2 = l2 + sign * vk * vk;
    if (!(r2 > minRatio * l2)) return false;
    const r = Math.sqrt(r2);
    const c = r / lkk;
    const s = vk / lkk;
    // L_ik ← (L_ik + σ·s·v_i) / c = L_ik·(1/c) + v_i·(σ·s/c).
    const inv = lkk / r;
    const ss = (sign * vk) / r;
    diag[k] = r;
    for (let i = k + 1; i < n; i++) {
      const o = i * n + k;
      const vi = v[i]!;
      const lik = l[o]! * inv + ss * vi;
      l[o] = lik;
      v[i] = c * vi - s * lik;
    }
  }
  return true;
}

/**
 * Solves L·Lᵀ·x = b in place for a lower factor stored as in
 * {@link choleskyRankOne} (strict lower triangle of `l`, diagonal in `diag`):
 * the forward substitution L·z = b by rows (each row's dot product in four
 * partial sums, so its rounding is not bitwise {@link choleskySolve}'s), then
 * the back substitution Lᵀ·x = z by columns of Lᵀ (rows of L, so both passes
 * read `l` contiguously; Golub & Van Loan §3.1, Algorithms 3.1.1 and 3.1.4).
 * @param b length n; overwritten with x.
 * @returns `b` (now x).
 */
export function choleskyFactorSolve(
  l: Float64Array,
  diag: Float64Array,
  n: number,
  b: Float64Array,
): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    // Four partial sums: independent add chains (the one-sum loop waits on each add).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 4 <= i; k += 4) {
      s0 += l[ri + k]! * b[k]!;
      s1 += l[ri + k + 1]! * b[k + 1]!;
      s2 += l[ri + k + 2]! * b[k + 2]!;
      s3 += l[ri + k + 3]! * b[k + 3]!;
    }
    for (; k < i; k++) s0 += l[ri + k]! * b[k]!;
    b[i] = (b[i]! - (s0 + s1 + (s2 + s3))) / diag[i]!;
  }
  // Lᵀ·x = z, column-oriented: x_k = z_k / L_kk, then z_i −= L_ki·x_k for i < k (row k of L).
  for (let k = n - 1; k >= 0; k--) {
    const xk = b[k]! / diag[k]!;
    b[k] = xk;
    const rk = k * n;
    for (let i = 0; i < k; i++) b[i]! -= l[rk + i]! * xk;
  }
  return b;
}

/**
 * Two {@link choleskyRankOne} steps in one sweep over L: the factor of
 * A + σ₁·v·vᵀ + σ₂·w·wᵀ. At column k the rotation of `v` is computed and
 * applied, then that of `w` from the updated L_kk, and each L_ik is carried
 * through both rotations in turn, so every operation is the one of
 * `choleskyRankOne(v)` followed by `choleskyRankOne(w)` in the same order and
 * the result is bitwise theirs (the second sweep reads column k only after the
 * first has finished it); each column is read once instead of twice.
 * @param v, w length n; overwritten (scratch).
 * @returns false as {@link choleskyRankOne} does (L then partly overwritten).
 */
export function choleskyRankTwo(
  l: Float64Array,
  diag: Float64Array,
  n: number,
  v: Float64Array,
  signV: 1 | -1,
  w: Float64Array,
  signW: 1 | -1,
  minRatio = 0,
): boolean {
  for (let k = 0; k < n; k++) {
    const l0 = diag[k]!;
    const vk = v[k]!;
    const l02 = l0 * l0;
    const r2 = l02 + signV * vk * vk;
    if (!(r2 > minRatio * l02)) return false;
    const r = Math.sqrt(r2);
    const c = r / l0;
    const s = vk / l0;
    const inv = l0 / r;
    const ss = (signV * vk) / r;
    const wk = w[k]!;
    // (√r2)², as choleskyRankOne squares the stored diagonal (not bitwise r2).
    const rr = r * r;
    const q2 = rr + signW * wk * wk;
    if (!(q2 > minRatio * rr)) return false;
    const q = Math.sqrt(q2);
    const cw = q / r;
    const sw = wk / r;
    const invW = r / q;
    const ssW = (signW * wk) / q;
    diag[k] = q;
    for (let i = k + 1; i < n; i++) {
      const o = i * n + k;
      const vi = v[i]!;
      const li = l[o]! * inv + ss * vi;
      v[i] = c * vi - s * li;
      const wi = w[i]!;
      const lw = li * invW + ssW * wi;
      l[o] = lw;
      w[i] = cw * wi - sw * lw;
    }
  }
  return true;
}
