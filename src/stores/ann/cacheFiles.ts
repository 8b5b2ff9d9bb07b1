import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Largest cache sidecar read, in bytes (they hold a few hundred). */
const MAX_SIDECAR_BYTES = 64 * 1024;

/** Whether `path` is a regular file now (not missing, a folder, a FIFO or a device), following symlinks. Never throws. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The JSON object in the index-cache sidecar at `path`, or null when it is
 * missing, not a regular file, over 64 KiB, or not a JSON object. Never
 * throws. Reading a FIFO would block the event loop forever and a device such
 * as /dev/zero would never end (fault-injection report, issue #6), so only a
 * small regular file is read.
 */
export function readCacheSidecar(path: string): Record<string, unknown> | null {
  try {
    const stats = statSync(path);
    if (!stats.isFile() || stats.size > MAX_SIDECAR_BYTES) return null;
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Writes the sidecar `path` as one line of JSON through a temporary file and a
 * rename, so whatever stood there (a FIFO, whose open for writing would block
 * forever, or a damaged file) is replaced, never written into.
 * @throws the write or rename error (callers treat a cache as an optimisation and ignore it).
 */
export function writeCacheSidecar(path: string, value: Record<string, unknown>): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value) + '\n');
  renameSync(tmp, path);
}

/**
 * Creates the folder `dir` and its missing parents with one `mkdir` per level
 * (`mkdir -p`). Node's `mkdirSync(dir, { recursive: true })` is not used: for
 * a path under /proc it loops forever (mkdir answers ENOENT for the child and
 * EEXIST for the parent; fault-injection report, issue #6). A level another
 * process created meanwhile is fine.
 * @throws the `mkdir` error of the first level that cannot be created (ENOENT, ENOTDIR, EACCES …).
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(missing[i]!).isDirectory()) throw err;
    }
  }
}
