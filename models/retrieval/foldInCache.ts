import { choleskySolve } from './choleskySolve.js';
import type { FoldInModel } from './foldIn.js';
import { accumulateRows, rowRegularization } from './trainIals.js';

/** One cached user: the normal equations of their last fold-in and what they were built from. */
interface CacheEntry {
  /** Item row → merged weight w that `m` and `b` hold. */
  weights: Map<number, number>;
  /** M = YᵀY + λ·I + Σ α·w_i·y_i·y_iᵀ, d×d row-major float64, upper triangle (q ≥ p) only. */
  readonly m: Float64Array;
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
 * RecSys, §3). The system is then solved exactly ({@link choleskySolve}), so
 * the result equals a fresh fold-in up to floating-point rounding (relative
 * ~1e-15 before the float32 result; see the tests).
 *
 * An entry is used only when the caller's current vector is bitwise the one
 * that entry last returned (so a vector written by anyone else, a reseeded
 * store or a restart starts from scratch), when at most half of the items
 * differ, and for at most {@link MAX_RANK_ONE_UPDATES} updates in a row
 * (bounding rounding drift); otherwise M_u and b_u are accumulated from
 * scratch with exactly the operations of `solveRow` (trainIals.ts), which then gives
 * bitwise the vector of `foldInUser` (foldIn.ts). Least recently used users are
 * evicted past `maxEntries` (each entry holds d² + d float64s: 32 KB at
 * d = 64). Synchronous and single-threaded, like the rest of fold-in.
 */
export class FoldInCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Scratch copies of M and b for the in-place solve. */
  private readonly a: Float64Array;
  private readonly rhs: Float64Array;
  /** Fold-ins served by rank-one updates / from scratch (for tests and profiling). */
  readonly stats = { incremental: 0, fresh: 0 };

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
    const nItems = y.length / d;
    if (items.length !== weights.length) {
      throw new RangeError(`fold-in: ${items.length} items but ${weights.length} weights`);
    }
    const merged = new Map<number, number>();
    for (let k = 0; k < items.length; k++) {
      const i = items[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= nItems)
        throw new RangeError(`fold-in: item index ${i} outside 0..${nItems - 1}`);
      const w = weights[k]!;
      if (w > 0 && Number.isFinite(w)) merged.set(i, (merged.get(i) ?? 0) + w);
    }
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
      applyChanges(entry, changes, y, model.alpha, d);
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
      m.set(model.gram);
      for (let p = 0; p < d; p++) m[p * d + p]! += lambda;
      b.fill(0);
      accumulateRows(m, b, y, [...merged.keys()], [...merged.values()], d, model.alpha);
      entry = { weights: merged, m, b, lambda, vector: new Float32Array(d), updates: 0 };
      this.stats.fresh++;
    }

    // The Cholesky solve overwrites its inputs' lower triangle and right-hand side: solve on copies.
    const a = this.a;
    a.set(entry.m);
    const b = this.rhs;
    b.set(entry.b);
    const x = Float32Array.from(choleskySolve(a, b, d));
    entry.vector.set(x);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
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
 * for two rank-one terms).
 */
function applyChanges(
  entry: CacheEntry,
  changes: readonly Change[],
  y: Float32Array,
  alpha: number,
  d: number,
): void {
  const { m, b } = entry;
  for (const [row, dw, present] of changes) {
    const cb = present + alpha * dw;
    const o = row * d;
    for (let p = 0; p < d; p++) b[p]! += cb * y[o + p]!;
  }
  let k = 0;
  for (; k + 2 <= changes.length; k += 2) {
    const o0 = changes[k]![0] * d;
    const c0 = alpha * changes[k]![1];
    const o1 = changes[k + 1]![0] * d;
    const c1 = alpha * changes[k + 1]![1];
    for (let p = 0; p < d; p++) {
      const u0 = c0 * y[o0 + p]!;
      const u1 = c1 * y[o1 + p]!;
      const r = p * d;
      for (let q = p; q < d; q++) m[r + q]! += u0 * y[o0 + q]! + u1 * y[o1 + q]!;
    }
  }
  if (k < changes.length) {
    const o = changes[k]![0] * d;
    const c = alpha * changes[k]![1];
    for (let p = 0; p < d; p++) {
      const u = c * y[o + p]!;
      const r = p * d;
      for (let q = p; q < d; q++) m[r + q]! += u * y[o + q]!;
    }
  }
}
