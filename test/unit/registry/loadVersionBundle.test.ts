import { readFileSync, rmSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import { loadVersionBundle } from '../../../models/registry/loadVersionBundle.js';
import type { LoadedVersion } from '../../../models/registry/loadVersionBundle.js';
import type { IalsModel } from '../../../models/retrieval/trainIals.js';
import { publishVersion } from '../../../models/registry/publishVersion.js';
import { ITEM_GRAM_FILE } from '../../../models/registry/itemGramFile.js';
import { createFoldInModel } from '../../../models/retrieval/foldIn.js';
import { gramMatrix } from '../../../models/retrieval/trainIals.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import type { ModelManifest } from '../../../src/domain/manifest.js';
import { fitTinyModels, rankerOnnx, tempRegistry, testManifest, tinyRanker } from './registryFixtures.js';

describe('Registry: loadVersionBundle', () => {
  let registry = '';
  let bundle: ModelBundle;
  let ials: IalsModel;
  let catalog: Map<string, CatalogItem>;
  let manifest: ModelManifest;
  let onnx: Uint8Array;
  let loaded: LoadedVersion;

  beforeAll(() => {
    registry = tempRegistry();
    const fitted = fitTinyModels();
    bundle = fitted.bundle;
    ials = fitted.ials;
    catalog = fitted.catalog;
    onnx = rankerOnnx(tinyRanker());
    manifest = testManifest(bundle, ials, catalog, 'v1');
    publishVersion(registry, manifest, { bundle, users: new Map(), onnx, catalog });
    loaded = loadVersionBundle(registry, 'default', 'v1');
  });

  afterAll(() => {
    if (registry) rmSync(registry, { recursive: true, force: true });
  });

  it('reads back the manifest and the version folder', () => {
    expect(loaded.manifest).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(loaded.dir).toBe(join(registry, 'default', 'v1'));
  });

  it('reads back ids, indices and the dimension', () => {
    expect(loaded.bundle.itemIds).toEqual(bundle.itemIds);
    expect(loaded.bundle.userIds).toEqual(bundle.userIds);
    expect([...loaded.bundle.itemIndex]).toEqual([...bundle.itemIndex]);
    expect([...loaded.bundle.userIndex]).toEqual([...bundle.userIndex]);
    expect(loaded.bundle.dimension).toBe(bundle.dimension);
    expect(loaded.bundle.maxItemNorm).toBe(bundle.maxItemNorm);
  });

  it('reads back item vectors, item factors and user vectors bit for bit', () => {
    expect(Array.from(loaded.bundle.itemVectors)).toEqual(Array.from(bundle.itemVectors));
    expect(Array.from(loaded.bundle.itemFactors)).toEqual(Array.from(bundle.itemFactors));
    expect(Array.from(loaded.bundle.userVectors)).toEqual(Array.from(bundle.userVectors));
  });

  it('publishes the item factors’ Gram matrix, which fold-in then uses as is', () => {
    const d = bundle.dimension;
    const expected = gramMatrix(bundle.itemFactors, bundle.itemIds.length, d);
    const bytes = readFileSync(join(registry, 'default', 'v1', ITEM_GRAM_FILE));
    expect(Array.from(new Float64Array(new Uint8Array(bytes).buffer))).toEqual(Array.from(expected));
    const foldIn = createFoldInModel(loaded.bundle.itemFactors, d, manifest.retrieval);
    expect(Array.from(foldIn.gram)).toEqual(Array.from(expected));
  });

  it('loads a version published before the Gram file existed, computing YᵀY instead', () => {
    publishVersion(
      registry,
      testManifest(bundle, ials, catalog, 'v-old'),
      { bundle, users: new Map(), onnx, catalog },
      false,
    );
    unlinkSync(join(registry, 'default', 'v-old', ITEM_GRAM_FILE));
    const old = loadVersionBundle(registry, 'default', 'v-old');
    const foldIn = createFoldInModel(old.bundle.itemFactors, bundle.dimension, manifest.retrieval);
    expect(Array.from(foldIn.gram)).toEqual(
      Array.from(gramMatrix(bundle.itemFactors, bundle.itemIds.length, bundle.dimension)),
    );
  });

  it('names the Gram file when its size does not match d×d float64', () => {
    publishVersion(
      registry,
      testManifest(bundle, ials, catalog, 'v-bad'),
      { bundle, users: new Map(), onnx, catalog },
      false,
    );
    truncateSync(join(registry, 'default', 'v-bad', ITEM_GRAM_FILE), 8);
    expect(() => loadVersionBundle(registry, 'default', 'v-bad')).toThrow(
      /item-factors\.gram\.f64 holds 8 bytes/,
    );
  });

  it('reads back the neighbours, with scores rounded to 4 decimals', () => {
    expect(bundle.neighbours.some((l) => l.items.length > 0)).toBe(true);
    expect(loaded.bundle.neighbours.length).toBe(bundle.neighbours.length);
    bundle.neighbours.forEach((list, i) => {
      const back = loaded.bundle.neighbours[i]!;
      expect(Array.from(back.items)).toEqual(Array.from(list.items));
      expect(back.scores.length).toBe(list.scores.length);
      list.scores.forEach((s, k) => expect(Math.abs(back.scores[k]! - s)).toBeLessThanOrEqual(5e-5 + 1e-7));
    });
  });

  it('reads back popularity and trend (4 decimals), exact counts, first-seen times and availability', () => {
    bundle.popularity.forEach((v, i) =>
      expect(Math.abs(loaded.bundle.popularity[i]! - v)).toBeLessThanOrEqual(6e-5),
    );
    bundle.trend.forEach((v, i) => expect(Math.abs(loaded.bundle.trend[i]! - v)).toBeLessThanOrEqual(6e-5));
    expect(Array.from(loaded.bundle.trainCounts)).toEqual(Array.from(bundle.trainCounts));
    expect(loaded.bundle.itemState.map((s) => s.firstSeen)).toEqual(bundle.itemState.map((s) => s.firstSeen));
    // The first-seen column the serving hydrator reads: the same times, NaN for none.
    expect(Array.from(loaded.bundle.firstSeen!, (t) => (Number.isNaN(t) ? null : t))).toEqual(
      bundle.itemState.map((s) => s.firstSeen),
    );
    expect(loaded.bundle.itemState.map((s) => s.categories)).toEqual(
      bundle.itemState.map((s) => s.categories),
    );
    expect(loaded.bundle.available).toEqual(bundle.available);
    expect(loaded.bundle.available.includes(false)).toBe(true);
    expect(loaded.bundle.referenceTime).toBe(bundle.referenceTime);
  });

  it('reads back the catalog', () => {
    expect([...loaded.catalog.keys()]).toEqual([...catalog.keys()]);
    expect(loaded.catalog.get('m0')).toEqual(JSON.parse(JSON.stringify(catalog.get('m0'))));
    // Every item as its JSON line parses, keys in the same order (items are rebuilt from columns).
    for (const [id, item] of catalog) {
      expect(loaded.catalog.get(id)).toStrictEqual(JSON.parse(JSON.stringify(item)));
      expect(JSON.stringify(loaded.catalog.get(id))).toBe(JSON.stringify(item));
    }
    expect(loaded.bundle.available).toEqual(bundle.itemIds.map((id) => catalog.get(id)?.available ?? true));
  });

  it('throws naming items.f32 and both sizes when the file is truncated', () => {
    publishVersion(registry, testManifest(bundle, ials, catalog, 'v-truncated'), {
      bundle,
      users: new Map(),
      onnx,
      catalog,
    });
    const file = join(registry, 'default', 'v-truncated', 'items.f32');
    const floats = readFileSync(file).byteLength / 4;
    truncateSync(file, (floats - 1) * 4);
    expect(() => loadVersionBundle(registry, 'default', 'v-truncated')).toThrow(
      `${file} holds ${floats - 1} floats; the manifest implies ${floats}`,
    );
  });

  it('throws naming the file when users.json is missing', () => {
    publishVersion(registry, testManifest(bundle, ials, catalog, 'v-no-users'), {
      bundle,
      users: new Map(),
      onnx,
      catalog,
    });
    const file = join(registry, 'default', 'v-no-users', 'users.json');
    unlinkSync(file);
    expect(() => loadVersionBundle(registry, 'default', 'v-no-users')).toThrow(`cannot read ${file}`);
  });

  it('throws naming the manifest when the version does not exist', () => {
    expect(() => loadVersionBundle(registry, 'default', 'v-missing')).toThrow(
      join(registry, 'default', 'v-missing', 'manifest.json'),
    );
  });
});
