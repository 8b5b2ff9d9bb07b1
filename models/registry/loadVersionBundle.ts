import { PackedIdList } from '../../src/domain/itemIdList.js';
import type { ItemIdList } from '../../src/domain/itemIdList.js';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { denseFactorRows, factorRowsOfVectors } from '../../src/domain/factorRows.js';
import type { FactorRows } from '../../src/domain/factorRows.js';
import type { CatalogItem } from '../../src/domain/interaction.js';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { ItemFeatureState } from '../../src/domain/rankerFeatures.js';
import type { ModelBundle } from '../pipeline/modelBundle.js';
import { allocateHalfRows, allocateRows } from '../../src/stores/embedded/kernelRows.js';
import { decodeTableOf, encodeHalfRows } from '../../src/domain/itemVectors.js';
import type { ItemVectors, VectorPrecision } from '../../src/domain/itemVectors.js';
import { registerItemGram } from '../retrieval/foldIn.js';
import { CatalogTable, PACKED_TITLES_MIN_ITEMS } from './catalogTable.js';
import { readItemGram } from './itemGramFile.js';
import { itemRowIndex } from './idRowIndex.js';
import { lazyArrayView } from './lazyArrayView.js';
import {
  expectedNeighbourEntries,
  neighbourListView,
  packNeighbourTable,
  readNeighbourTableFile,
} from './neighbourTable.js';
import type { NeighbourTable, PackedNeighbourTable } from './neighbourTable.js';
import {
  diskNeighbourListView,
  NEIGHBOURS_ON_DISK_MIN_ITEMS,
  spillNeighbourTable,
} from './diskNeighbourTable.js';
import type { NeighbourList } from '../retrieval/itemNeighbours.js';
import { readManifest } from './registryPaths.js';
import { readPopularityFile } from './popularityFile.js';
import type { PopularityColumns } from './popularityFile.js';

/** A published version read back: its manifest, models and catalog. */
export interface LoadedVersion {
  readonly manifest: ModelManifest;
  readonly dir: string;
  readonly bundle: ModelBundle;
  /**
   * The catalog by item id. `loadVersionBundle` returns a {@link CatalogTable}
   * (items are built on read from columns, not kept as objects).
   */
  readonly catalog: ReadonlyMap<string, CatalogItem>;
}

/** Options of {@link loadVersionBundle}. */
export interface LoadVersionOptions {
  /**
   * Read `item-factors.f32` into dense rows (evaluation: fold-in on exactly
   * the published factors, as at training time). Otherwise, as the server
   * loads a version, the factors are a view through the item vectors
   * ({@link factorRowsOfVectors}: stride d + 1, scale `maxItemNorm`; equal up
   * to float32 rounding) and the file is only checked: its size, and a sample
   * of {@link FACTOR_CHECK_ROWS} rows against the vectors. @default false
   */
  readonly rawItemFactors?: boolean;
  /**
   * How the bundle keeps `items.f32` (`RECGATE_VECTOR_PRECISION`): `float32`
   * as published, or `float16`, each value rounded to binary16 as it is read
   * (in blocks: no float32 copy of the whole file), into WebAssembly memory
   * when it fits (`allocateHalfRows`), so the IVF index scans the halves in
   * place. The factor view then reads the halves too. A function is asked
   * with the version's item count once its id list is read (the gateway's
   * `auto` setting decides by catalog size). @default 'float32'
   */
  readonly vectorPrecision?: VectorPrecision | ((itemCount: number) => VectorPrecision);
  /**
   * Models of at least this many items keep their item ids packed
   * ({@link PackedIdList}: one string instead of one per id; issue #6, memory
   * at 1M items); smaller ones keep an array (an id read costs nothing).
   * An integer ≥ 0. @default PACKED_IDS_MIN_ITEMS (200,000)
   */
  readonly packIdsFrom?: number;
  /**
   * Models of at least this many items keep their packed neighbour table in
   * an unlinked temporary file, read a row at a time ({@link spillNeighbourTable}:
   * 5 bytes per neighbour move from process memory to the OS page cache;
   * issue #6, memory at 1M items); smaller ones keep it in memory. When the
   * file cannot be written (no space, read-only folder) the table stays in
   * memory and a `RECGATE_NEIGHBOURS_IN_MEMORY` process warning says why.
   * An integer ≥ 0. @default NEIGHBOURS_ON_DISK_MIN_ITEMS (200,000)
   */
  readonly neighboursOnDiskFrom?: number;
  /** The folder for that file. @default os.tmpdir() (`TMPDIR`) */
  readonly neighboursDir?: string;
}

/**
 * Reads a registry version's files into a {@link ModelBundle} (the same shape
 * training produces), for serving or, with `rawItemFactors`, to re-evaluate it.
 * The bundle's `trainCounts` (plain counts, read by offline evaluation and
 * publishing, never by the server) are read from the popularity file on first
 * use, so a served model does not keep them; that read throws naming the file
 * when it is gone by then.
 * When the version has an `item-factors.gram.f64` ({@link readItemGram}), it
 * is registered for the item factor rows ({@link registerItemGram}), so
 * `createFoldInModel` does not recompute YᵀY.
 * @throws Error naming the file when a file is missing or its size does not
 *   match the manifest (n×d float32, d×d float64 for the Gram file), or (not
 *   `rawItemFactors`) when a sampled row of `item-factors.f32` is not the
 *   item vector's row times M (the vectors are not the factors' MIPS-to-cosine transform).
 * @throws RangeError when `neighboursOnDiskFrom` is not an integer ≥ 0.
 */
export function loadVersionBundle(
  registryDir: string,
  name: string,
  version: string,
  options: LoadVersionOptions = {},
): LoadedVersion {
  const onDiskFrom = options.neighboursOnDiskFrom ?? NEIGHBOURS_ON_DISK_MIN_ITEMS;
  if (!(Number.isInteger(onDiskFrom) && onDiskFrom >= 0)) {
    throw new RangeError(`neighboursOnDiskFrom: expected an integer ≥ 0, received ${onDiskFrom}`);
  }
  const manifest = readManifest(registryDir, name, version);
  const dir = join(registryDir, name, version);
  const r = manifest.retrieval;
  const d = r.dimension;
  const itemIds = packedIfLarge(readIdList(dir, r.itemIds), options.packIdsFrom ?? PACKED_IDS_MIN_ITEMS);
  const userIds = readIdList(dir, r.userIds);
  // In WebAssembly memory when they fit: the IVF index with storage `none` scans these rows in place (no second copy).
  const precision =
    typeof options.vectorPrecision === 'function'
      ? options.vectorPrecision(itemIds.length)
      : (options.vectorPrecision ?? 'float32');
  const itemVectors: ItemVectors =
    precision === 'float16'
      ? readHalves(dir, r.itemVectors, itemIds.length, r.vectorDimension)
      : readF32(dir, r.itemVectors, itemIds.length * r.vectorDimension, allocateRows);
  if (itemVectors instanceof Float32Array)
    checkUnitRows(join(dir, r.itemVectors), itemVectors, r.vectorDimension);
  let itemFactors: FactorRows;
  if (options.rawItemFactors === true) {
    itemFactors = denseFactorRows(readF32(dir, r.itemFactors, itemIds.length * d), d);
  } else {
    if (r.vectorDimension !== d + 1) {
      throw new Error(
        `${join(dir, 'manifest.json')}: vectorDimension ${r.vectorDimension} is not dimension + 1 = ${d + 1}`,
      );
    }
    itemFactors = factorRowsOfVectors(itemVectors, d, r.maxItemNorm);
    checkFactorRows(join(dir, r.itemFactors), join(dir, r.itemVectors), itemFactors);
  }
  // Precomputed YᵀY (absent in older versions): createFoldInModel then skips the O(n·d²) pass.
  const gram = readItemGram(dir, d);
  if (gram !== null) registerItemGram(itemFactors, gram);
  const userVectors = readF32(dir, r.userFactors, userIds.length * d);
  // Packed where exact: 3-byte indices, the 4-decimal scores as int16 (issue #6: −30 MB at 1M × 10), and for a large
  // catalog spilled to an unlinked temporary file (−50 MB of RSS at 1M × 10; a few rows are read per request).
  const neighbours = neighbourLists(
    packNeighbourTable(
      readNeighbours(dir, manifest.neighbours.file, itemIds.length, manifest.neighbours.topN),
    ),
    itemIds.length >= onDiskFrom,
    options.neighboursDir,
  );
  // Read through a window into float columns (issue #6: JSON.parse's four arrays and the file's text were ~90 MB at
  // 1M items, the start-up peak).
  const pop = readPopularity(dir, manifest.popularity.file, itemIds.length, false);
  // A Map for a small catalog, an open-addressing table over itemIds for a large one (issue #6: 8 MB against 29 at 1M items).
  const itemIndex = itemRowIndex(itemIds);
  const catalog = readCatalog(join(dir, manifest.catalog.file), itemIds, itemIndex);
  // The published first-seen times are the catalog's createdAt for every item created with one (fitModels),
  // and availability is the catalog's: when equal, the bundle shares the catalog's columns (issue #6: 9 MB at 1M items).
  const aligned = catalog.ids === itemIds;
  const firstSeenOf = (i: number): number => pop.firstSeen[i]!;
  const firstSeen =
    (aligned ? sameColumn(catalog.createdAtColumn, itemIds.length, firstSeenOf) : null) ?? pop.firstSeen;
  const availableOf = (i: number): number => ((catalog.availableOf(itemIds.at(i)!) ?? true) ? 1 : 0);
  const available =
    (aligned ? sameColumn(catalog.availabilityColumn, itemIds.length, availableOf) : null) ??
    Uint8Array.from({ length: itemIds.length }, (_, i) => availableOf(i));
  const { popularity, trend } = pop;
  // The item states read the bundle's float32 columns (issue #6: no float64 copy, 16 MB at 1M items).
  const itemState = itemStateView(itemIds, popularity, trend, firstSeen, catalog);
  const bundle: ModelBundle = withLazyTrainCounts(dir, manifest.popularity.file, {
    itemIds,
    itemIndex,
    userIds,
    userIndex: new Map(userIds.map((id, i) => [id, i])),
    dimension: d,
    itemVectors,
    maxItemNorm: r.maxItemNorm,
    itemFactors,
    userVectors,
    neighbours,
    popularity,
    trend,
    itemState,
    firstSeen,
    available,
    referenceTime: Date.parse(manifest.training.referenceTime),
  });
  return { manifest, dir, bundle, catalog };
}

/**
 * Where the `trainCounts` of each loaded bundle are read from, and the counts once read: per
 * bundle, weakly (an entry goes with its bundle).
 */
const lazyTrainCounts = new WeakMap<
  object,
  { readonly dir: string; readonly file: string; counts: Float32Array | null }
>();

/**
 * The `trainCounts` getter of every loaded bundle: ONE function, so that every
 * bundle's accessor is the same and the bundles share one hidden class (V8
 * map). A getter closure made per bundle gave each bundle a map of its own
 * whose accessor, through the closure's scope, held the bundle itself, and V8
 * keeps a map that optimized code used alive for a few more full collections
 * after its objects died ("retained maps"): a replaced model's item vectors,
 * neighbours, columns and catalog (through `itemState`) outlived the model by
 * two or three major GCs (hundreds of MB at 1M items).
 */
function readLazyTrainCounts(this: ModelBundle): Float32Array {
  const lazy = lazyTrainCounts.get(this);
  if (lazy === undefined) throw new TypeError('trainCounts: not a bundle read by loadVersionBundle');
  lazy.counts ??= readPopularity(lazy.dir, lazy.file, this.itemIds.length, true).counts!;
  return lazy.counts;
}

/**
 * `fields` with a `trainCounts` getter that reads the popularity file's
 * `counts` on first use and keeps them. Plain counts serve only offline
 * evaluation (MostPop) and publishing, so a served model does not hold them
 * (issue #6: 4 MB at 1M items). The getter is {@link readLazyTrainCounts},
 * shared by all bundles, its state in {@link lazyTrainCounts}: no closure
 * keeps `loadVersionBundle`'s scope (the parsed popularity file) or the
 * bundle alive. Registry versions are never rewritten once published, so the
 * file read later is the one loaded.
 * @throws Error naming the file, on first use, when it cannot be read then
 *   or is not in the shape {@link readPopularityFile} reads.
 */
function withLazyTrainCounts(
  dir: string,
  file: string,
  fields: Omit<ModelBundle, 'trainCounts'>,
): ModelBundle {
  lazyTrainCounts.set(fields, { dir, file, counts: null });
  return Object.defineProperty(fields, 'trainCounts', {
    enumerable: true,
    get: readLazyTrainCounts,
  }) as ModelBundle;
}

/**
 * The catalog file (JSON lines) as a {@link CatalogTable} by item id, read
 * line by line from the file's bytes (no string of the whole file: 160 MB at
 * 1M items). Memory at 1M items (issue #6): an item the model knows takes its
 * id string from `itemIds`, items are kept as columns (equal category lists
 * and equal flat attribute objects shared), and when the catalog lists the
 * model's items in their order the table uses `itemIds` and `itemIndex` as
 * its keys and id → position map. Items read back equal the parsed lines.
 */
function readCatalog(
  path: string,
  itemIds: ItemIdList,
  itemIndex: ReadonlyMap<string, number>,
): CatalogTable {
  function* items(): Generator<CatalogItem> {
    for (const line of fileLines(path)) {
      if (line.trim() === '') continue;
      yield JSON.parse(line) as CatalogItem;
    }
  }
  return CatalogTable.build(items(), { ids: itemIds, index: itemIndex });
}

/**
 * `column` itself when it has n entries and entry i is `valueOf(i)` for
 * every i (`Object.is`: NaN equals NaN, −0 differs from 0), else null.
 * O(n), no allocation.
 */
export function sameColumn<A extends Float64Array | Uint8Array>(
  column: A,
  n: number,
  valueOf: (i: number) => number,
): A | null {
  if (column.length !== n) return null;
  for (let i = 0; i < n; i++) if (!Object.is(column[i], valueOf(i))) return null;
  return column;
}

/** Bytes read per `readSync` by {@link fileLines}. */
const LINE_CHUNK_BYTES = 8 << 20;

/**
 * The file's lines (split at "\n", each decoded as UTF-8, without the "\n";
 * the last line is yielded even when empty), read in chunks of
 * {@link LINE_CHUNK_BYTES} so the whole file is never in memory at once
 * (issue #6: the 1M catalog is 160 MB). A UTF-8 sequence never contains the
 * byte 0x0a, so each line equals the same line of the decoded whole file.
 *
 * One buffer is read into for the whole file: the unfinished line at the end
 * of a chunk moves to its start and the next chunk is read after it (the
 * buffer doubles when one line fills it). Issue #6: a new buffer per chunk
 * (~20 of 8 MB for the 1M catalog, freed only when the GC collected them)
 * left ~80 MB of the allocator's heap resident but unused once the server was ready.
 * @param chunkBytes the buffer's starting size in bytes, an integer ≥ 1.
 * @throws Error as `openSync`/`readSync` do when the file cannot be read.
 */
export function* fileLines(path: string, chunkBytes = LINE_CHUNK_BYTES): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(chunkBytes);
    // buffer[0, filled) holds the start of a line whose "\n" has not been read yet.
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      const bytes = buffer.subarray(0, filled + n);
      let start = 0;
      // The carried bytes hold no "\n": the search starts at the bytes just read.
      for (let end = bytes.indexOf(0x0a, filled); end >= 0; end = bytes.indexOf(0x0a, start)) {
        yield bytes.toString('utf8', start, end);
        start = end + 1;
      }
      buffer.copyWithin(0, start, bytes.length);
      filled = bytes.length - start;
    }
    yield buffer.toString('utf8', 0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * Item states as columns: popularity and trend (the bundle's float32
 * columns, so a state's values are the published ones rounded to float32) and
 * first-seen (float64, NaN for none), categories from the catalog item, built into an
 * {@link ItemFeatureState} on read (one object per read instead of one per
 * item kept for the model's life: ~1M objects at 1M items).
 */
function itemStateView(
  itemIds: ItemIdList,
  popularity: Float32Array,
  trend: Float32Array,
  firstSeen: Float64Array,
  catalog: CatalogTable,
): readonly ItemFeatureState[] {
  // Only columns reach this scope: the view's closure keeps its whole scope alive (issue #6: the
  // parsed popularity.json, four 1M-element arrays, was kept by it).
  const n = itemIds.length;
  const none: readonly string[] = Object.freeze([]);
  return lazyArrayView(n, (i) => ({
    popularity: popularity[i]!,
    trend: trend[i]!,
    firstSeen: Number.isNaN(firstSeen[i]!) ? null : firstSeen[i]!,
    categories: catalog.categoriesOf(itemIds.at(i)!) ?? none,
  }));
}

/** Rows of `item-factors.f32` compared with the item vectors when a version is loaded for serving. */
export const FACTOR_CHECK_ROWS = 16;

/**
 * Checks that the served view of the item factors (`rows`, through the item
 * vectors) is what the published `item-factors.f32` holds: the file has
 * count×d float32s, and {@link FACTOR_CHECK_ROWS} rows spread over it (first
 * and last included) equal scale·v within 2⁻²²·|y| + 2⁻¹⁴⁰·scale per component
 * (4× the float32 rounding bound of y/M, plus the float32 subnormal step);
 * for half-precision vectors within 2⁻¹⁰·|y| + 2⁻²⁴·scale (twice binary16's
 * rounding bound, and its subnormal step).
 * Reads 16·d·4 bytes, not the file; anything but a regular file is refused.
 * @throws Error naming the files and the first differing component.
 */
function checkFactorRows(factorsPath: string, vectorsPath: string, rows: FactorRows): void {
  const { values, dimension: d, stride, scale, count } = rows;
  const table = decodeTableOf(values);
  // Halves hold y/M to 2⁻¹¹ relative (2⁻²⁵ absolute below 2⁻¹⁴): twice that, as float32's bound is 4× its rounding.
  const relative = table === null ? 2 ** -22 : 2 ** -10;
  const absolute = table === null ? 2 ** -140 : 2 ** -24;
  const fd = openFloat32File(factorsPath, count * d);
  try {
    const row = new Float32Array(d);
    const bytes = new Uint8Array(row.buffer);
    const samples = Math.min(count, FACTOR_CHECK_ROWS);
    for (let k = 0; k < samples; k++) {
      const i = samples === 1 ? 0 : Math.round((k * (count - 1)) / (samples - 1));
      if (readSync(fd, bytes, 0, bytes.length, i * d * 4) !== bytes.length) {
        throw new Error(`cannot read row ${i} of ${factorsPath}`);
      }
      for (let p = 0; p < d; p++) {
        const y = row[p]!;
        const v = values[i * stride + p]!;
        const view = scale * (table === null ? v : table[v]!);
        if (!(Math.abs(y - view) <= relative * Math.abs(y) + absolute * scale)) {
          throw new Error(
            `${vectorsPath} is not the MIPS-to-cosine transform of ${factorsPath}: row ${i}, component ${p} is ${y} in the factors but ${view} through the vectors (maxItemNorm ${scale})`,
          );
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The packed table as the bundle's neighbour lists: in memory
 * ({@link neighbourListView}), or with `onDisk` spilled to a file under `dir`
 * ({@link diskNeighbourListView}). A table that cannot be spilled (the fs
 * error of {@link spillNeighbourTable}) stays in memory, with a process
 * warning (code `RECGATE_NEIGHBOURS_IN_MEMORY`) naming the error.
 */
function neighbourLists(
  table: PackedNeighbourTable,
  onDisk: boolean,
  dir: string | undefined,
): readonly NeighbourList[] {
  if (onDisk) {
    try {
      const spilled = spillNeighbourTable(table, dir);
      if (spilled !== null) return diskNeighbourListView(spilled);
    } catch (err) {
      process.emitWarning(
        `the neighbour table stays in memory: cannot spill it to ${dir ?? tmpdir()}: ${(err as Error).message}`,
        { code: 'RECGATE_NEIGHBOURS_IN_MEMORY' },
      );
    }
  }
  return neighbourListView(table);
}

/**
 * The version's neighbour table, read through a window rather than whole
 * ({@link readNeighbourTableFile}), its columns sized for `topN` entries per
 * item.
 * @throws Error naming the file when it is missing, not a regular file, or
 *   not the documented shape.
 */
function readNeighbours(dir: string, file: string, nItems: number, topN: number): NeighbourTable {
  const path = join(dir, file);
  try {
    requireRegularFile(path);
    return readNeighbourTableFile(path, nItems, expectedNeighbourEntries(nItems, topN));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * {@link readPopularityFile} of `dir/file` for `nItems` item rows.
 * @throws Error "cannot read <path>: …" when it is missing, not a regular file, or not that shape.
 */
function readPopularity(dir: string, file: string, nItems: number, keepCounts: boolean): PopularityColumns {
  const path = join(dir, file);
  try {
    requireRegularFile(path);
    return readPopularityFile(path, nItems, { keepCounts });
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Item ids of models this large or larger are packed by the registry loader
 * ({@link PackedIdList}); the threshold of packed titles, so a model's ids
 * and its catalog's titles are packed together.
 */
export const PACKED_IDS_MIN_ITEMS = PACKED_TITLES_MIN_ITEMS;

/** `ids` packed ({@link PackedIdList}) when there are at least `from` of them and they fit one string; else `ids` itself. */
function packedIfLarge(ids: string[], from: number): ItemIdList {
  if (ids.length < from) return ids;
  return PackedIdList.from(ids) ?? ids;
}

/**
 * A JSON array of ids (`items.json`, `users.json`).
 * @throws Error naming the file when it is not an array of strings (the
 *   id → row index of a small catalog, a Map, and of a large one would
 *   otherwise answer differently for a number).
 */
function readIdList(dir: string, file: string): string[] {
  const ids = readJson<unknown>(dir, file);
  if (!Array.isArray(ids)) throw new Error(`${join(dir, file)}: expected a JSON array of string ids`);
  for (let i = 0; i < ids.length; i++) {
    if (typeof ids[i] !== 'string') {
      throw new Error(
        `${join(dir, file)}: expected a JSON array of string ids, entry ${i} is ${JSON.stringify(ids[i])}`,
      );
    }
  }
  return ids as string[];
}

function readJson<T>(dir: string, file: string): T {
  try {
    requireRegularFile(join(dir, file));
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
  } catch (err) {
    throw new Error(`cannot read ${join(dir, file)}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A float32 file read straight into the returned array (issue #6: reading it
 * into a Buffer first held both copies at once, 2 × 260 MB at 1M items, and
 * left the Buffer for the GC). Anything but a regular file is refused (opened without blocking).
 * @param allocate makes the array of `expected` floats (the item vectors: {@link allocateRows}).
 * @throws Error naming the path when it cannot be read or its size is not `expected` floats.
 */
function readF32(
  dir: string,
  file: string,
  expected: number,
  allocate: (length: number) => Float32Array = (length) => new Float32Array(length),
): Float32Array {
  const path = join(dir, file);
  const fd = openFloat32File(path, expected);
  try {
    const out = allocate(expected);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    for (let at = 0; at < bytes.length;) {
      let n: number;
      try {
        n = readSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 30), at);
      } catch (err) {
        throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
      }
      if (n === 0) throw new Error(`${path} holds ${at / 4} floats; the manifest implies ${expected}`);
      at += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Rows of `items.f32` read and rounded to halves at a time by {@link readHalves}. */
const HALF_READ_ROWS = 16384;

/**
 * The n×w float32 file as binary16 halves (`encodeHalfRows`: round to nearest,
 * ties to even), read {@link HALF_READ_ROWS} rows at a time, each block's rows
 * checked as {@link checkUnitRows} checks the whole array (on the float32
 * values, before rounding). Allocated with `allocateHalfRows` (WebAssembly
 * memory when it fits).
 * @throws Error naming the path when it cannot be read, holds another number
 *   of floats, or a row is not of norm 1.
 */
function readHalves(dir: string, file: string, n: number, w: number): Uint16Array {
  const path = join(dir, file);
  const fd = openFloat32File(path, n * w);
  try {
    const out = allocateHalfRows(n * w);
    const block = new Float32Array(Math.min(n, HALF_READ_ROWS) * w);
    const bytes = new Uint8Array(block.buffer);
    for (let row = 0; row < n; row += HALF_READ_ROWS) {
      const rows = Math.min(HALF_READ_ROWS, n - row);
      const length = rows * w * 4;
      for (let at = 0; at < length;) {
        let got: number;
        try {
          got = readSync(fd, bytes, at, length - at, row * w * 4 + at);
        } catch (err) {
          throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
        }
        if (got === 0)
          throw new Error(`${path} holds ${(row * w * 4 + at) / 4} floats; the manifest implies ${n * w}`);
        at += got;
      }
      const values = block.subarray(0, rows * w);
      checkUnitRows(path, values, w, row);
      encodeHalfRows(values, w, out, row * w);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens registry files for reading without blocking: a FIFO put in a version's
 * folder would otherwise stop the event loop in `open` until something writes
 * to it (it is then refused as not a regular file).
 */
const READ_NONBLOCKING = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Checks that every row of the item vectors (n×w) has norm 1 within 10⁻³, as
 * the MIPS-to-cosine transform writes them (docs/registry.md): a damaged row
 * (NaN, infinity, zeros, scaled) would otherwise score NaN in search and, since
 * the server reads the item factors through these rows, fold NaN into the user
 * vectors of everyone who interacts with that item. One pass, n·w multiply-adds
 * (about 65M at 1M items: tens of ms at start-up).
 * @throws Error naming the file and the first bad row.
 */
function checkUnitRows(path: string, vectors: Float32Array, w: number, firstRow = 0): void {
  const n = vectors.length / w;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * w;
    for (let p = 0; p < w; p++) {
      const v = vectors[o + p]!;
      s += v * v;
    }
    if (!(Math.abs(s - 1) <= 2e-3)) {
      throw new Error(
        `${path}: row ${firstRow + i} has norm ${Math.sqrt(s)}; every item vector must have norm 1 (a damaged or foreign file)`,
      );
    }
  }
}

/**
 * Refuses anything but a regular file before it is read whole (`stat` does not
 * open it, so a FIFO cannot block the event loop here).
 * @throws Error when `path` is not a regular file (or cannot be stat'ed).
 */
function requireRegularFile(path: string): void {
  if (!statSync(path).isFile()) throw new Error(`${path} is not a regular file`);
}

/**
 * Opens a registry float32 file without blocking (see {@link READ_NONBLOCKING})
 * and checks that it is a regular file of exactly `expected` floats.
 * @returns the open descriptor (the caller closes it).
 * @throws Error naming the path when it cannot be opened, is not a regular
 *   file, or holds another number of floats (the descriptor is then closed).
 */
function openFloat32File(path: string, expected: number): number {
  let fd: number;
  try {
    fd = openSync(path, READ_NONBLOCKING);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    if (stat.size !== expected * 4) {
      throw new Error(`${path} holds ${stat.size / 4} floats; the manifest implies ${expected}`);
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
