import type { FactorRows } from '../../src/domain/factorRows.js';
import { decodeTableOf } from '../../src/domain/itemVectors.js';
import { choleskyFactorSolve, choleskyRankOne, choleskyRankTwo, choleskySolve } from './choleskySolve.js';
import type { FoldInModel } from './foldIn.js';
import { listedRows, mergeFoldInItems } from './foldIn.js';
import { accumulateRows, rowRegularization } from './trainIals.js';

/** One cached user: the normal equations of their last fold-in and what they were built from. */
interface CacheEntry {
  /** Item row → merged weight w that `m` and `b` hold. */
  weights: Map<number, number>;
  /**
   * M = YᵀY + λ·I + Σ α·w_i·y_i·y_iᵀ, d×d row-major float64, in the upper
   * triangle (q ≥ p). The strict lower triangle holds the strict lower part of
   * the Cholesky factor L of M − (λ − lambdaRef)·I, when `factored`.
   */
  readonly m: Float64Array;
  /** The diagonal of L (see `m`), when `factored`. */
  readonly diag: Float64Array;
  /** Whether `m`'s lower triangle and `diag` hold a valid factor. */
  factored: boolean;
  /** The λ on the diagonal of the matrix L factors (λ of M when L was last computed from scratch). */
  lambdaRef: number;
  /** b = Σ (1 + α·w_i)·y_i, length d. */
  readonly b: Float64Array;
  /** The λ on M's diagonal. */
  lambda: number;
  /** The vector this entry's last fold-in returned (a copy). */
  readonly vector: Float32Array;
  /** Rank-one updates applied since M was last accumulated from scratch. */
  updates: number;
}

/**
 * Per-user cache of the fold-in normal equations (Hu, Koren & Volinsky 2008,
 * eq. 4): M_u·x_u = b_u with M_u = YᵀY + λ_u·I + Σ_{i∈u} α·w_ui·y_i·y_iᵀ and
 * b_u = Σ_{i∈u} (1 + α·w_ui)·y_i.
 *
 * Fold-in from scratch spends most of its time accumulating M_u (n·d²/2
 * multiply-adds for n items, about twice the d³/6 of the Cholesky solve at
 * n = 50, d = 64). Between two fold-ins of one user the history usually
 * changes by one or two items, so the cache keeps M_u and b_u and applies the
 * difference: a rank-one term α·Δw·y·yᵀ per changed item (d²/2 each) and a
 * shift of the diagonal when λ_u changes (frequency-scaled λ depends on the
 * item count) — the "keep the per-user Σ terms between updates" idea of
 * incremental iALS (Takács, Pilászy & Tikk 2011, "Applications of the
 * conjugate gradient method for implicit feedback collaborative filtering",
 * RecSys, §3). The system is then solved exactly, so the result equals a
 * fresh fold-in up to floating-point rounding (relative ~1e-15 before the
 * float32 result; see the tests).
 *
 * The entry also keeps the Cholesky factor L of M, so the solve usually
 * costs O(d²) rather than the d³/6 of factoring again: each changed item is a
 * rank-one update or downdate of L ({@link choleskyRankOne}; Golub & Van Loan
 * §6.5.4), then two triangular solves. A change of λ_u (the item count
 * changed under frequency-scaled λ, ν > 0) shifts the whole diagonal, which
 * no rank-one step follows; then, and when more than
 * {@link MAX_FACTOR_CHANGES} items changed or a downdate loses too much to
 * cancellation ({@link DOWNDATE_MIN_RATIO}), L is computed again from M by
 * {@link choleskySolve}. Both are exact solves of the same M·x = b, so the
 * result still equals a fresh fold-in up to rounding (see the tests).
 *
 * An entry is used only when the caller's current vector is bitwise the one
 * that entry last returned (so a vector written by anyone else, a reseeded
 * store or a restart starts from scratch), when at most half of the items
 * differ, and for at most {@link MAX_RANK_ONE_UPDATES} updates in a row
 * (bounding rounding drift); otherwise M_u and b_u are accumulated from
 * scratch with exactly the operations of `solveRow` (trainIals.ts), which then gives
 * bitwise the vector of `foldInUser` (foldIn.ts). Least recently used users are
 * evicted past `maxEntries` (each entry holds d² + 2d float64s, M and L
 * sharing one d×d array: 32 KB at d = 64). Item factors are read through the
 * model's `FactorRows` (a view through the item vectors when served), the
 * same way on both paths. Synchronous and single-threaded,
 * like the rest of fold-in.
 */
export class FoldInCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Scratch copies of M and b for the in-place solve. */
  private readonly a: Float64Array;
  private readonly rhs: Float64Array;
  /** Scratch: the vectors of two rank-one factor steps. */
  private readonly v: Float64Array;
  private readonly w: Float64Array;
  /** Fold-ins served by rank-one updates of M / from scratch (for tests and profiling). */
  readonly stats = { incremental: 0, fresh: 0 };
  /** Solves by the updated factor / by factoring M again (for tests and profiling). */
  readonly solves = { updated: 0, factored: 0 };

  /**
   * @param model the fold-in model every call uses (the cache belongs to it).
   * @param maxEntries users kept (≥ 1). @default enough for 32 MB of matrices
   * @throws RangeError for a `maxEntries` below 1.
   */
  constructor(
    readonly model: FoldInModel,
    readonly maxEntries: number = Math.max(1, Math.floor(FOLD_IN_CACHE_BYTES / (8 * model.dimension ** 2))),
  ) {
    if (!(maxEntries >= 1)) throw new RangeError(`FoldInCache: maxEntries must be ≥ 1, got ${maxEntries}`);
    this.a = new Float64Array(model.dimension * model.dimension);
    this.rhs = new Float64Array(model.dimension);
    this.v = new Float64Array(model.dimension);
    this.w = new Float64Array(model.dimension);
  }

  /**
   * The same vector as `foldInUser(model, items, weights)`, reusing `key`'s
   * cached normal equations when `current` is the vector its last fold-in
   * returned.
   * @param key the user id.
   * @param items item row indices; duplicates are merged by summing weights.
   * @param weights preference strength per item (only finite w > 0 count).
   * @param current the user's stored vector, or null.
   * @returns a length-d Float32Array; all zeros when no item has a positive weight.
   * @throws RangeError when the arrays differ in length or an index is out of
   *   range, or (NaN factors) the system is not positive definite.
   */
  foldIn(
    key: string,
    items: readonly number[],
    weights: readonly number[],
    current: Float32Array | null,
  ): Float32Array {
    const model = this.model;
    const d = model.dimension;
    const y = model.itemFactors;
    const nItems = y.count;
    const merged = mergeFoldInItems(items, weights, nItems);
    if (merged.size === 0) return new Float32Array(d);

    const lambda = rowRegularization(
      model.regularization,
      model.alpha,
      model.regularizationExponent,
      merged.size,
      nItems,
    );
    let entry = this.entries.get(key);
    if (entry !== undefined) this.entries.delete(key); // re-inserted below as the most recent
    const changes =
      entry !== undefined && sameVector(entry.vector, current) ? diff(entry.weights, merged) : null;
    if (
      entry !== undefined &&
      changes !== null &&
      2 * changes.length <= merged.size &&
      entry.updates + changes.length <= MAX_RANK_ONE_UPDATES
    ) {
      applyChanges(entry, changes, y, model.alpha, this.v, this.w);
      if (lambda !== entry.lambda) {
        const shift = lambda - entry.lambda;
        for (let p = 0; p < d; p++) entry.m[p * d + p]! += shift;
        entry.lambda = lambda;
      }
      entry.updates += changes.length;
      entry.weights = merged;
      this.stats.incremental++;
    } else {
      // From scratch, with solveRow's operations: M = (YᵀY + λI) + data terms.
      const m = entry?.m ?? new Float64Array(d * d);
      const b = entry?.b ?? new Float64Array(d);
      const diag = entry?.diag ?? new Float64Array(d);
      m.set(model.gram);
      for (let p = 0; p < d; p++) m[p * d + p]! += lambda;
      b.fill(0);
      const listed = listedRows(y, [...merged.keys()]);
      accumulateRows(
        m,
        b,
        listed.values,
        listed.rows,
        [...merged.values()],
        d,
        model.alpha,
        listed.stride,
        y.scale,
      );
      entry = {
        weights: merged,
        m,
        b,
        diag,
        factored: false,
        lambdaRef: lambda,
        lambda,
        vector: new Float32Array(d),
        updates: 0,
      };
      this.stats.fresh++;
    }

    let solved: Float64Array | null = null;
    if (
      entry.factored &&
      changes !== null &&
      changes.length <= MAX_FACTOR_CHANGES &&
      lambda === entry.lambdaRef
    ) {
      solved = this.updateFactor(entry, changes) ? this.factorSolve(entry) : null;
    }
    if (solved === null) solved = this.factorAndSolve(entry);
    const x = new Float32Array(solved);
    entry.vector.set(x);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return x;
  }

  /**
   * Applies `changes` to the entry's factor: L·Lᵀ + α·Δw·y·yᵀ per changed item
   * (an update for Δw > 0, a downdate for Δw < 0, nothing for α·Δw = 0).
   * @returns false when a downdate fails (the factor is then invalid).
   */
  private updateFactor(entry: CacheEntry, changes: readonly Change[]): boolean {
    const d = this.model.dimension;
    const { v, w } = this;
    let ok = true;
    let pending = false; // v holds a step not applied yet (applied with the next one, in one sweep)
    let signV: 1 | -1 = 1;
    for (const [row, dw] of changes) {
      const c = this.model.alpha * dw;
      if (c === 0) continue;
      const sign = c > 0 ? 1 : -1;
      if (!pending) {
        this.scaledRow(v, row, c);
        signV = sign;
        pending = true;
      } else {
        this.scaledRow(w, row, c);
        ok = choleskyRankTwo(entry.m, entry.diag, d, v, signV, w, sign, DOWNDATE_MIN_RATIO);
        pending = false;
        if (!ok) break;
      }
    }
    if (ok && pending) ok = choleskyRankOne(entry.m, entry.diag, d, v, signV, DOWNDATE_MIN_RATIO);
    if (!ok) entry.factored = false;
    return ok;
  }

  /** out = √|c|·y_row, the vector whose outer product is |c|·y·yᵀ (y = scale·v for the stored row v). */
  private scaledRow(out: Float64Array, row: number, c: number): void {
    const d = this.model.dimension;
    const { values, stride, scale } = this.model.itemFactors;
    const k = Math.sqrt(Math.abs(c)) * scale;
    const o = row * stride;
    const table = decodeTableOf(values);
    for (let p = 0; p < d; p++) out[p] = k * (table === null ? values[o + p]! : table[values[o + p]!]!);
  }

  /** x with M·x = b by the entry's (updated) factor, in the solve scratch. */
  private factorSolve(entry: CacheEntry): Float64Array {
    const x = this.rhs;
    x.set(entry.b);
    this.solves.updated++;
    return choleskyFactorSolve(entry.m, entry.diag, this.model.dimension, x);
  }

  /**
   * Solves M·x = b by {@link choleskySolve} (exactly as a fresh fold-in does)
   * and keeps the factor it computed in the entry.
   * @returns x in the solve scratch.
   * @throws RangeError when M is not positive definite.
   */
  private factorAndSolve(entry: CacheEntry): Float64Array {
    const d = this.model.dimension;
    const { m, diag } = entry;
    // The Cholesky solve overwrites its inputs' lower triangle and right-hand side: solve on copies.
    const a = this.a;
    a.set(m);
    const x = this.rhs;
    x.set(entry.b);
    entry.factored = false;
    choleskySolve(a, x, d);
    for (let i = 0; i < d; i++) {
      const ri = i * d;
      for (let k = 0; k < i; k++) m[ri + k] = a[ri + k]!;
      diag[i] = a[ri + i]!;
    }
    entry.factored = true;
    entry.lambdaRef = entry.lambda;
    this.solves.factored++;
    return x;
  }

  /** Users cached now. */
  get size(): number {
    return this.entries.size;
  }
}

/** Memory budget of a {@link FoldInCache}'s matrices by default, in bytes. */
export const FOLD_IN_CACHE_BYTES = 32 * 1024 * 1024;
/** Rank-one updates applied to one cached M before it is accumulated from scratch again. */
export const MAX_RANK_ONE_UPDATES = 64;
/** Most changed items one fold-in applies to the cached factor; past it, M is factored again. */
export const MAX_FACTOR_CHANGES = 4;
/**
 * A downdate step whose pivot r² falls below this share of L_kk² (cancellation:
 * the item's term was most of that diagonal) gives up, and M is factored again.
 */
export const DOWNDATE_MIN_RATIO = 1e-3;

function sameVector(cached: Float32Array, current: Float32Array | null): boolean {
  if (current === null || current.length !== cached.length) return false;
  for (let p = 0; p < cached.length; p++) if (!Object.is(cached[p], current[p])) return false;
  return true;
}

/**
 * (row, new w − old w, Δpresent) for every item whose weight differs between
 * `from` and `to`; Δpresent is +1 for an item only in `to`, −1 for one only in `from`, else 0.
 */
function diff(from: ReadonlyMap<number, number>, to: ReadonlyMap<number, number>): Change[] {
  const out: Change[] = [];
  for (const [row, w] of to) {
    const old = from.get(row);
    if (old === undefined) out.push([row, w, 1]);
    else if (w !== old) out.push([row, w - old, 0]);
  }
  for (const [row, w] of from) if (!to.has(row)) out.push([row, -w, -1]);
  return out;
}

/** One weight change of {@link diff}: item row, Δw, Δpresent. */
type Change = readonly [number, number, number];

/**
 * Applies weight changes to an entry's M and b: for each (row, Δw, Δpresent),
 * M += α·Δw·y·yᵀ (upper triangle) and b += (Δpresent + α·Δw)·y (b's term of
 * an item is (1 + α·w)·y). Changes are applied two at a time (one pass over M
 * for two rank-one terms), their rows first copied to float64 scratch (`s0`,
 * `s1`, length d): the same values (float32 or binary16 → float64 is exact), without a
 * conversion per multiply-add. The rows' scale (y = scale·v) is folded into
 * the coefficients: α·Δw·scale² for M, (Δpresent + α·Δw)·scale for b.
 */
function applyChanges(
  entry: CacheEntry,
  changes: readonly Change[],
  y: FactorRows,
  alpha: number,
  s0: Float64Array,
  s1: Float64Array,
): void {
  const { m, b } = entry;
  const { values, dimension: d, stride, scale } = y;
  const table = decodeTableOf(values);
  const scale2 = scale * scale;
  for (const [row, dw, present] of changes) {
    const cb = (present + alpha * dw) * scale;
    const o = row * stride;
    for (let p = 0; p < d; p++) b[p]! += cb * (table === null ? values[o + p]! : table[values[o + p]!]!);
  }
  let k = 0;
  for (; k + 2 <= changes.length; k += 2) {
    const o0 = changes[k]![0] * stride;
    const c0 = alpha * changes[k]![1] * scale2;
    const o1 = changes[k + 1]![0] * stride;
    const c1 = alpha * changes[k + 1]![1] * scale2;
    for (let p = 0; p < d; p++) {
      s0[p] = table === null ? values[o0 + p]! : table[values[o0 + p]!]!;
      s1[p] = table === null ? values[o1 + p]! : table[values[o1 + p]!]!;
    }
    for (let p = 0; p < d; p++) {
      const u0 = c0 * s0[p]!;
      const u1 = c1 * s1[p]!;
      const r = p * d;
      for (let q = p; q < d; q++) m[r + q]! += u0 * s0[q]! + u1 * s1[q]!;
    }
  }
  if (k < changes.length) {
    const o = changes[k]![0] * stride;
    const c = alpha * changes[k]![1] * scale2;
    for (let p = 0; p < d; p++) s0[p] = table === null ? values[o + p]! : table[values[o + p]!]!;
    for (let p = 0; p < d; p++) {
      const u = c * s0[p]!;
      const r = p * d;
      for (let q = p; q < d; q++) m[r + q]! += u * s0[q]!;
    }
  }
}
