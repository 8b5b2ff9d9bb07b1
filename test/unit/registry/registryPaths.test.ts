import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_REGISTRY_DIR,
  listVersions,
  readCurrentVersion,
  readManifest,
  resolveRegistryDir,
} from '../../../models/registry/registryPaths.js';
import { tempRegistry } from './registryFixtures.js';

describe('Registry: resolveRegistryDir', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('prefers the explicit option, made absolute', () => {
    vi.stubEnv('RECGATE_REGISTRY', '/elsewhere');
    expect(resolveRegistryDir('some/dir')).toBe(resolve('some/dir'));
  });

  it('falls back to RECGATE_REGISTRY, then to var/registry', () => {
    vi.stubEnv('RECGATE_REGISTRY', '/from/env');
    expect(resolveRegistryDir()).toBe('/from/env');
    vi.stubEnv('RECGATE_REGISTRY', undefined);
    expect(resolveRegistryDir()).toBe(resolve(DEFAULT_REGISTRY_DIR));
    expect(DEFAULT_REGISTRY_DIR).toBe('var/registry');
  });
});

describe('Registry: readCurrentVersion, listVersions, readManifest', () => {
  let registry = '';

  beforeEach(() => {
    registry = tempRegistry();
  });

  afterEach(() => {
    rmSync(registry, { recursive: true, force: true });
  });

  function writeVersion(version: string, manifest: string = '{"formatVersion": 1}'): string {
    const dir = join(registry, 'default', version);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'manifest.json');
    writeFileSync(file, manifest);
    return file;
  }

  it('reads no current version when CURRENT is missing or blank', () => {
    expect(readCurrentVersion(registry, 'default')).toBeNull();
    mkdirSync(join(registry, 'default'));
    writeFileSync(join(registry, 'default', 'CURRENT'), ' \n');
    expect(readCurrentVersion(registry, 'default')).toBeNull();
  });

  it('reads the current version without surrounding whitespace', () => {
    mkdirSync(join(registry, 'default'));
    writeFileSync(join(registry, 'default', 'CURRENT'), 'v20240101-000000\n');
    expect(readCurrentVersion(registry, 'default')).toBe('v20240101-000000');
  });

  it('lists version folders that hold a manifest, oldest first', () => {
    writeVersion('v20240305-070809-2');
    writeVersion('v20240101-120000');
    writeVersion('v20240305-070809');
    writeVersion('v20231231-235959');
    mkdirSync(join(registry, 'default', 'v20250101-000000')); // no manifest: not a version
    writeFileSync(join(registry, 'default', 'CURRENT'), 'v20240101-120000\n'); // a file, not a folder
    expect(listVersions(registry, 'default')).toEqual([
      'v20231231-235959',
      'v20240101-120000',
      'v20240305-070809',
      'v20240305-070809-2',
    ]);
  });

  it('lists no versions for a model that does not exist', () => {
    expect(listVersions(registry, 'nobody')).toEqual([]);
  });

  it('reads a manifest with formatVersion 1', () => {
    writeVersion('v1', JSON.stringify({ formatVersion: 1, name: 'default', version: 'v1' }));
    expect(readManifest(registry, 'default', 'v1')).toEqual({
      formatVersion: 1,
      name: 'default',
      version: 'v1',
    });
  });

  it('names the file when the manifest is missing', () => {
    expect(() => readManifest(registry, 'default', 'v9')).toThrow(
      `no manifest at ${join(registry, 'default', 'v9', 'manifest.json')}`,
    );
  });

  it('names the file when the manifest is not valid JSON', () => {
    const file = writeVersion('v1', '{"formatVersion": 1,');
    expect(() => readManifest(registry, 'default', 'v1')).toThrow(`manifest ${file} is not valid JSON`);
  });

  it.each([
    ['2', '{"formatVersion": 2}', 'formatVersion 2'],
    ['missing', '{"name": "default"}', 'formatVersion undefined'],
    ['a string', '{"formatVersion": "1"}', 'formatVersion 1;'],
  ])('names the file and the value when formatVersion is %s', (_label, text, expected) => {
    const file = writeVersion('v1', text);
    expect(() => readManifest(registry, 'default', 'v1')).toThrow(`manifest ${file} has ${expected}`);
    expect(() => readManifest(registry, 'default', 'v1')).toThrow('this recgate reads 1');
  });
});
