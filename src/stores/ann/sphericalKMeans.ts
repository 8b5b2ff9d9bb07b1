import type { Random } from '../../domain/random.js';
import { RowScorer } from '../embedded/rowScorer.js';

/** Options of {@link sphericalKMeans}. */
export interface SphericalKMeansOptions {
  /** Number of centroids, 1 ≤ k ≤ members. */
  readonly k: number;
  /** Lloyd iterations at most (fewer when no assignment changes), ≥ 1. */
  readonly iterations: number;
  /** Picks the k initial centroids among the members (distinct members, uniformly). */
  readonly random: Random;
  /** Initial centroids instead (k×dimension, row-major, unit): for hand-worked examples and warm starts. @default none */
  readonly initial?: Float32Array;
}

/**
 * Spherical k-means (Dhillon & Modha, "Concept decompositions for large
 * sparse text data using clustering", Machine Learning 42, 2001): on unit
 * vectors, assign each to the centroid of largest inner product (cosine),
 * then set each centroid to the normalised mean of its members; repeat
 * (Lloyd iterations) until `iterations` or until no assignment changes.
 *
 * - Scores against the centroids are computed with the SIMD kernel of
 *   {@link RowScorer} (float32); ties go to the lower centroid.
 * - A centroid left without members is re-seeded deterministically: empty
 *   centroids, in index order, take the members worst served by their
 *   centroid (lowest best score first; FAISS re-seeds by splitting instead).
 *   A cluster whose members sum to zero keeps its centroid.
 *
 * @param rows row-major vectors, `stride` floats per row, the first `dimension` used; unit or zero rows.
 * @param members the rows to cluster (indices into `rows`), m of them.
 * @returns k unit centroids, k×dimension row-major. O(iterations · m · k · dimension).
 * @throws RangeError when k is not an integer in 1..m, or `initial` has the wrong length.
 */
export function sphericalKMeans(
  rows: Float32Array,
  stride: number,
  dimension: number,
  members: Int32Array,
  options: SphericalKMeansOptions,
): Float32Array {
  const { k, iterations } = options;
  const m = members.length;
  const d = dimension;
  if (!Number.isInteger(k) || k < 1 || k > m) {
    throw new RangeError(`k-means: expected k to be an integer in 1..${m} (the members), received ${k}`);
  }
  const centroids = new Float32Array(k * d);
  if (options.initial !== undefined) {
    if (options.initial.length !== k * d) {
      throw new RangeError(
        `k-means: expected ${k}×${d} initial centroid values, received ${options.initial.length}`,
      );
    }
    centroids.set(options.initial);
  } else {
    // k distinct members: a partial Fisher–Yates shuffle of the member positions.
    const pick = Int32Array.from({ length: m }, (_, j) => j);
    for (let c = 0; c < k; c++) {
      const j = options.random.int(c, m - 1);
      const t = pick[c]!;
      pick[c] = pick[j]!;
      pick[j] = t;
      const r = members[pick[c]!]! * stride;
      centroids.set(rows.subarray(r, r + d), c * d);
    }
  }
  const scorer = new RowScorer(d, k);
  const load = (): void => {
    for (let c = 0; c < k; c++) scorer.rows.set(centroids.subarray(c * d, (c + 1) * d), c * scorer.stride);
  };
  load();
  const assigned = new Int32Array(m).fill(-1);
  const best = new Float64Array(m);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let it = 0; it < iterations; it++) {
    let changed = 0;
    sums.fill(0);
    counts.fill(0);
    for (let j = 0; j < m; j++) {
      const r = members[j]! * stride;
      const x = rows.subarray(r, r + d);
      const scores = scorer.scores(x, k);
      let c = 0;
      let s = scores[0]!;
      for (let i = 1; i < k; i++) {
        if (scores[i]! > s) {
          s = scores[i]!;
          c = i;
        }
      }
      best[j] = s;
      if (assigned[j] !== c) changed++;
      assigned[j] = c;
      counts[c]!++;
      const off = c * d;
      for (let p = 0; p < d; p++) sums[off + p]! += x[p]!;
    }
    // Unchanged assignments: the centroids already are their members' normalised means.
    if (changed === 0) break;
    const empty: number[] = [];
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        empty.push(c);
        continue;
      }
      const off = c * d;
      let norm = 0;
      for (let p = 0; p < d; p++) norm += sums[off + p]! ** 2;
      norm = Math.sqrt(norm);
      if (norm > 0) for (let p = 0; p < d; p++) centroids[off + p] = sums[off + p]! / norm;
    }
    if (empty.length > 0) reseed(empty, centroids, rows, stride, d, members, best);
    load();
  }
  return centroids;
}

/** Gives each empty centroid the member with the lowest best score not yet taken (ties: lower member). */
function reseed(
  empty: readonly number[],
  centroids: Float32Array,
  rows: Float32Array,
  stride: number,
  d: number,
  members: Int32Array,
  best: Float64Array,
): void {
  const order = Array.from({ length: members.length }, (_, j) => j).sort(
    (a, b) => best[a]! - best[b]! || a - b,
  );
  let next = 0;
  for (const c of empty) {
    if (next >= order.length) break;
    const r = members[order[next++]!]! * stride;
    centroids.set(rows.subarray(r, r + d), c * d);
  }
}

/**
 * The centroid of largest inner product for each member (ties: lower
 * centroid), with the SIMD kernel. O(m · k · dimension).
 * @param centroids k×dimension, row-major.
 * @param out one centroid index per member (length ≥ members.length).
 * @param onRows called after every 65,536 members with the count done. @default none
 */
export function assignToCentroids(
  rows: Float32Array,
  stride: number,
  dimension: number,
  members: Int32Array,
  centroids: Float32Array,
  out: Int32Array,
  onRows?: (done: number) => void,
): void {
  const d = dimension;
  const k = centroids.length / d;
  if (k < 1) return;
  const scorer = new RowScorer(d, k);
  for (let c = 0; c < k; c++) scorer.rows.set(centroids.subarray(c * d, (c + 1) * d), c * scorer.stride);
  for (let j = 0; j < members.length; j++) {
    const r = members[j]! * stride;
    const scores = scorer.scores(rows.subarray(r, r + d), k);
    let c = 0;
    let s = scores[0]!;
    for (let i = 1; i < k; i++) {
      if (scores[i]! > s) {
        s = scores[i]!;
        c = i;
      }
    }
    out[j] = c;
    if (onRows !== undefined && (j + 1) % 65_536 === 0) onRows(j + 1);
  }
}
