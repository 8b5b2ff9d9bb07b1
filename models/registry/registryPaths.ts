import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelManifest } from '../../src/domain/manifest.js';

/** A registry problem the user can fix (missing version, unreadable manifest); the CLI prints it as one line. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** Default registry folder, relative to the working directory. */
export const DEFAULT_REGISTRY_DIR = 'var/registry';

/** Default model name (the folder under the registry). */
export const DEFAULT_MODEL_NAME = 'default';

/**
 * Resolves the registry folder: the explicit option, else `RECGATE_REGISTRY`,
 * else {@link DEFAULT_REGISTRY_DIR}; returned absolute.
 */
export function resolveRegistryDir(option?: string): string {
  return resolve(option ?? process.env['RECGATE_REGISTRY'] ?? DEFAULT_REGISTRY_DIR);
}

/** What a version folder name may look like: letters, digits, `.`, `_`, `-`, not starting with `.`. */
const VERSION_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * The version named in `<registry>/<name>/CURRENT`, or `null` when there is none.
 * @throws RegistryError when the file names something that is not a version
 *   folder name (e.g. a path: `CURRENT` must never point outside the registry).
 */
export function readCurrentVersion(registryDir: string, name: string): string | null {
  const file = join(registryDir, name, 'CURRENT');
  if (!existsSync(file)) return null;
  const version = readFileSync(file, 'utf8').trim();
  if (version.length === 0) return null;
  if (!VERSION_NAME.test(version)) {
    throw new RegistryError(
      `${file} names "${version.slice(0, 80)}", which is not a version folder name (letters, digits, ".", "_", "-")`,
    );
  }
  return version;
}

/** Every version folder of a model that holds a manifest, oldest first (names sort by time). */
export function listVersions(registryDir: string, name: string): string[] {
  const dir = join(registryDir, name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(join(dir, e.name, 'manifest.json')),
    )
    .map((e) => e.name)
    .sort(compareVersions);
}

/**
 * Orders version names by time: the timestamp part as text, then the numeric
 * collision suffix (`v…-070809` < `v…-070809-2` < `v…-070809-10`).
 */
export function compareVersions(a: string, b: string): number {
  const split = (v: string): [string, number] => {
    const m = /^(v\d{8}-\d{6})(?:-(\d+))?$/.exec(v);
    return m ? [m[1]!, Number(m[2] ?? 1)] : [v, 0];
  };
  const [ta, na] = split(a);
  const [tb, nb] = split(b);
  return ta < tb ? -1 : ta > tb ? 1 : na - nb;
}

/**
 * Reads a version's manifest.
 * @throws Error naming the file when it is missing or not valid JSON, or when
 *   its `formatVersion` is not one this code reads.
 */
export function readManifest(registryDir: string, name: string, version: string): ModelManifest {
  const file = join(registryDir, name, version, 'manifest.json');
  if (!existsSync(file)) throw new RegistryError(`no manifest at ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RegistryError(`manifest ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const manifest = parsed as ModelManifest | null;
  if (typeof manifest !== 'object' || manifest === null || manifest.formatVersion !== 1) {
    const got =
      typeof manifest === 'object' && manifest !== null
        ? String(manifest.formatVersion)
        : JSON.stringify(manifest);
    throw new RegistryError(`manifest ${file} has formatVersion ${got}; this recgate reads 1`);
  }
  return manifest;
}
