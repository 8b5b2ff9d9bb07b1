import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { denseFactors } from '../../src/domain/factorRows.js';
import { float32Vectors } from '../../src/domain/itemVectors.js';
import type { CatalogItem } from '../../src/domain/interaction.js';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { ModelBundle, UserState } from '../pipeline/modelBundle.js';
import { gramMatrix } from '../retrieval/trainIals.js';
import { ITEM_GRAM_FILE, itemGramBytes } from './itemGramFile.js';
import { readCurrentVersion } from './registryPaths.js';

/** Everything one registry version holds besides the manifest. */
export interface VersionFiles {
  readonly bundle: ModelBundle;
  /** Per-user state at the end of training (history snapshot the gateway starts from). */
  readonly users: ReadonlyMap<string, UserState>;
  readonly onnx: Uint8Array;
  readonly catalog: ReadonlyMap<string, CatalogItem>;
}

/**
 * A new version name: `vYYYYMMDD-HHMMSS` (UTC) of `now`, so names sort by
 * time; `-2`, `-3`… are appended if the folder exists.
 */
export function newVersionName(now: Date, exists: (name: string) => boolean): string {
  const base = 'v' + now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  let name = base;
  for (let k = 2; exists(name); k++) name = `${base}-${k}`;
  return name;
}

/**
 * Writes a registry version (see `src/domain/manifest.ts` for the layout)
 * into a temporary folder, renames it into place, then points `CURRENT` at
 * it (also via rename, so readers never see a half-written version or pointer).
 * Besides the files the manifest names it writes {@link ITEM_GRAM_FILE}, the
 * item factors' Gram matrix, so servers need not compute it at every load.
 * The item factors are written as {@link denseFactors} of the bundle's rows
 * (the array itself for a trained bundle).
 * @param makeCurrent false writes the version without switching `CURRENT`.
 * @returns the version folder.
 */
export function publishVersion(
  registryDir: string,
  manifest: ModelManifest,
  files: VersionFiles,
  makeCurrent = true,
): string {
  const modelDir = join(registryDir, manifest.name);
  const finalDir = join(modelDir, manifest.version);
  const tmpDir = join(modelDir, `.tmp-${manifest.version}-${process.pid}`);
  mkdirSync(tmpDir, { recursive: true });
  try {
    const { bundle } = files;
    const r = manifest.retrieval;
    writeFileSync(
      join(tmpDir, r.itemVectors),
      f32Bytes(float32Vectors(bundle.itemVectors, r.vectorDimension)),
    );
    const itemFactors = denseFactors(bundle.itemFactors);
    writeFileSync(join(tmpDir, r.itemFactors), f32Bytes(itemFactors));
    writeFileSync(
      join(tmpDir, ITEM_GRAM_FILE),
      itemGramBytes(gramMatrix(itemFactors, bundle.itemIds.length, r.dimension)),
    );
    // Spread: a loaded bundle's ids may be packed (an ItemIdList, not an array), which JSON would write as an object.
    writeFileSync(join(tmpDir, r.itemIds), JSON.stringify([...bundle.itemIds]));
    writeFileSync(join(tmpDir, r.userFactors), f32Bytes(bundle.userVectors));
    writeFileSync(join(tmpDir, r.userIds), JSON.stringify(bundle.userIds));
    writeFileSync(
      join(tmpDir, manifest.neighbours.file),
      JSON.stringify({
        items: bundle.neighbours.map((l) => Array.from(l.items)),
        scores: bundle.neighbours.map((l) => Array.from(l.scores, round4)),
      }),
    );
    writeFileSync(
      join(tmpDir, manifest.popularity.file),
      JSON.stringify({
        popularity: Array.from(bundle.popularity, round4),
        trend: Array.from(bundle.trend, round4),
        counts: Array.from(bundle.trainCounts),
        firstSeen: bundle.itemState.map((s) => s.firstSeen),
      }),
    );
    writeFileSync(join(tmpDir, manifest.ranker.file), files.onnx);
    writeFileSync(
      join(tmpDir, manifest.catalog.file),
      [...files.catalog.values()].map((item) => JSON.stringify(item)).join('\n') + '\n',
    );
    writeFileSync(
      join(tmpDir, manifest.userState.file),
      [...files.users].map(([userId, u]) => JSON.stringify(userStateRecord(userId, u, bundle))).join('\n') +
        '\n',
    );
    writeFileSync(join(tmpDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    renameSync(tmpDir, finalDir);
  } catch (err) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
  if (makeCurrent) setCurrentVersion(registryDir, manifest.name, manifest.version);
  return finalDir;
}

/** Points `<registry>/<name>/CURRENT` at `version` atomically (write + rename). */
export function setCurrentVersion(registryDir: string, name: string, version: string): void {
  const file = join(registryDir, name, 'CURRENT');
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, version + '\n');
  renameSync(tmp, file);
  if (readCurrentVersion(registryDir, name) !== version)
    throw new Error(`could not set CURRENT to ${version}`);
}

function f32Bytes(a: Float32Array): Uint8Array {
  // Float32Array is host-endian; every supported Node platform is little-endian.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/**
 * One line of `user-state.jsonl`: a user's state at the end of training, with
 * item ids instead of indices. `categoryShare` × `interactionCount` gives the
 * category weights.
 */
export interface UserStateRecord {
  readonly userId: string;
  readonly interactionCount: number;
  /** Every item the user interacted with (filtered from their lists). */
  readonly seen: readonly string[];
  /** Up to 20 positive items, most recent first. */
  readonly recent: readonly string[];
  readonly categoryShare: Readonly<Record<string, number>>;
  /** Category → Unix ms of the user's last interaction in it. */
  readonly categoryLastSeen: Readonly<Record<string, number>>;
}

function userStateRecord(userId: string, u: UserState, bundle: ModelBundle): UserStateRecord {
  return {
    userId,
    interactionCount: u.interactionCount,
    seen: [...u.seen].map((i) => bundle.itemIds.at(i)!),
    recent: u.recentItems.map((i) => bundle.itemIds.at(i)!),
    categoryShare: Object.fromEntries([...u.categoryShare].map(([c, v]) => [c, round4(v)])),
    categoryLastSeen: Object.fromEntries(u.categoryLastSeen),
  };
}
