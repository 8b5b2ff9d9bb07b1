import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the nearest `package.json` at or above `from` (a `file:` URL
 * such as `import.meta.url`, or an absolute path), i.e. the recgate package
 * root whether the calling module runs from its TypeScript source
 * (`src/server/x.ts`) or from the build (`dist/src/server/x.js`): `dist/`
 * holds no `package.json` of its own (scripts/build.ts never writes one), so
 * both walk up to the same folder. Installed as a dependency, that is
 * `node_modules/recgate/`.
 * @param from a `file:` URL or an absolute file or folder path.
 * @returns the absolute path of that folder, without a trailing separator.
 * @throws Error when no folder from `from` up to the filesystem root has a `package.json`.
 */
export function findPackageRoot(from: string): string {
  const start = from.startsWith('file:') ? fileURLToPath(from) : from;
  for (let dir = start; ;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json in ${start} or any folder above it`);
    dir = parent;
  }
}

/**
 * The recgate package root (the repository root in a checkout, `/app` in the
 * Docker image): where `schema/`, `data/` and `config/` are, and where the
 * build writes `dist/`. Resolved once, from this module's own location.
 */
export const PACKAGE_ROOT: string = findPackageRoot(import.meta.url);
