import { statSync } from 'node:fs';
import path from 'node:path';
import { DatasetError } from './dataset.js';
import type { DatasetFormat } from './dataset.js';

/**
 * Returns the path of the first of `names` that exists as a regular file in
 * one of `dirs` (tried in order: every name in the first dir, then the next
 * dir), or `null` when none does.
 */
export function findDatasetFile(dirs: readonly string[], names: readonly string[]): string | null {
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    }
  }
  return null;
}

/**
 * Like {@link findDatasetFile} for a file the format cannot do without.
 * `expects` lists the format's required files for the message.
 *
 * @throws DatasetError (one line) naming the missing file, the folder(s)
 *   searched and the files `format` expects.
 */
export function requireDatasetFile(
  dirs: readonly string[],
  name: string,
  format: DatasetFormat,
  expects: string,
): string {
  const found = findDatasetFile(dirs, [name]);
  if (found !== null) return found;
  const where = dirs.map((d) => path.resolve(d)).join(' or ');
  throw new DatasetError(`${format}: required file ${name} not found in ${where} (${format} expects ${expects})`);
}
