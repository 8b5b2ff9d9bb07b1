import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../../src/domain/interaction.js';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { ItemFeatureState } from '../../src/domain/rankerFeatures.js';
import type { ModelBundle } from '../pipeline/modelBundle.js';
import { registerItemGram } from '../retrieval/foldIn.js';
import { readItemGram } from './itemGramFile.js';
import { lazyArrayView } from './lazyArrayView.js';
import { neighbourListView, parseNeighbourTable } from './neighbourTable.js';
import type { NeighbourTable } from './neighbourTable.js';
import { readManifest } from './registryPaths.js';

/** A published version read back: its manifest, models and catalog. */
export interface LoadedVersion {
  readonly manifest: ModelManifest;
  readonly dir: string;
  readonly bundle: ModelBundle;
  readonly catalog: Map<string, CatalogItem>;
}

/**
 * Reads a registry version's files into a {@link ModelBundle} (the same shape
 * training produces), so a published version can be re-evaluated. When the
 * version has an `item-factors.gram.f64` ({@link readItemGram}), it is registered for the item factors
 * ({@link registerItemGram}), so `createFoldInModel` does not recompute YᵀY.
 * @throws Error naming the file when a file is missing or its size does not
 *   match the manifest (n×d float32, d×d float64 for the Gram file).
 */
export function loadVersionBundle(registryDir: string, name: string, version: string): LoadedVersion {
  const manifest = readManifest(registryDir, name, version);
  const dir = join(registryDir, name, version);
  const r = manifest.retrieval;
  const d = r.dimension;
  const itemIds = readJson<string[]>(dir, r.itemIds);
  const userIds = readJson<string[]>(dir, r.userIds);
  const itemVectors = readF32(dir, r.itemVectors, itemIds.length * r.vectorDimension);
  const itemFactors = readF32(dir, r.itemFactors, itemIds.length * d);
  // Precomputed YᵀY (absent in older versions): createFoldInModel then skips the O(n·d²) pass.
  const gram = readItemGram(dir, d);
  if (gram !== null) registerItemGram(itemFactors, gram);
  const userVectors = readF32(dir, r.userFactors, userIds.length * d);
  const neighbours = neighbourListView(readNeighbours(dir, manifest.neighbours.file, itemIds.length));
  const pop = readJson<{
    popularity: number[];
    trend: number[];
    counts: number[];
    firstSeen: (number | null)[];
  }>(dir, manifest.popularity.file);
  const itemIndex = new Map<string, number>();
  for (let i = 0; i < itemIds.length; i++) itemIndex.set(itemIds[i]!, i);
  const catalog = readCatalog(join(dir, manifest.catalog.file), itemIds, itemIndex);
  const firstSeen = Float64Array.from({ length: itemIds.length }, (_, i) => pop.firstSeen[i] ?? NaN);
  const itemState = itemStateView(itemIds, pop, firstSeen, catalog);
  const bundle: ModelBundle = {
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
    popularity: Float32Array.from(pop.popularity),
    trend: Float32Array.from(pop.trend),
    trainCounts: Float32Array.from(pop.counts),
    itemState,
    firstSeen,
    available: itemIds.map((id) => catalog.get(id)?.available ?? true),
    referenceTime: Date.parse(manifest.training.referenceTime),
  };
  return { manifest, dir, bundle, catalog };
}

/**
 * The catalog file (JSON lines) by item id, read line by line without an
 * array of lines. Memory at 1M items (issue #6): an item the model knows
 * takes its id string from `itemIds` (one copy of each id instead of two),
 * and equal category lists share one array (a catalog draws its items'
 * categories from few combinations: one array and its strings per
 * combination instead of per item). Items are otherwise as parsed.
 */
function readCatalog(
  path: string,
  itemIds: readonly string[],
  itemIndex: ReadonlyMap<string, number>,
): Map<string, CatalogItem> {
  const text = readFileSync(path, 'utf8');
  const catalog = new Map<string, CatalogItem>();
  const interned = new Map<string, readonly string[]>();
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as CatalogItem;
    const row = itemIndex.get(parsed.id);
    const id = row === undefined ? parsed.id : itemIds[row]!;
    let categories = parsed.categories;
    if (Array.isArray(categories)) {
      const key = categories.join('\u0000');
      const shared = interned.get(key);
      if (shared !== undefined && shared.length === categories.length) categories = shared;
      else interned.set(key, categories);
    }
    // `id` equals `parsed.id` but is the `itemIds` string: the parsed copy becomes garbage.
    catalog.set(id, { ...parsed, id, categories });
  }
  return catalog;
}

/**
 * Item states as columns: popularity, trend and first-seen in Float64Arrays
 * (NaN for no first-seen), categories from the catalog item, built into an
 * {@link ItemFeatureState} on read (one object per read instead of one per
 * item kept for the model's life: ~1M objects at 1M items).
 */
function itemStateView(
  itemIds: readonly string[],
  pop: { popularity: number[]; trend: number[] },
  firstSeen: Float64Array,
  catalog: ReadonlyMap<string, CatalogItem>,
): readonly ItemFeatureState[] {
  const n = itemIds.length;
  const popularity = Float64Array.from({ length: n }, (_, i) => pop.popularity[i] ?? 0);
  const trend = Float64Array.from({ length: n }, (_, i) => pop.trend[i] ?? 0);
  const none: readonly string[] = Object.freeze([]);
  return lazyArrayView(n, (i) => ({
    popularity: popularity[i]!,
    trend: trend[i]!,
    firstSeen: Number.isNaN(firstSeen[i]!) ? null : firstSeen[i]!,
    categories: catalog.get(itemIds[i]!)?.categories ?? none,
  }));
}

/** The file's bytes. @throws Error naming the path when it cannot be read. */
function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function readNeighbours(dir: string, file: string, nItems: number): NeighbourTable {
  const path = join(dir, file);
  const bytes = readBytes(path);
  try {
    return parseNeighbourTable(bytes, nItems);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function readJson<T>(dir: string, file: string): T {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
  } catch (err) {
    throw new Error(`cannot read ${join(dir, file)}: ${(err as Error).message}`, { cause: err });
  }
}

function readF32(dir: string, file: string, expected: number): Float32Array {
  const path = join(dir, file);
  const bytes = readBytes(path);
  if (bytes.byteLength !== expected * 4) {
    throw new Error(`${path} holds ${bytes.byteLength / 4} floats; the manifest implies ${expected}`);
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
