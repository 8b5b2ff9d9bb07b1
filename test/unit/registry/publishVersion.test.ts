import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  newVersionName,
  publishVersion,
  setCurrentVersion,
} from '../../../models/registry/publishVersion.js';
import { readCurrentVersion, readManifest } from '../../../models/registry/registryPaths.js';
import type { VersionFiles } from '../../../models/registry/publishVersion.js';
import { PackedIdList } from '../../../src/domain/itemIdList.js';
import type { ModelManifest } from '../../../src/domain/manifest.js';
import { fitTinyModels, rankerOnnx, tempRegistry, testManifest, tinyRanker } from './registryFixtures.js';

describe('Registry: newVersionName', () => {
  it('formats the UTC time as vYYYYMMDD-HHMMSS', () => {
    expect(newVersionName(new Date(Date.UTC(2024, 2, 5, 7, 8, 9, 999)), () => false)).toBe(
      'v20240305-070809',
    );
  });

  it('appends -2, -3, … while the name is taken', () => {
    const taken = new Set(['v20240305-070809', 'v20240305-070809-2']);
    expect(newVersionName(new Date(Date.UTC(2024, 2, 5, 7, 8, 9)), (n) => taken.has(n))).toBe(
      'v20240305-070809-3',
    );
  });
});

describe('Registry: publishVersion', () => {
  let registry = '';
  let files: VersionFiles;
  let make: (version: string) => ModelManifest;

  beforeAll(() => {
    const { bundle, ials, catalog } = fitTinyModels();
    files = { bundle, users: new Map(), onnx: rankerOnnx(tinyRanker()), catalog };
    make = (version) => testManifest(bundle, ials, catalog, version);
  });

  afterEach(() => {
    if (registry) rmSync(registry, { recursive: true, force: true });
    registry = '';
  });

  it('writes each user state as one JSON line with item ids instead of indices', () => {
    registry = tempRegistry();
    const users = new Map([
      [
        'u1',
        {
          interactionCount: 2,
          seen: new Set([0, 1]),
          recentItems: [1, 0],
          categoryShare: new Map([['Drama', 0.5]]),
          categoryLastSeen: new Map([['Drama', 1_700_000_000_000]]),
        },
      ],
    ]);
    const dir = publishVersion(registry, make('v20240101-000001'), { ...files, users });
    const ids = [...files.bundle.itemIds];
    const lines = readFileSync(join(dir, 'user-state.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        userId: 'u1',
        interactionCount: 2,
        seen: [ids[0], ids[1]],
        recent: [ids[1], ids[0]],
        categoryShare: { Drama: 0.5 },
        categoryLastSeen: { Drama: 1_700_000_000_000 },
      },
    ]);
  });

  it('writes items.json as a JSON array of the ids when the bundle keeps them packed (a loaded large model)', () => {
    registry = tempRegistry();
    const ids = [...files.bundle.itemIds];
    const packed = { ...files, bundle: { ...files.bundle, itemIds: PackedIdList.from(ids)! } };
    const dir = publishVersion(registry, make('v20240101-000002'), packed);
    expect(JSON.parse(readFileSync(join(dir, 'items.json'), 'utf8'))).toEqual(ids);
  });

  it('writes every file of the layout into <registry>/<name>/<version> and returns that folder', () => {
    registry = tempRegistry();
    const dir = publishVersion(registry, make('v20240101-000000'), files);
    expect(dir).toBe(join(registry, 'default', 'v20240101-000000'));
    expect(readdirSync(dir).sort()).toEqual([
      'catalog.jsonl',
      'item-factors.f32',
      'item-factors.gram.f64',
      'items.f32',
      'items.json',
      'manifest.json',
      'model.onnx',
      'neighbours.json',
      'popularity.json',
      'user-state.jsonl',
      'users.f32',
      'users.json',
    ]);
  });

  it('writes float32 files of n×(d+1), n×d and m×d values', () => {
    registry = tempRegistry();
    const dir = publishVersion(registry, make('v1'), files);
    const { bundle } = files;
    const n = bundle.itemIds.length;
    const m = bundle.userIds.length;
    const d = bundle.dimension;
    expect(readFileSync(join(dir, 'items.f32')).byteLength).toBe(n * (d + 1) * 4);
    expect(readFileSync(join(dir, 'item-factors.f32')).byteLength).toBe(n * d * 4);
    expect(readFileSync(join(dir, 'users.f32')).byteLength).toBe(m * d * 4);
    expect(Buffer.compare(readFileSync(join(dir, 'model.onnx')), Buffer.from(files.onnx))).toBe(0);
  });

  it('writes the manifest as given and the catalog one item per line', () => {
    registry = tempRegistry();
    const manifest = make('v1');
    const dir = publishVersion(registry, manifest, files);
    expect(readManifest(registry, 'default', 'v1')).toEqual(JSON.parse(JSON.stringify(manifest)));
    const lines = readFileSync(join(dir, 'catalog.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(files.catalog.size);
    expect(JSON.parse(lines[0]!)).toEqual(JSON.parse(JSON.stringify(files.catalog.get('m0'))));
  });

  it('points CURRENT at the new version, and at the next one after a second publish', () => {
    registry = tempRegistry();
    publishVersion(registry, make('v1'), files);
    expect(readFileSync(join(registry, 'default', 'CURRENT'), 'utf8')).toBe('v1\n');
    publishVersion(registry, make('v2'), files);
    expect(readCurrentVersion(registry, 'default')).toBe('v2');
  });

  it('leaves CURRENT alone when makeCurrent is false', () => {
    registry = tempRegistry();
    publishVersion(registry, make('v1'), files);
    publishVersion(registry, make('v2'), files, false);
    expect(readCurrentVersion(registry, 'default')).toBe('v1');
    expect(existsSync(join(registry, 'default', 'v2', 'manifest.json'))).toBe(true);
  });

  it('leaves no temporary folder behind after publishing', () => {
    registry = tempRegistry();
    publishVersion(registry, make('v1'), files);
    expect(readdirSync(join(registry, 'default')).sort()).toEqual(['CURRENT', 'v1']);
  });

  it('removes the temporary folder and publishes nothing when a write fails', () => {
    registry = tempRegistry();
    const manifest = make('v1');
    // A ranker file inside a folder that does not exist makes that write throw.
    const broken: ModelManifest = { ...manifest, ranker: { ...manifest.ranker, file: 'missing/model.onnx' } };
    expect(() => publishVersion(registry, broken, files)).toThrow();
    expect(readdirSync(join(registry, 'default'))).toEqual([]);
    expect(readCurrentVersion(registry, 'default')).toBeNull();
  });

  it('refuses to overwrite an existing version and keeps it intact', () => {
    registry = tempRegistry();
    publishVersion(registry, make('v1'), files);
    const before = readFileSync(join(registry, 'default', 'v1', 'items.f32'));
    expect(() =>
      publishVersion(registry, { ...make('v1'), created: '2030-01-01T00:00:00.000Z' }, files),
    ).toThrow();
    expect(Buffer.compare(readFileSync(join(registry, 'default', 'v1', 'items.f32')), before)).toBe(0);
    expect(readManifest(registry, 'default', 'v1').created).toBe('2024-03-05T07:08:09.000Z');
    expect(readdirSync(join(registry, 'default')).sort()).toEqual(['CURRENT', 'v1']);
  });
});

describe('Registry: setCurrentVersion', () => {
  it('writes the version and a newline to CURRENT, replacing the previous one', () => {
    const registry = tempRegistry();
    try {
      mkdirSync(join(registry, 'm'));
      setCurrentVersion(registry, 'm', 'v1');
      setCurrentVersion(registry, 'm', 'v2');
      expect(readFileSync(join(registry, 'm', 'CURRENT'), 'utf8')).toBe('v2\n');
      expect(readdirSync(join(registry, 'm'))).toEqual(['CURRENT']);
    } finally {
      rmSync(registry, { recursive: true, force: true });
    }
  });
});
