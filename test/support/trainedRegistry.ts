import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';

/** Absolute path of the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bundled dataset and the small settings that keep one training run to ~15 s. */
export const TEST_TRAIN_ARGS = [
  '--data',
  'data/movietweetings',
  '--format',
  'movietweetings',
  '--split',
  'none',
  '--epochs',
  '3',
  '--dimension',
  '8',
] as const;

/** Model name the test registry is published under. */
export const TEST_MODEL_NAME = 'default';

/** Every .ts file under `dir`, recursively, sorted. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
    })
    .sort();
}

/**
 * Hash of the settings, the training code (`models/`, `src/domain/`) and the
 * data files' sizes, so a cached registry is rebuilt whenever any of them changes.
 */
function cacheKey(args: readonly string[]): string {
  const hash = createHash('sha256').update(args.join(' '));
  for (const file of [
    ...sourceFiles(path.join(repoRoot, 'models')),
    ...sourceFiles(path.join(repoRoot, 'src/domain')),
  ]) {
    hash.update(path.relative(repoRoot, file)).update(readFileSync(file));
  }
  for (const name of readdirSync(path.join(repoRoot, 'data/movietweetings')).sort()) {
    hash.update(`${name}:${statSync(path.join(repoRoot, 'data/movietweetings', name)).size}`);
  }
  return hash.digest('hex').slice(0, 16);
}

function runTrain(registry: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'train', ...args, '--registry', registry, '--quiet'],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) =>
      status === 0 ? resolve() : reject(new Error(`recgate train exited with ${status}: ${stderr}`)),
    );
  });
}

/**
 * A registry trained with `recgate train <args>` (default: the bundled
 * MovieTweetings data with {@link TEST_TRAIN_ARGS}), built once and shared by
 * every test file (and test run) through `os.tmpdir()/recgate-test-registry-<hash>`,
 * where the hash covers the arguments, the training code and the bundled data. Files racing
 * to build it each train into a private folder and rename it into place; the
 * loser discards its copy. Treat it as read-only: servers write their event
 * logs elsewhere.
 * @returns the absolute registry folder (model {@link TEST_MODEL_NAME}).
 */
export async function trainedRegistry(args: readonly string[] = TEST_TRAIN_ARGS): Promise<string> {
  const dir = path.join(os.tmpdir(), `recgate-test-registry-${cacheKey(args)}`);
  if (readCurrentVersion(dir, TEST_MODEL_NAME) !== null) return dir;
  const scratch = mkdtempSync(`${dir}.tmp-`);
  try {
    await runTrain(scratch, args);
    try {
      renameSync(scratch, dir);
    } catch (err) {
      if (!existsSync(dir)) throw err;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (readCurrentVersion(dir, TEST_MODEL_NAME) === null) throw new Error(`no CURRENT version in ${dir}`);
  return dir;
}
