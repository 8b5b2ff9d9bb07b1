import { statSync } from 'node:fs';
import { readShadowSetting } from '../../../models/registry/shadowPointer.js';
import type { ShadowSetting } from '../../../models/registry/shadowPointer.js';
import { join, resolve } from 'node:path';
import {
  fileLines,
  loadVersionBundle,
  PACKED_IDS_MIN_ITEMS,
} from '../../../models/registry/loadVersionBundle.js';
import type { VectorPrecision } from '../../domain/itemVectors.js';
import type { LoadedVersion } from '../../../models/registry/loadVersionBundle.js';
import type { UserStateRecord } from '../../../models/registry/publishVersion.js';
import {
  DEFAULT_MODEL_NAME,
  listVersions,
  readCurrentVersion,
  readManifest,
} from '../../../models/registry/registryPaths.js';
import type { ModelRegistry } from '../modelRegistry.js';

/** Options of {@link FileModelRegistry}. */
export interface FileModelRegistryOptions {
  /** The registry folder (docs/registry.md), e.g. `var/registry`; resolved to an absolute path. */
  readonly dir: string;
  /** The model folder under `dir`. @default 'default' */
  readonly modelName?: string;
  /**
   * How loaded versions keep their item vectors (`RECGATE_VECTOR_PRECISION`):
   * see {@link VectorPrecision}, or a function of the version's item count
   * (the gateway's `auto`: `servedVectorPrecision` in src/services/vectorIndexChoice.ts). @default 'float32'
   */
  readonly vectorPrecision?: VectorPrecision | ((itemCount: number) => VectorPrecision);
  /**
   * Versions of at least this many items keep their item ids packed (one
   * string instead of one per id; `LoadVersionOptions.packIdsFrom`). An
   * integer ≥ 0. @default PACKED_IDS_MIN_ITEMS (200,000)
   */
  readonly packIdsFrom?: number;
}

/**
 * The {@link ModelRegistry} over a registry folder in the layout of
 * docs/registry.md, read with the offline side's own readers
 * (models/registry/*), so both sides agree on the format by construction.
 * Publishing is atomic (rename), so reads never see half a version.
 */
export class FileModelRegistry implements ModelRegistry {
  readonly name = 'file';
  /** Absolute registry folder. */
  readonly dir: string;
  readonly modelName: string;
  /** The precision loaded versions keep their item vectors at, or the function of their item count that picks it. */
  readonly vectorPrecision: VectorPrecision | ((itemCount: number) => VectorPrecision);
  /** Item count from which loaded versions keep their ids packed (see {@link FileModelRegistryOptions.packIdsFrom}). */
  readonly packIdsFrom: number;

  /** @throws RangeError when `packIdsFrom` is not an integer ≥ 0. */
  constructor(options: FileModelRegistryOptions) {
    this.dir = resolve(options.dir);
    this.modelName = options.modelName ?? DEFAULT_MODEL_NAME;
    this.vectorPrecision = options.vectorPrecision ?? 'float32';
    this.packIdsFrom = options.packIdsFrom ?? PACKED_IDS_MIN_ITEMS;
    if (!(Number.isInteger(this.packIdsFrom) && this.packIdsFrom >= 0)) {
      throw new RangeError(`packIdsFrom: expected an integer ≥ 0, received ${this.packIdsFrom}`);
    }
  }

  async currentVersion(): Promise<string | null> {
    return readCurrentVersion(this.dir, this.modelName);
  }

  async shadow(): Promise<ShadowSetting | null> {
    return readShadowSetting(this.dir, this.modelName);
  }

  async listVersions(): Promise<string[]> {
    return listVersions(this.dir, this.modelName);
  }

  /** @throws RegistryError / Error naming the file when the version is missing or inconsistent. */
  async load(version: string): Promise<LoadedVersion> {
    return loadVersionBundle(this.dir, this.modelName, version, {
      vectorPrecision: this.vectorPrecision,
      packIdsFrom: this.packIdsFrom,
    });
  }

  /** @throws RegistryError when the version has no readable manifest. */
  rankerPath(version: string): string {
    const manifest = readManifest(this.dir, this.modelName, version);
    return join(this.dir, this.modelName, version, manifest.ranker.file);
  }

  /**
   * Reads `user-state.jsonl` (the manifest's `userState.file`) as a stream of
   * records, one line at a time (blank lines are skipped): the records are
   * parsed as the caller takes them, so seeding keeps one chunk alive instead
   * of the whole file (issue #6: at 1M items the 26 MB file parsed at once made
   * ~150 MB of start-up garbage in the old generation, and the start-up peak).
   * The manifest is read and the file checked now; the lines when iteration starts.
   * @throws RegistryError now when the version has no readable manifest; Error now
   *   when the file is missing or not a regular file.
   * @throws Error while iterating, naming the file and line, when a line is not
   *   valid JSON or not a user state record (see userStateProblem), or as
   *   `openSync` does when the file cannot be read.
   */
  async readUserStates(version: string): Promise<Iterable<UserStateRecord>> {
    const manifest = readManifest(this.dir, this.modelName, version);
    const file = join(this.dir, this.modelName, version, manifest.userState.file);
    if (!statSync(file).isFile()) throw new Error(`${file} is not a regular file`);
    return userStateRecords(file);
  }
}

/** The records of a `user-state.jsonl` file, parsed line by line (see {@link FileModelRegistry.readUserStates}). */
function* userStateRecords(file: string): Generator<UserStateRecord> {
  let k = 0;
  for (const line of fileLines(file)) {
    k++;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${k}: not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const problem = userStateProblem(record);
    if (problem !== null) throw new Error(`${file}:${k}: expected a user state object: ${problem}`);
    yield record as UserStateRecord;
  }
}

/**
 * What makes a parsed line not a {@link UserStateRecord}, or null when it is
 * one: a string `userId`, a finite `interactionCount`, `seen` and `recent`
 * arrays of strings, and `categoryShare` and `categoryLastSeen` objects of
 * finite numbers. Checked here so that a bad line is named with its file and
 * line instead of failing later inside seeding.
 */
function userStateProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object';
  const r = record as Record<string, unknown>;
  if (typeof r.userId !== 'string') return 'userId is not a string';
  if (typeof r.interactionCount !== 'number' || !Number.isFinite(r.interactionCount)) {
    return 'interactionCount is not a finite number';
  }
  for (const key of ['seen', 'recent'] as const) {
    const list = r[key];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
      return `${key} is not an array of strings`;
  }
  for (const key of ['categoryShare', 'categoryLastSeen'] as const) {
    const map = r[key];
    if (typeof map !== 'object' || map === null || Array.isArray(map)) return `${key} is not an object`;
    for (const v of Object.values(map)) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        return `${key} has a value that is not a finite number`;
    }
  }
  return null;
}
