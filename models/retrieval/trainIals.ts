import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { choleskySolve } from './choleskySolve.js';
import { createRandom } from '../../src/domain/random.js';
import type { ImplicitMatrix } from './implicitMatrix.js';

/**
 * Options for {@link trainIals}.
 */
export interface IalsOptions {
  /** Latent dimension d. @default 64 */
  readonly dimension?: number;
  /** L2 regularisation λ on every factor row. @default 0.1 */
  readonly regularization?: number;
  /** Confidence scale α: an observed entry of weight w has confidence 1 + α·w. @default 10 */
  readonly alpha?: number;
  /**
   * Frequency-scaled regularisation exponent ν (Rendle et al. 2021, §3.3):
   * row r uses λ·(α·n_r + n_other)^ν, where n_r is its number of observed
   * entries and n_other the size of the other side. 0 gives plain λ. @default 0
   */
  readonly regularizationExponent?: number;
  /** Alternating epochs (one user step plus one item step each). @default 12 */
  readonly epochs?: number;
  /** Seed of the factor initialisation. @default 42 */
  readonly seed?: number;
  /** Standard deviation of the normal initialisation. @default 0.1 / sqrt(d) */
  readonly initStd?: number;
  /** Called after each epoch with the training loss (see {@link ialsLoss}). */
  readonly onEpoch?: (progress: { epoch: number; epochs: number; loss: number; seconds: number }) => void;
}

/**
 * Trained factors: `userFactors` is nUsers×d and `itemFactors` nItems×d,
 * both row-major Float32Array. Scores are dot products `x_u · y_i`.
 */
export interface IalsModel {
  readonly dimension: number;
  readonly regularization: number;
  readonly alpha: number;
  readonly epochs: number;
  readonly regularizationExponent: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
}

/**
 * Implicit-feedback matrix factorisation by alternating least squares
 * (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback
 * Datasets", ICDM 2008; settings after Rendle et al. 2021, "Revisiting the
 * Performance of iALS on Item Recommendation Benchmarks").
 *
 * Minimises Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²) with
 * p_ui = 1 for observed entries (0 otherwise) and c_ui = 1 + α·w_ui. Each
 * half-step solves, per row, (YᵀY + λI + Σ_{i∈u} α w_ui y_i y_iᵀ) x_u =
 * Σ_{i∈u} (1 + α w_ui) y_i with a Cholesky factorisation ({@link choleskySolve}).
 * Cost per epoch: O(nnz·d² + (nUsers + nItems)·d³).
 * @throws RangeError for a non-positive dimension, negative λ/α or an empty matrix.
 */
export function trainIals(matrix: ImplicitMatrix, options: IalsOptions = {}): IalsModel {
  const d = options.dimension ?? 64;
  const lambda = options.regularization ?? 0.1;
  const alpha = options.alpha ?? 10;
  const epochs = options.epochs ?? 12;
  const nu = options.regularizationExponent ?? 0;
  if (!Number.isInteger(d) || d < 1)
    throw new RangeError(`iALS dimension must be a positive integer, got ${d}`);
  if (!(lambda >= 0)) throw new RangeError(`iALS regularization must be >= 0, got ${lambda}`);
  if (!(alpha >= 0)) throw new RangeError(`iALS alpha must be >= 0, got ${alpha}`);
  if (matrix.nUsers === 0 || matrix.nItems === 0)
    throw new RangeError('iALS needs at least one user and one item');
  const random = createRandom(options.seed ?? 42);
  const std = options.initStd ?? 0.1 / Math.sqrt(d);
  const x = new Float64Array(matrix.nUsers * d);
  const y = new Float64Array(matrix.nItems * d);
  for (let i = 0; i < x.length; i++) x[i] = random.normal() * std;
  for (let i = 0; i < y.length; i++) y[i] = random.normal() * std;
  const start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    solveSide(
      x,
      y,
      matrix.nUsers,
      matrix.userPtr,
      matrix.userItems,
      matrix.userWeights,
      d,
      lambda,
      alpha,
      nu,
    );
    solveSide(
      y,
      x,
      matrix.nItems,
      matrix.itemPtr,
      matrix.itemUsers,
      matrix.itemWeights,
      d,
      lambda,
      alpha,
      nu,
    );
    if (options.onEpoch) {
      const loss = ialsLoss(matrix, x, y, d, lambda, alpha, nu);
      options.onEpoch({ epoch, epochs, loss, seconds: (performance.now() - start) / 1000 });
    }
  }
  return {
    dimension: d,
    regularization: lambda,
    alpha,
    epochs,
    regularizationExponent: nu,
    userFactors: Float32Array.from(x),
    itemFactors: Float32Array.from(y),
  };
}

/**
 * Gram matrix GᵀG of row-major `factors` (n×d) as a d×d row-major Float64Array
 * (symmetric; sums in float64). O(n·d²/2): rows are taken in blocks of
 * {@link GRAM_BLOCK}, each block copied transposed into a float64 scratch so
 * every upper-triangle entry is a contiguous dot product accumulated in a
 * register (two output columns per pass), then the lower triangle is mirrored.
 * About 0.5 s for 1M × 64 float32 rows on one core.
 * @param factors row i is `scale` times the d values at i·`stride`; only the first n rows are read.
 * @param stride distance between row starts, in values (≥ d; e.g. d + 1 for a view of Y through the
 *   item vectors, see `src/domain/factorRows.ts`). @default d
 * @param scale every value's factor: the sums are of the stored values and multiplied by scale²
 *   at the end (with 1, as training calls it, nothing is multiplied). @default 1
 */
export function gramMatrix(
  factors: ArrayLike<number>,
  n: number,
  d: number,
  stride: number = d,
  scale: number = 1,
): Float64Array {
  const g = new Float64Array(d * d);
  const block = Math.max(1, Math.min(GRAM_BLOCK, n));
  const t = new Float64Array(d * block);
  for (let start = 0; start < n; start += block) {
    const m = Math.min(block, n - start);
    for (let j = 0; j < m; j++) {
      const o = (start + j) * stride;
      for (let p = 0; p < d; p++) t[p * block + j] = factors[o + p]!;
    }
    for (let a = 0; a < d; a++) {
      const ta = a * block;
      const ga = a * d;
      let b = a;
      for (; b + 1 < d; b += 2) {
        const tb = b * block;
        const tc = tb + block;
        let s0 = 0;
        let s1 = 0;
        for (let j = 0; j < m; j++) {
          const v = t[ta + j]!;
          s0 += v * t[tb + j]!;
          s1 += v * t[tc + j]!;
        }
        g[ga + b]! += s0;
        g[ga + b + 1]! += s1;
      }
      if (b < d) {
        const tb = b * block;
        let s0 = 0;
        for (let j = 0; j < m; j++) s0 += t[ta + j]! * t[tb + j]!;
        g[ga + b]! += s0;
      }
    }
  }
  if (scale !== 1) {
    const s2 = scale * scale;
    for (let k = 0; k < g.length; k++) g[k]! *= s2;
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[a * d + b] = g[b * d + a]!;
  return g;
}

/** Rows per block of {@link gramMatrix}: 256 × 64 doubles = 128 KB of scratch, within L2. */
const GRAM_BLOCK = 256;

/**
 * Solves one least-squares row: the user (or item) vector minimising
 * Σ_j c_j (1 − v·y_j)² + Σ_{unobserved} (v·y)² + λ‖v‖² given the fixed other
 * side. This is the iALS half-step for one row, and also the **fold-in** of a
 * new or updated user from (item, weight) interactions.
 * @param gram YᵀY of the fixed side (d×d row-major), see {@link gramMatrix}.
 * @param other the fixed side's factors: row j is `scale` times the d values at j·`stride`.
 * @param rows indices into `other` of the observed entries.
 * @param weights preference strength w_j per observed entry (confidence 1 + α·w_j).
 * @param stride distance between row starts in `other` (see {@link accumulateRows}). @default d
 * @param scale the factor of every value of `other` (see {@link accumulateRows}). @default 1
 * @returns the solved row (length d); all zeros when `rows` is empty.
 * @throws RangeError when the system is not positive definite (only with
 *   λ = 0 and a singular Gram matrix, or NaN input), see {@link choleskySolve}.
 */
export function solveRow(
  gram: Float64Array,
  other: ArrayLike<number>,
  rows: ArrayLike<number>,
  weights: ArrayLike<number>,
  d: number,
  lambda: number,
  alpha: number,
  stride: number = d,
  scale: number = 1,
): Float64Array {
  if (rows.length === 0) return new Float64Array(d);
  const a = gram.slice();
  for (let k = 0; k < d; k++) a[k * d + k]! += lambda;
  const b = new Float64Array(d);
  accumulateRows(a, b, other, rows, weights, d, alpha, stride, scale);
  return choleskySolve(a, b, d);
}

/**
 * The data terms of one row's normal equations (see {@link solveRow}), added
 * in place: `a` += Σ_j α·w_j·y_j·y_jᵀ (upper triangle only, q ≥ p; the strict
 * lower triangle is not touched) and `b` += Σ_j (1 + α·w_j)·y_j, over the
 * observed rows j in order.
 * @param a d×d row-major float64 (e.g. YᵀY + λI, or zeros).
 * @param b length d.
 * @param other the fixed side's factors: y_j = `scale` · (the d values at j·`stride`).
 * @param rows indices into `other`; `weights` the w_j, same length.
 * @param stride distance between row starts in `other`, in values (≥ d; d + 1 when
 *   serving reads Y through the item vectors, `src/domain/factorRows.ts`). @default d
 * @param scale folded into the coefficients, not applied per value: a gets
 *   (α·w_j·scale²)·v·vᵀ and b gets ((1 + α·w_j)·scale)·v for the stored row v.
 *   With 1 (training) the products by it are exact, so the sums are bit for
 *   bit those of the unscaled formula. @default 1
 */
export function accumulateRows(
  a: Float64Array,
  b: Float64Array,
  other: ArrayLike<number>,
  rows: ArrayLike<number>,
  weights: ArrayLike<number>,
  d: number,
  alpha: number,
  stride: number = d,
  scale: number = 1,
): void {
  if (rows.length === 0) return;
  // Σ α·w_j·y_j·y_jᵀ (upper triangle) in blocks of ROW_BLOCK observed rows:
  // each block is gathered transposed (yt[p][j] = y_j[p], ws[p][j] = α·w_j·y_j[p])
  // so the entries are contiguous dot products accumulated in registers,
  // 2×2 output entries per pass (4 independent chains, 4 loads per 4
  // multiply-adds), rather than one store per multiply-add. An odd d gets
  // one zero pad row.
  const block = Math.min(ROW_BLOCK, rows.length);
  const dp = d + (d & 1);
  // Scratch reused across calls (the function is synchronous, so never shared
  // by two calls at once): fold-in runs it per feedback batch and user, and
  // two fresh 32 KB arrays per call showed up as GC time.
  if (scratch.length < 2 * dp * block) scratch = new Float64Array(2 * dp * block);
  const yt = scratch.subarray(0, dp * block);
  const ws = scratch.subarray(dp * block, 2 * dp * block);
  if (dp !== d) {
    yt.fill(0, d * block, dp * block);
    ws.fill(0, d * block, dp * block);
  }
  const scale2 = scale * scale;
  for (let start = 0; start < rows.length; start += block) {
    const m = Math.min(block, rows.length - start);
    for (let j = 0; j < m; j++) {
      const o = rows[start + j]! * stride;
      const w = weights[start + j]!;
      const aw = alpha * w;
      // y = scale·v: α·w·y·yᵀ = (α·w·scale²)·v·vᵀ and (1 + α·w)·y = ((1 + α·w)·scale)·v.
      const extra = aw * scale2;
      const conf = (1 + aw) * scale;
      for (let p = 0; p < d; p++) {
        const vp = other[o + p]!;
        b[p]! += conf * vp;
        yt[p * block + j] = vp;
        ws[p * block + j] = extra * vp;
      }
    }
    for (let p = 0; p < dp; p += 2) {
      const w0 = p * block;
      const w1 = w0 + block;
      for (let q = p; q < dp; q += 2) {
        const y0 = q * block;
        const y1 = y0 + block;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let j = 0; j < m; j++) {
          const u = ws[w0 + j]!;
          const v = ws[w1 + j]!;
          const x = yt[y0 + j]!;
          const y = yt[y1 + j]!;
          s00 += u * x;
          s01 += u * y;
          s10 += v * x;
          s11 += v * y;
        }
        // Pad entries (index d) and the lower-triangle (p+1, p) are not stored.
        a[p * d + q]! += s00;
        if (q > p) a[(p + 1) * d + q]! += s10; // q ≥ p + 2, so p + 1 < d
        if (q + 1 < d) {
          a[p * d + q + 1]! += s01;
          a[(p + 1) * d + q + 1]! += s11;
        }
      }
    }
  }
}

/** Observed rows gathered per block by {@link solveRow} (bounds its scratch memory to 2·d·64 doubles). */
const ROW_BLOCK = 64;
/** {@link solveRow}'s gather buffers, grown on demand. */
let scratch = new Float64Array(0);

function solveSide(
  target: Float64Array,
  fixed: Float64Array,
  nRows: number,
  ptr: Int32Array,
  idx: Int32Array,
  weights: Float32Array,
  d: number,
  lambda: number,
  alpha: number,
  nu: number,
): void {
  const nOther = fixed.length / d;
  const gram = gramMatrix(fixed, nOther, d);
  const eigen = alpha > 0 ? gramEigen(gram, d) : null;
  // The low-rank solves work in the eigenbasis: rotate the fixed side once
  // (nOther·d²) rather than once per observed entry (nnz·d²).
  const rotated = eigen ? rotate(fixed, nOther, d, eigen.q) : null;
  for (let r = 0; r < nRows; r++) {
    const from = ptr[r]!;
    const to = ptr[r + 1]!;
    const rowLambda = rowRegularization(lambda, alpha, nu, to - from, nOther);
    const rows = idx.subarray(from, to);
    const w = weights.subarray(from, to);
    const row =
      eigen && rotated && to - from <= d / 2
        ? solveRowLowRank(eigen, rotated, rows, w, d, rowLambda, alpha)
        : solveRow(gram, fixed, rows, w, d, rowLambda, alpha);
    target.set(row, r * d);
  }
}

/** Rows of `factors` (n×d) times Q (d×d): n×d row-major. */
export function rotate(factors: ArrayLike<number>, n: number, d: number, q: Float64Array): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let p = 0; p < d; p++) {
      const v = factors[o + p]!;
      if (v === 0) continue;
      const qp = p * d;
      for (let k = 0; k < d; k++) out[o + k]! += v * q[qp + k]!;
    }
  }
  return out;
}

/** Eigendecomposition G = Q·diag(values)·Qᵀ of a Gram matrix; `q` is d×d row-major. */
export interface GramEigen {
  readonly q: Float64Array;
  readonly values: Float64Array;
}

/** Symmetric eigendecomposition of a d×d Gram matrix (ml-matrix). */
export function gramEigen(gram: Float64Array, d: number): GramEigen {
  const m = new Matrix(d, d);
  for (let p = 0; p < d; p++) for (let k = 0; k < d; k++) m.set(p, k, gram[p * d + k]!);
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const v = e.eigenvectorMatrix;
  const q = new Float64Array(d * d);
  for (let p = 0; p < d; p++) for (let k = 0; k < d; k++) q[p * d + k] = v.get(p, k);
  return { q, values: Float64Array.from(e.realEigenvalues) };
}

/**
 * The same solution as {@link solveRow}, for rows with few observed entries
 * (n ≤ d/2), by the Woodbury identity: with B = G + λI = Q·diag(Λ+λ)·Qᵀ (one
 * eigendecomposition per half-step serves every λ), A = B + YᵀDY with
 * D = diag(α·w) and b = Σ c_j y_j,
 *   x = B⁻¹b − B⁻¹Yᵀ (D⁻¹ + Y B⁻¹ Yᵀ)⁻¹ Y B⁻¹ b,
 * which needs only an n×n solve: O(n²·d + n³ + d²) instead of O(d³).
 * Requires α > 0 and positive weights.
 * @param rotated the fixed side's factors times Q (see {@link rotate}), n_other×d.
 */
export function solveRowLowRank(
  eigen: GramEigen,
  rotated: ArrayLike<number>,
  rows: ArrayLike<number>,
  weights: ArrayLike<number>,
  d: number,
  lambda: number,
  alpha: number,
): Float64Array {
  const n = rows.length;
  const x = new Float64Array(d);
  if (n === 0) return x;
  const { q, values } = eigen;
  const s = new Float64Array(d);
  for (let k = 0; k < d; k++) s[k] = 1 / (values[k]! + lambda);
  // yq = Y·Q (n×d, rows of `rotated`); bq = Qᵀb = Σ_j c_j yq_j.
  const yq = new Float64Array(n * d);
  const bq = new Float64Array(d);
  for (let j = 0; j < n; j++) {
    const o = rows[j]! * d;
    const c = 1 + alpha * weights[j]!;
    for (let k = 0; k < d; k++) {
      const v = rotated[o + k]!;
      yq[j * d + k] = v;
      bq[k]! += c * v;
    }
  }
  // M = D⁻¹ + yq·diag(s)·yqᵀ (n×n); r = yq·(s ⊙ bq).
  const m = new Float64Array(n * n);
  const r = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    let rj = 0;
    for (let k = 0; k < d; k++) rj += yq[j * d + k]! * s[k]! * bq[k]!;
    r[j] = rj;
    for (let l = j; l < n; l++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += yq[j * d + k]! * s[k]! * yq[l * d + k]!;
      if (l === j) v += 1 / (alpha * weights[j]!);
      m[j * n + l] = v;
      m[l * n + j] = v;
    }
  }
  // M is symmetric positive definite (D⁻¹ > 0 plus a Gram matrix): Cholesky.
  const t = choleskySolve(m, Float64Array.from(r), n);
  // x = Q·(s ⊙ (bq − yqᵀt)).
  const z = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    let v = bq[k]!;
    for (let j = 0; j < n; j++) v -= yq[j * d + k]! * t[j]!;
    z[k] = s[k]! * v;
  }
  for (let p = 0; p < d; p++) {
    let v = 0;
    for (let k = 0; k < d; k++) v += q[p * d + k]! * z[k]!;
    x[p] = v;
  }
  return x;
}

/**
 * λ for one row under frequency scaling: λ·(α·n + nOther)^ν (ν = 0 → λ).
 * Used by training and by fold-in so both solve the same problem.
 */
export function rowRegularization(
  lambda: number,
  alpha: number,
  nu: number,
  n: number,
  nOther: number,
): number {
  return nu === 0 ? lambda : lambda * Math.pow(alpha * n + nOther, nu);
}

/**
 * The iALS objective (see {@link trainIals}, with row λ from
 * {@link rowRegularization} for exponent `nu`) computed in O(nnz·d + n·d²) with
 * the Gram trick: Σ_u x_uᵀ(YᵀY)x_u covers every (u, i) pair as if unobserved,
 * and each observed entry then adds c(1 − s)² − s² for s = x_u·y_i.
 */
export function ialsLoss(
  matrix: ImplicitMatrix,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
  lambda: number,
  alpha: number,
  nu = 0,
): number {
  const gram = gramMatrix(y, matrix.nItems, d);
  let loss = 0;
  for (let u = 0; u < matrix.nUsers; u++) {
    const o = u * d;
    for (let p = 0; p < d; p++) {
      let gp = 0;
      for (let q = 0; q < d; q++) gp += gram[p * d + q]! * x[o + q]!;
      loss += x[o + p]! * gp;
    }
    for (let j = matrix.userPtr[u]!; j < matrix.userPtr[u + 1]!; j++) {
      const io = matrix.userItems[j]! * d;
      let s = 0;
      for (let p = 0; p < d; p++) s += x[o + p]! * y[io + p]!;
      const c = 1 + alpha * matrix.userWeights[j]!;
      loss += c * (1 - s) * (1 - s) - s * s;
    }
  }
  // Regularisation with each row's own λ (frequency-scaled when ν ≠ 0).
  const rowNormTerm = (f: ArrayLike<number>, ptr: Int32Array, nRows: number, nOther: number): number => {
    let total = 0;
    for (let r = 0; r < nRows; r++) {
      let norm = 0;
      for (let p = 0; p < d; p++) norm += f[r * d + p]! ** 2;
      total += rowRegularization(lambda, alpha, nu, ptr[r + 1]! - ptr[r]!, nOther) * norm;
    }
    return total;
  };
  return (
    loss +
    rowNormTerm(x, matrix.userPtr, matrix.nUsers, matrix.nItems) +
    rowNormTerm(y, matrix.itemPtr, matrix.nItems, matrix.nUsers)
  );
}
