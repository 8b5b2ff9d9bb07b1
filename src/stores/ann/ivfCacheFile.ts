import type { ItemIdList } from '../../domain/itemIdList.js';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isRegularFile, makeFolder, readCacheSidecar, writeCacheSidecar } from './cacheFiles.js';
import { dirname } from 'node:path';
import type { IvfParameters } from './ivfParameters.js';

/** What an IVF build decides: the centroids, the list boundaries and the row order. */
export interface IvfAssignment {
  /** Number of lists. */
  readonly lists: number;
  /** lists×dimension unit centroids, row-major. */
  readonly centroids: Float32Array;
  /** lists + 1 positions: list l holds positions listStart[l] .. listStart[l+1] − 1. */
  readonly listStart: Int32Array;
  /** For each position (list order), the item's index among the distinct input ids. */
  readonly perm: Int32Array;
}

/**
 * The file name of an IVF list assignment cached for the model version
 * `stem` (e.g. `default-20260101T000000Z`) under the build parameters that
 * decide the assignment: `<stem>.l<lists>-s<trainingSample>-i<iterations>-r<seed>.ivf`,
 * e.g. `default-v1.l0-s65536-i10-r42.ivf` (`l0`: automatic lists). Probes
 * are left out: a search-time setting, no rebuild. Replicas built with
 * other parameters (say another `RECGATE_IVF_LISTS`) sharing one cache
 * folder so keep one file each instead of overwriting each other's at every
 * start; files named by older versions (`<stem>.ivf`) are no longer read.
 * @param stem the model name and version, without folder or extension.
 */
export function ivfCacheFileName(
  stem: string,
  p: Pick<IvfParameters, 'lists' | 'trainingSample' | 'iterations' | 'seed'>,
): string {
  return `${stem}.l${p.lists}-s${p.trainingSample}-i${p.iterations}-r${p.seed}.ivf`;
}

/** First int32 of the file: "RIVF" read little-endian. */
const MAGIC = 0x46564952;
const FORMAT = 1;
const HEADER_INTS = 5;

/**
 * SHA-256 (hex) of `shape` (JSON: the build parameters), the ids (each
 * followed by a newline) and the raw bytes of `vectors` (float32 values or binary16 halves): what a
 * cached assignment must have been computed from. O(n·d); about 0.6 s for
 * 1M × 65 floats.
 */
export function ivfFingerprint(
  shape: object,
  itemIds: ItemIdList,
  vectors: Float32Array | Uint16Array,
): string {
  const hash = createHash('sha256').update(JSON.stringify(shape));
  for (const id of itemIds) hash.update(id).update('\n');
  hash.update(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  return hash.digest('hex');
}

/**
 * Saves an assignment to `file` (write to `<file>.tmp-<pid>`, then rename)
 * with the sidecar `<file>.json` ({ format, fingerprint, shape, size,
 * fileBytes, fileSha256 }). File layout, little-endian: int32 magic "RIVF",
 * format 1, n, dimension, lists; float32 centroids (lists×dimension); int32
 * listStart (lists + 1); int32 perm (n).
 * @returns false when it could not be written (a cache is an optimisation: never thrown).
 */
export function writeIvfCache(
  file: string,
  a: IvfAssignment,
  meta: { readonly fingerprint: string; readonly shape: object; readonly dimension: number },
): boolean {
  const n = a.perm.length;
  const bytes = Buffer.alloc(4 * (HEADER_INTS + a.centroids.length + a.listStart.length + n));
  const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  ints.set([MAGIC, FORMAT, n, meta.dimension, a.lists]);
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  floats.set(a.centroids, HEADER_INTS);
  ints.set(a.listStart, HEADER_INTS + a.centroids.length);
  ints.set(a.perm, HEADER_INTS + a.centroids.length + a.listStart.length);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    makeFolder(dirname(file));
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
    const sidecar = {
      format: FORMAT,
      fingerprint: meta.fingerprint,
      shape: meta.shape,
      size: n,
      lists: a.lists,
      fileBytes: bytes.length,
      fileSha256: createHash('sha256').update(bytes).digest('hex'),
    };
    writeCacheSidecar(`${file}.json`, sidecar);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written there (e.g. the folder's path runs through a file)
    }
    return false;
  }
}

/**
 * Loads the assignment saved in `file` when its sidecar's fingerprint and
 * shape match and the file is whole and consistent: size and SHA-256 as
 * recorded, header (n, dimension), list boundaries from 0 to n and
 * non-decreasing, perm a permutation of 0 .. n − 1, finite centroids.
 * @returns the assignment, or null for a missing, stale, truncated or damaged cache (never throws).
 */
export function readIvfCache(
  file: string,
  expected: {
    readonly fingerprint: string;
    readonly shape: object;
    readonly n: number;
    readonly dimension: number;
  },
): IvfAssignment | null {
  try {
    if (!isRegularFile(file)) return null;
    const meta = readCacheSidecar(`${file}.json`);
    if (
      meta === null ||
      meta['format'] !== FORMAT ||
      meta['fingerprint'] !== expected.fingerprint ||
      JSON.stringify(meta['shape']) !== JSON.stringify(expected.shape) ||
      statSync(file).size !== meta['fileBytes']
    ) {
      return null;
    }
    const bytes = readFileSync(file);
    if (createHash('sha256').update(bytes).digest('hex') !== meta['fileSha256']) return null;
    if (bytes.length % 4 !== 0 || bytes.length < 4 * HEADER_INTS) return null;
    const all = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const [magic, format, n, d, lists] = all;
    const { n: wantN, dimension } = expected;
    if (magic !== MAGIC || format !== FORMAT || n !== wantN || d !== dimension || lists === undefined)
      return null;
    if (lists < 0 || lists > n || (n > 0 && lists < 1)) return null;
    if (all.length !== HEADER_INTS + lists * d + lists + 1 + n) return null;
    const centroids = new Float32Array(all.buffer, 4 * HEADER_INTS, lists * d).slice();
    const listStart = all.slice(HEADER_INTS + lists * d, HEADER_INTS + lists * d + lists + 1);
    const perm = all.slice(HEADER_INTS + lists * d + lists + 1);
    if (listStart[0] !== 0 || listStart[lists] !== n) return null;
    for (let l = 0; l < lists; l++) if (listStart[l + 1]! < listStart[l]!) return null;
    const seen = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      const i = perm[p]!;
      if (!(i >= 0 && i < n) || seen[i] === 1) return null;
      seen[i] = 1;
    }
    for (let i = 0; i < centroids.length; i++) if (!Number.isFinite(centroids[i]!)) return null;
    return { lists, centroids, listStart, perm };
  } catch {
    return null;
  }
}
