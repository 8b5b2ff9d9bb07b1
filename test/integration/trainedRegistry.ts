import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A registry trained once with `recgate train <args>` and cached under the OS
 * temp folder as `recgate-test-<name>` (reused while its CURRENT exists;
 * delete the folder to retrain). Returns the registry folder.
 */
export async function trainedRegistry(name: string, args: readonly string[]): Promise<string> {
  const dir = path.join(os.tmpdir(), `recgate-test-${name}`);
  if (existsSync(path.join(dir, 'default', 'CURRENT'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const status = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'train', ...args, '--registry', dir, '--quiet'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  if (status.code !== 0) throw new Error(`training ${name} failed (${status.code}): ${status.stderr}`);
  return dir;
}

/** The MovieTweetings demo data, 8 dimensions, 3 epochs, no split (~20 s the first time). */
export function movieTweetingsRegistry(): Promise<string> {
  return trainedRegistry('movietweetings-d8', [
    '--data',
    path.join(repoRoot, 'data/movietweetings'),
    '--format',
    'movietweetings',
    '--split',
    'none',
    '--epochs',
    '3',
    '--dimension',
    '8',
  ]);
}
