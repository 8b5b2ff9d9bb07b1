import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Writes `text` to `name` in a new temporary directory, runs `fn` on the file's path, then removes the directory. */
export function withTempFile<T>(text: string, fn: (file: string) => T, name: string): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-registry-file-'));
  try {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The message of what `fn` throws, or 'no error'. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}
