import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';
import { buildDistOnce } from '../build/buildDist.js';
import { REPO_ROOT } from './benchServerProcess.js';
import { ensureSyntheticVersion } from './publishSyntheticVersion.js';

/** A catalog the bench serves: where its registry version is and how it was made. */
export interface PreparedCatalog {
  /** `ml-latest-small`, `synthetic-10k`, `synthetic-100k`, `synthetic-1m`. */
  readonly name: string;
  readonly registry: string;
  readonly modelName: string;
  readonly version: string;
  readonly items: number;
  /** How the version was obtained: `cached`, `generated` or `trained`, with seconds. */
  readonly origin: { readonly how: 'cached' | 'generated' | 'trained'; readonly seconds: number };
}

/** A catalog that cannot be prepared here, and why (printed, not thrown). */
export interface SkippedCatalog {
  readonly name: string;
  readonly skipped: string;
}

/** Where the MovieLens ml-latest-small data is expected (DEVELOPERS.md: never committed). */
export const ML_LATEST_SMALL_DIR = join(REPO_ROOT, '..', 'shared', 'data', 'movielens', 'ml-latest-small');

/** The synthetic catalog sizes by name. */
export const SYNTHETIC_SIZES: Readonly<Record<string, number>> = {
  'synthetic-10k': 10_000,
  'synthetic-100k': 100_000,
  'synthetic-1m': 1_000_000,
};

/**
 * Prepares a catalog's registry under `<benchDir>/registry`:
 * - `synthetic-*`: {@link ensureSyntheticVersion} (seeded generator, cached by its settings);
 * - `ml-latest-small`: `recgate train --data ../shared/data/movielens/ml-latest-small
 *   --format movielens --split none` once (reused while CURRENT exists), or
 *   skipped with a reason when that folder is absent.
 * @throws Error for an unknown name or a failed training run.
 */
export async function prepareCatalog(
  name: string,
  benchDir: string,
  log: (line: string) => void,
): Promise<PreparedCatalog | SkippedCatalog> {
  const registry = join(benchDir, 'registry');
  const size = Object.hasOwn(SYNTHETIC_SIZES, name) ? SYNTHETIC_SIZES[name] : undefined;
  if (size !== undefined) {
    const r = ensureSyntheticVersion(registry, name, { items: size }, log);
    return {
      name,
      registry,
      modelName: name,
      version: r.version,
      items: size,
      origin: { how: r.generated ? 'generated' : 'cached', seconds: r.seconds },
    };
  }
  if (name !== 'ml-latest-small') throw new Error(`unknown catalog ${name}`);
  if (!existsSync(join(ML_LATEST_SMALL_DIR, 'ratings.csv'))) {
    return {
      name,
      skipped: `${ML_LATEST_SMALL_DIR} is absent (MovieLens is never committed; see DEVELOPERS.md)`,
    };
  }
  const started = performance.now();
  let version = readCurrentVersion(registry, name);
  let how: 'cached' | 'trained' = 'cached';
  if (version === null) {
    log(`training ml-latest-small (recgate train --split none), about 30 s`);
    await runTrain(registry, name);
    version = readCurrentVersion(registry, name);
    how = 'trained';
    if (version === null) throw new Error('recgate train published no version');
  }
  const items = (JSON.parse(readFileSync(join(registry, name, version, 'items.json'), 'utf8')) as unknown[])
    .length;
  return {
    name,
    registry,
    modelName: name,
    version,
    items,
    origin: { how, seconds: (performance.now() - started) / 1000 },
  };
}

/** `recgate train` of ml-latest-small from the build (`node dist/src/cli.js`, built first), as the bench server runs. */
async function runTrain(registry: string, modelName: string): Promise<void> {
  await buildDistOnce();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        'dist/src/cli.js',
        'train',
        '--data',
        ML_LATEST_SMALL_DIR,
        '--format',
        'movielens',
        '--split',
        'none',
        '--registry',
        registry,
        '--model-name',
        modelName,
        '--quiet',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`recgate train exited with ${code}: ${stderr}`)),
    );
  });
}

/** Up to `count` user ids and item ids of a registry version, spread over the id lists (for request bodies). */
export function sampleIds(catalog: PreparedCatalog, count: number): { users: string[]; items: string[] } {
  const dir = join(catalog.registry, catalog.modelName, catalog.version);
  const users = JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8')) as string[];
  const items = JSON.parse(readFileSync(join(dir, 'items.json'), 'utf8')) as string[];
  const spread = (ids: string[]): string[] => {
    const step = Math.max(1, Math.floor(ids.length / count));
    const out: string[] = [];
    for (let i = 0; i < ids.length && out.length < count; i += step) out.push(ids[i]!);
    return out;
  };
  return { users: spread(users), items: spread(items) };
}
