import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError } from '../../../models/data/dataset.js';

/** Absolute path of the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The shared public datasets next to the repository (absent on most machines). */
export const sharedDataDir = path.resolve(repoRoot, '../shared/data');

/** Absolute path of `test/fixtures/data/<parts>`. */
export function fixture(...parts: string[]): string {
  return path.join(repoRoot, 'test/fixtures/data', ...parts);
}

const created: string[] = [];

/** A fresh empty temporary folder, removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'recgate-data-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir} (call from `afterAll`). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Awaits `promise`, which must reject with a {@link DatasetError}, and
 * returns that error (fails the test otherwise).
 */
export async function datasetError(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw new Error(`expected a DatasetError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a DatasetError, but the promise resolved');
}
