import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../../src/domain/interaction.js';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { ItemFeatureState } from '../../src/domain/rankerFeatures.js';
import type { ModelBundle } from '../pipeline/modelBundle.js';
import type { NeighbourList } from '../retrieval/itemNeighbours.js';
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
 * training produces), so a published version can be re-evaluated.
 * @throws Error naming the file when a file is missing or its size does not
 *   match the manifest (n×d float32).
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
  const userVectors = readF32(dir, r.userFactors, userIds.length * d);
  const nb = readJson<{ items: number[][]; scores: number[][] }>(dir, manifest.neighbours.file);
  const neighbours: NeighbourList[] = itemIds.map((_, i) => ({
    items: Int32Array.from(nb.items[i] ?? []),
    scores: Float32Array.from(nb.scores[i] ?? []),
  }));
  const pop = readJson<{
    popularity: number[];
    trend: number[];
    counts: number[];
    firstSeen: (number | null)[];
  }>(dir, manifest.popularity.file);
  const catalog = new Map<string, CatalogItem>();
  for (const line of readFileSync(join(dir, manifest.catalog.file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const item = JSON.parse(line) as CatalogItem;
    catalog.set(item.id, item);
  }
  const itemState: ItemFeatureState[] = itemIds.map((id, i) => ({
    popularity: pop.popularity[i] ?? 0,
    trend: pop.trend[i] ?? 0,
    firstSeen: pop.firstSeen[i] ?? null,
    categories: catalog.get(id)?.categories ?? [],
  }));
  const bundle: ModelBundle = {
    itemIds,
    itemIndex: new Map(itemIds.map((id, i) => [id, i])),
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
    available: itemIds.map((id) => catalog.get(id)?.available ?? true),
    referenceTime: Date.parse(manifest.training.referenceTime),
  };
  return { manifest, dir, bundle, catalog };
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
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (bytes.byteLength !== expected * 4) {
    throw new Error(`${path} holds ${bytes.byteLength / 4} floats; the manifest implies ${expected}`);
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
