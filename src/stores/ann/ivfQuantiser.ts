import type { ItemVectors } from '../../domain/itemVectors.js';
import { readVectorValues } from '../../domain/itemVectors.js';
import type { Random } from '../../domain/random.js';
import type { IvfAssignment } from './ivfCacheFile.js';
import { assignToCentroids, sphericalKMeans } from './sphericalKMeans.js';

/** Progress of a long build: a stage name and how far it is. */
export interface IvfBuildProgress {
  /** `coarse` (first-level training and assignment, rows), `lists` (second level, groups) or `copy` (rows; only when the index copies them: storage `float32`). */
  readonly stage: 'coarse' | 'lists' | 'copy';
  readonly done: number;
  readonly total: number;
}

/** The coarse quantiser of an IVF index: its centroids and the list of every row. */
export interface IvfQuantiser {
  /** Number of lists (non-empty, ≤ the lists asked for). */
  readonly lists: number;
  /** lists×dimension unit centroids, row-major. */
  readonly centroids: Float32Array;
  /** The list of each row (0 ≤ listOf[r] < lists). */
  readonly listOf: Int32Array;
}

/**
 * The rows an IVF quantiser is trained on, read a few at a time (issue #6:
 * training on float16 rows used to decode all of them into one float32 copy,
 * n × dimension × 4 bytes: 256 MB at 1M × 64, the start-up peak of a
 * gateway's first start of a 1M-item version, 717 MB). Rows are unit (or
 * zero) vectors of `dimension` values.
 */
export interface IvfRows {
  /** Number of rows, n. */
  readonly count: number;
  readonly dimension: number;
  /** Writes row `indices[j]` to `out[j·dimension ..]` for every j (out holds at least indices.length rows). */
  gather(indices: Int32Array, out: Float32Array): void;
}

/** {@link IvfRows} over float32 rows kept `stride` floats apart (the first `dimension` of each used). */
export function stridedIvfRows(
  rows: Float32Array,
  stride: number,
  dimension: number,
  count: number,
): IvfRows {
  return {
    count,
    dimension,
    gather(indices, out) {
      for (let j = 0; j < indices.length; j++) {
        const r = indices[j]! * stride;
        out.set(rows.subarray(r, r + dimension), j * dimension);
      }
    },
  };
}

/**
 * {@link IvfRows} over item vectors of `width` values a row, float32 or
 * halves (decoded as {@link readVectorValues} decodes them; no copy of all rows).
 */
export function itemVectorIvfRows(vectors: ItemVectors, width: number): IvfRows {
  return {
    count: vectors.length / width,
    dimension: width,
    gather(indices, out) {
      for (let j = 0; j < indices.length; j++) {
        readVectorValues(vectors, width, indices[j]! * width, out.subarray(j * width, (j + 1) * width));
      }
    },
  };
}

/** Rows gathered at a time by the assignment of every row to the first-level centroids (16 MB at 64 dimensions). */
const ASSIGN_CHUNK_ROWS = 65_536;

/** Training rows per second-level centroid at least, when the group has them (FAISS asks for 39 to 256). */
const ROWS_PER_CENTROID = 64;

/**
 * Trains the coarse quantiser of an IVF index over rows 0 .. n − 1 and
 * assigns every row to a list, by two-level spherical k-means
 * ({@link sphericalKMeans}; a hierarchical k-means as in Nistér & Stewénius,
 * "Scalable recognition with a vocabulary tree", CVPR 2006, two levels deep):
 *
 * 1. G = round(√L) first-level centroids are trained on `trainingSample`
 *    rows (seeded, without replacement), and every row is assigned to one;
 * 2. each group g of n_g rows gets L_g = max(1, round(L · n_g / n)) lists
 *    (at most n_g), trained on max(64·L_g, trainingSample·n_g/n) of its rows
 *    (all when fewer, seeded) and every row of the group is assigned to one.
 *
 * The result is a partition of the rows into about L lists, each centroid
 * the normalised mean of its training members; searches score all L
 * centroids flat. Why two levels: flat k-means costs n·L·d multiply-adds per
 * assignment pass (1M × 4,096 × 68 ≈ 2.8·10¹¹: about two minutes at the
 * ~2·10⁹/s the SIMD kernel reached on the bench machine, and as much again
 * to train on 64k rows × 10 iterations), two levels n·(G + L/G)·d (≈ 8.7·10⁹).
 * Measured at 1M × 65 with 4,095 lists: 14.3 s of CPU in all (first level
 * 4.7 s, second 7.4 s; the rest is normalising and reordering rows),
 * 2.4 s at 100k; the 1M HNSW graph takes 458 s on two idle threads. The
 * price: a row is in the best list of its group, not always the best of
 * all L (rows near a group boundary). Recall@100 at 1M levels off near
 * 0.98 as probes grow (BENCHMARKS.md); whether those boundary rows cause
 * it was not measured (flat k-means at 1M was not run). Empty lists are dropped.
 *
 * Rows are read through `source` a group at a time (the training sample,
 * 65,536 rows of the first-level assignment, one group), so the extra memory
 * is about (trainingSample + 65,536 + n / G) × dimension × 4 bytes. The
 * result does not depend on how the rows are kept: k-means and the
 * assignment see the same values in the same order.
 *
 * @param source the rows (unit or zero vectors), n = `source.count`.
 * @param lists L, 1 ≤ L (capped at n).
 * @returns the quantiser; for n = 0, no lists.
 */
export function trainIvfQuantiser(
  source: IvfRows,
  options: {
    readonly lists: number;
    readonly trainingSample: number;
    readonly iterations: number;
    readonly random: Random;
    readonly onProgress?: (p: IvfBuildProgress) => void;
  },
): IvfQuantiser {
  const n = source.count;
  const d = source.dimension;
  if (n === 0) return { lists: 0, centroids: new Float32Array(0), listOf: new Int32Array(0) };
  const { random, iterations, onProgress } = options;
  const L = Math.max(1, Math.min(options.lists, n));
  const sampleSize = Math.min(n, Math.max(1, options.trainingSample));
  const sample = sampleRows(n, sampleSize, random);
  const G = Math.max(1, Math.min(Math.round(Math.sqrt(L)), sampleSize));
  const group = new Int32Array(n);
  const coarse = sphericalKMeans(gathered(source, sample), d, d, identity(sampleSize), {
    k: G,
    iterations,
    random,
  });
  const chunk = new Float32Array(Math.min(n, ASSIGN_CHUNK_ROWS) * d);
  const chunkRows = new Int32Array(Math.min(n, ASSIGN_CHUNK_ROWS));
  for (let start = 0; start < n; start += ASSIGN_CHUNK_ROWS) {
    const m = Math.min(ASSIGN_CHUNK_ROWS, n - start);
    const rows = chunkRows.subarray(0, m);
    for (let j = 0; j < m; j++) rows[j] = start + j;
    source.gather(rows, chunk);
    assignToCentroids(chunk, d, d, identity(m), coarse, group.subarray(start, start + m));
    if (start + m < n) onProgress?.({ stage: 'coarse', done: start + m, total: n });
  }
  onProgress?.({ stage: 'coarse', done: n, total: n });

  // Rows by group (counting sort, row order kept within a group).
  const groupStart = new Int32Array(G + 1);
  for (let r = 0; r < n; r++) groupStart[group[r]! + 1]!++;
  for (let g = 0; g < G; g++) groupStart[g + 1]! += groupStart[g]!;
  const byGroup = new Int32Array(n);
  const fill = groupStart.slice(0, G);
  for (let r = 0; r < n; r++) byGroup[fill[group[r]!]!++] = r;

  const listOf = new Int32Array(n);
  const centroidParts: Float32Array[] = [];
  let listBase = 0;
  for (let g = 0; g < G; g++) {
    const members = byGroup.subarray(groupStart[g]!, groupStart[g + 1]!);
    const ng = members.length;
    if (ng === 0) continue;
    const k = Math.max(1, Math.min(ng, Math.round((L * ng) / n)));
    const want = Math.min(ng, Math.max(ROWS_PER_CENTROID * k, Math.ceil((sampleSize * ng) / n)));
    // The group's rows, gathered; members are ascending, so positions in it pick the same rows as row numbers would.
    const local = identity(ng);
    const rows = gathered(source, members);
    const training = want >= ng ? local : pickMembers(local, want, random);
    const centroids = sphericalKMeans(rows, d, d, training, { k, iterations, random });
    const sub = new Int32Array(ng);
    assignToCentroids(rows, d, d, local, centroids, sub);
    for (let j = 0; j < ng; j++) listOf[members[j]!] = listBase + sub[j]!;
    centroidParts.push(centroids);
    listBase += k;
    onProgress?.({ stage: 'lists', done: g + 1, total: G });
  }
  const centroids = new Float32Array(listBase * d);
  let off = 0;
  for (const part of centroidParts) {
    centroids.set(part, off);
    off += part.length;
  }
  return dropEmptyLists(centroids, d, listOf, listBase);
}

/** Rows `indices` of `source`, row-major and `dimension` floats apart. */
function gathered(source: IvfRows, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * source.dimension);
  source.gather(indices, out);
  return out;
}

/** 0 .. m − 1. */
function identity(m: number): Int32Array {
  return Int32Array.from({ length: m }, (_, i) => i);
}

/** `count` distinct rows of 0 .. n − 1 (partial Fisher–Yates), ascending (for memory locality). */
function sampleRows(n: number, count: number, random: Random): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return pickMembers(
    Int32Array.from({ length: n }, (_, i) => i),
    count,
    random,
  );
}

/** `count` distinct entries of `members` (partial Fisher–Yates over a copy), ascending. */
function pickMembers(members: Int32Array, count: number, random: Random): Int32Array {
  const a = members.slice();
  for (let i = 0; i < count; i++) {
    const j = random.int(i, a.length - 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.subarray(0, count).sort();
}

/** Removes lists no row was assigned to and renumbers the rest in order. */
function dropEmptyLists(centroids: Float32Array, d: number, listOf: Int32Array, lists: number): IvfQuantiser {
  const counts = new Int32Array(lists);
  for (let r = 0; r < listOf.length; r++) counts[listOf[r]!]!++;
  const renumber = new Int32Array(lists);
  let kept = 0;
  for (let l = 0; l < lists; l++) renumber[l] = counts[l]! > 0 ? kept++ : -1;
  if (kept === lists) return { lists, centroids, listOf };
  const out = new Float32Array(kept * d);
  for (let l = 0; l < lists; l++) {
    if (renumber[l]! >= 0) out.set(centroids.subarray(l * d, (l + 1) * d), renumber[l]! * d);
  }
  for (let r = 0; r < listOf.length; r++) listOf[r] = renumber[listOf[r]!]!;
  return { lists: kept, centroids: out, listOf };
}

/** List boundaries and the row order (rows by list, input order within a list) from each row's list: a counting sort. */
export function listOrder(lists: number, centroids: Float32Array, listOf: Int32Array): IvfAssignment {
  const n = listOf.length;
  const listStart = new Int32Array(lists + 1);
  for (let r = 0; r < n; r++) listStart[listOf[r]! + 1]!++;
  for (let l = 0; l < lists; l++) listStart[l + 1]! += listStart[l]!;
  const fill = listStart.slice(0, Math.max(1, lists));
  const perm = new Int32Array(n);
  for (let r = 0; r < n; r++) perm[fill[listOf[r]!]!++] = r;
  return { lists, centroids, listStart, perm };
}

/**
 * Reorders rows in place so that row p becomes the old row perm[p], by
 * following the permutation's cycles (one row of scratch, a bitmap of done rows). O(n·stride).
 */
export function permuteRows(rows: Float32Array, stride: number, perm: Int32Array): void {
  const n = perm.length;
  const done = new Uint8Array(n);
  const tmp = new Float32Array(stride);
  for (let start = 0; start < n; start++) {
    if (done[start] === 1) continue;
    tmp.set(rows.subarray(start * stride, (start + 1) * stride));
    let p = start;
    for (;;) {
      done[p] = 1;
      const from = perm[p]!;
      if (from === start) {
        rows.set(tmp, p * stride);
        break;
      }
      rows.copyWithin(p * stride, from * stride, (from + 1) * stride);
      p = from;
    }
  }
}
