/**
 * Which files the production build (`npm run build`, `buildDist.ts`)
 * transpiles, and the digest of their contents that `dist/.build-stamp`
 * records. bin/recgate.js imports this module from `dist/` to tell whether
 * `dist/` matches the sources: by content, not by file times, so sources
 * copied with older times (`cp -p`, `rsync -a`, `tar x`) cannot leave a stale
 * `dist/` running, and files the build skips (GraphQL Code Generator output,
 * tests) cannot make an up-to-date one look stale. It imports no esbuild.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The folders of the package root whose TypeScript is built, in this order. */
export const BUILD_SOURCE_DIRS: readonly string[] = ['src', 'models', 'resolvers'];

/**
 * File of the output folder that holds {@link sourceDigest} of the sources
 * the last successful build read (one line, hex). bin/recgate.js runs
 * `dist/` only when it equals the digest of the sources now.
 */
export const BUILD_STAMP_FILE = '.build-stamp';

/** Whether a path relative to the root (with `/` separators) is a file the build transpiles. */
export function isBuildInput(relPath: string): boolean {
  const parts = relPath.split('/');
  if (!BUILD_SOURCE_DIRS.includes(parts[0]!)) return false;
  if (!relPath.endsWith('.ts') || relPath.endsWith('.d.ts') || relPath.endsWith('.test.ts')) return false;
  if (parts.includes('test') || parts.includes('node_modules')) return false;
  return !relPath.startsWith('src/generated/');
}

/**
 * Every file {@link isBuildInput} accepts under `root`, as sorted paths
 * relative to it with `/` separators. Walks the folders rather than asking
 * git, so it also works in the Docker build stage, which has no `.git`.
 */
export function listBuildInputs(root: string): string[] {
  const out: string[] = [];
  for (const dir of BUILD_SOURCE_DIRS) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' });
    } catch {
      continue; // a missing folder contributes nothing
    }
    for (const entry of entries) {
      const rel = `${dir}/${entry.split(sep).join('/')}`;
      if (isBuildInput(rel)) out.push(rel);
    }
  }
  return out.sort();
}

/**
 * SHA-256 (hex) over the build inputs: for each file in `files` order, its
 * relative path, a NUL, its byte length, a NUL and its bytes. About 20 ms for
 * the ~370 files (2 MB).
 * @param files relative paths, as {@link listBuildInputs} returns them. @default listBuildInputs(root)
 * @throws Error as `readFileSync` does when a listed file cannot be read.
 */
export function sourceDigest(root: string, files: readonly string[] = listBuildInputs(root)): string {
  const hash = createHash('sha256');
  for (const rel of files) {
    const bytes = readFileSync(join(root, rel));
    hash.update(`${rel}\u0000${bytes.length}\u0000`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
