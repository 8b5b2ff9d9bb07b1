import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from './registryPaths.js';

/** The registry's `SHADOW` pointer: a version scored in shadow on a sample of requests. */
export interface ShadowSetting {
  readonly version: string;
  /** Share of requests the shadow version also scores, in (0, 1]. */
  readonly sampleRate: number;
}

/**
 * Reads `<registry>/<name>/SHADOW` (JSON `{"version": "...", "sampleRate": 0.1}`).
 * @returns null when there is no shadow.
 * @throws RegistryError when the file is not a valid setting.
 */
export function readShadowSetting(registryDir: string, name: string): ShadowSetting | null {
  const file = join(registryDir, name, 'SHADOW');
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RegistryError(`${file}: not JSON: ${(err as Error).message}`);
  }
  const p = parsed as Partial<ShadowSetting> | null;
  if (p === null || typeof p.version !== 'string' || p.version === '' || !isRate(p.sampleRate)) {
    throw new RegistryError(`${file}: expected {"version": "<version>", "sampleRate": 0 < rate ≤ 1}`);
  }
  return { version: p.version, sampleRate: p.sampleRate };
}

/**
 * Writes (atomically) or, with `null`, removes the `SHADOW` pointer.
 * @throws RangeError for a sample rate outside (0, 1].
 */
export function writeShadowSetting(registryDir: string, name: string, setting: ShadowSetting | null): void {
  const file = join(registryDir, name, 'SHADOW');
  if (setting === null) {
    rmSync(file, { force: true });
    return;
  }
  if (!isRate(setting.sampleRate)) {
    throw new RangeError(`sample rate must be in (0, 1], received ${setting.sampleRate}`);
  }
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(setting)}\n`);
  renameSync(tmp, file);
}

function isRate(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 1;
}
