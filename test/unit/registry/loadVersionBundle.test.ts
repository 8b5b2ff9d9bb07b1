import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import type { CatalogTable } from '../../../models/registry/catalogTable.js';
import { loadVersionBundle, sameColumn } from '../../../models/registry/loadVersionBundle.js';
import type { LoadedVersion } from '../../../models/registry/loadVersionBundle.js';
import type { IalsModel } from '../../../models/retrieval/trainIals.js';
import { publishVersion } from '../../../models/registry/publishVersion.js';
import { ITEM_GRAM_FILE } from '../../../models/registry/itemGramFile.js';
import { createFoldInModel } from '../../../models/retrieval/foldIn.js';
import { gramMatrix } from '../../../models/retrieval/trainIals.js';
import { denseFactors } from '../../../src/domain/factorRows.js';
import { toHalf } from '../../../src/domain/halfFloat.js';
import { encodeHalfRows } from '../../../src/domain/itemVectors.js';
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

  /** Publishes the tiny model again as `version` (CURRENT unchanged), for a test to damage; returns what publishVersion does. */
  const publishCopy = (version: string): string =>
    publishVersion(
      registry,
      testManifest(bundle, ials, catalog, version),
      { bundle, users: new Map(), onnx, catalog },
      false,
    );

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

  it('reads back item vectors and user vectors bit for bit', () => {
    expect(Array.from(loaded.bundle.itemVectors)).toEqual(Array.from(bundle.itemVectors));
    expect(Array.from(loaded.bundle.userVectors)).toEqual(Array.from(bundle.userVectors));
  });

  it('reads back the item factors bit for bit with rawItemFactors (evaluation)', () => {
    const raw = loadVersionBundle(registry, 'default', 'v1', { rawItemFactors: true });
    const d = bundle.dimension;
    expect(raw.bundle.itemFactors).toMatchObject({
      dimension: d,
      stride: d,
      scale: 1,
      count: bundle.itemIds.length,
    });
    expect(Array.from(raw.bundle.itemFactors.values)).toEqual(Array.from(bundle.itemFactors.values));
  });

  it('serves the item factors as a view through the item vectors, equal to the published ones within float32 rounding', () => {
    // Issue #6: no copy of Y. Row i of the view is M·v_i[0:d], and v_i[p] = fl32(y_i[p]/M), so
    // |M·v_i[p] − y_i[p]| ≤ 2⁻²⁴·|y_i[p]| (round to nearest) plus ~2⁻⁵³ from the float64 steps.
    const d = bundle.dimension;
    const rows = loaded.bundle.itemFactors;
    expect(rows.values).toBe(loaded.bundle.itemVectors); // shared, not copied
    expect(rows).toMatchObject({
      dimension: d,
      stride: d + 1,
      scale: bundle.maxItemNorm,
      count: bundle.itemIds.length,
    });
    const y = bundle.itemFactors.values;
    let nonZero = 0;
    for (let i = 0; i < rows.count; i++) {
      for (let p = 0; p < d; p++) {
        const exact = y[i * d + p]!;
        const view = rows.scale * rows.values[i * rows.stride + p]!;
        expect(Math.abs(view - exact)).toBeLessThanOrEqual(2 ** -24 * Math.abs(exact) * (1 + 1e-9));
        if (exact !== 0) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(0);
  });

  it('publishes the item factors’ Gram matrix, which fold-in then uses as is', () => {
    const d = bundle.dimension;
    const expected = gramMatrix(bundle.itemFactors.values, bundle.itemIds.length, d);
    const bytes = readFileSync(join(registry, 'default', 'v1', ITEM_GRAM_FILE));
    expect(Array.from(new Float64Array(new Uint8Array(bytes).buffer))).toEqual(Array.from(expected));
    const foldIn = createFoldInModel(loaded.bundle.itemFactors, d, manifest.retrieval);
    expect(Array.from(foldIn.gram)).toEqual(Array.from(expected));
    const raw = loadVersionBundle(registry, 'default', 'v1', { rawItemFactors: true });
    expect(Array.from(createFoldInModel(raw.bundle.itemFactors, d, manifest.retrieval).gram)).toEqual(
      Array.from(expected),
    );
  });

  it('loads a version published before the Gram file existed, computing YᵀY instead', () => {
    publishCopy('v-old');
    unlinkSync(join(registry, 'default', 'v-old', ITEM_GRAM_FILE));
    const d = bundle.dimension;
    const n = bundle.itemIds.length;
    const rawGram = gramMatrix(bundle.itemFactors.values, n, d);
    // With the raw factors: the same YᵀY as publishing computed.
    const raw = loadVersionBundle(registry, 'default', 'v-old', { rawItemFactors: true });
    expect(Array.from(createFoldInModel(raw.bundle.itemFactors, d, manifest.retrieval).gram)).toEqual(
      Array.from(rawGram),
    );
    // Served: YᵀY of the view, M²·VᵀV over the vectors' first d columns; each entry within
    // 4·2⁻²⁴ of the largest |G| (two factors off by 2⁻²⁴ each, Cauchy–Schwarz, plus the sums).
    const old = loadVersionBundle(registry, 'default', 'v-old');
    const served = createFoldInModel(old.bundle.itemFactors, d, manifest.retrieval).gram;
    expect(Array.from(served)).toEqual(
      Array.from(gramMatrix(old.bundle.itemVectors, n, d, d + 1, manifest.retrieval.maxItemNorm)),
    );
    const largest = Math.max(...rawGram.map(Math.abs));
    rawGram.forEach((g, k) => expect(Math.abs(served[k]! - g)).toBeLessThanOrEqual(4 * 2 ** -24 * largest));
  });

  it('throws naming both files when a sampled row of item-factors.f32 is not the item vector times M', () => {
    publishCopy('v-mismatch');
    const dir = join(registry, 'default', 'v-mismatch');
    const factors = new Float32Array(new Uint8Array(readFileSync(join(dir, 'item-factors.f32'))).buffer);
    // Row 0 is always sampled; a change of 1e-5 relative is far above float32 rounding.
    factors[1] = factors[1]! === 0 ? 1e-3 : factors[1]! * (1 + 1e-5);
    writeFileSync(join(dir, 'item-factors.f32'), factors);
    expect(() => loadVersionBundle(registry, 'default', 'v-mismatch')).toThrow(
      `${join(dir, 'items.f32')} is not the MIPS-to-cosine transform of ${join(dir, 'item-factors.f32')}: row 0, component 1`,
    );
    // Evaluation reads the file as it is.
    expect(() =>
      loadVersionBundle(registry, 'default', 'v-mismatch', { rawItemFactors: true }),
    ).not.toThrow();
  });

  it('refuses item or user id lists that are not arrays of strings, naming the file and the entry', () => {
    for (const [version, file, ids, message] of [
      ['v-numeric-id', 'items.json', (ids: unknown[]) => ids.with(2, 7), 'entry 2 is 7'],
      ['v-null-user', 'users.json', (ids: unknown[]) => ids.with(0, null), 'entry 0 is null'],
      ['v-object-ids', 'items.json', () => ({ a: 1 }), 'expected a JSON array of string ids'],
    ] as const) {
      publishCopy(version);
      const dir = join(registry, 'default', version);
      const manifestOf = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        retrieval: { itemIds: string; userIds: string };
      };
      const name = file === 'items.json' ? manifestOf.retrieval.itemIds : manifestOf.retrieval.userIds;
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(ids(JSON.parse(readFileSync(path, 'utf8')) as unknown[])));
      expect(() => loadVersionBundle(registry, 'default', version)).toThrow(`${path}: `);
      expect(() => loadVersionBundle(registry, 'default', version)).toThrow(message);
    }
  });

  it('throws naming item-factors.f32 and both sizes when it is truncated, though serving does not read it', () => {
    publishCopy('v-short-factors');
    const file = join(registry, 'default', 'v-short-factors', 'item-factors.f32');
    const floats = readFileSync(file).byteLength / 4;
    truncateSync(file, (floats - 1) * 4);
    expect(() => loadVersionBundle(registry, 'default', 'v-short-factors')).toThrow(
      `${file} holds ${floats - 1} floats; the manifest implies ${floats}`,
    );
  });

  it('refuses a version with a damaged item vector row (NaN, or not of norm 1) anywhere, naming the row', () => {
    for (const [version, damage] of [
      ['v-nan-row', (v: Float32Array, w: number, n: number) => (v[(n - 2) * w + 1] = Number.NaN)],
      ['v-scaled-row', (v: Float32Array, w: number) => (v[3 * w + w - 1] = v[3 * w + w - 1]! * 1.5 + 0.1)],
    ] as const) {
      publishCopy(version);
      const file = join(registry, 'default', version, 'items.f32');
      const vectors = new Float32Array(new Uint8Array(readFileSync(file)).buffer);
      const w = manifest.retrieval.vectorDimension;
      const n = vectors.length / w;
      damage(vectors, w, n);
      writeFileSync(file, vectors);
      const row = version === 'v-nan-row' ? n - 2 : 3;
      expect(() => loadVersionBundle(registry, 'default', version)).toThrow(`${file}: row ${row} has norm`);
    }
  });

  it('keeps the item vectors as binary16 halves with vectorPrecision float16, the factor view reading them', () => {
    const half = loadVersionBundle(registry, 'default', 'v1', { vectorPrecision: 'float16' });
    const v = half.bundle.itemVectors;
    expect(v).toBeInstanceOf(Uint16Array);
    const w = manifest.retrieval.vectorDimension;
    const expected = new Uint16Array(v.length);
    encodeHalfRows(bundle.itemVectors as Float32Array, w, expected);
    expect(Array.from(v)).toEqual(Array.from(expected));
    // The factor part is plain binary16; the last value of each row is stored minus 1.
    expect(v[0]).toBe(toHalf((bundle.itemVectors as Float32Array)[0]!));
    expect(v[w - 1]).toBe(toHalf((bundle.itemVectors as Float32Array)[w - 1]! - 1));
    const rows = half.bundle.itemFactors;
    expect(rows.values).toBe(v); // the view reads the halves, no float32 copy
    expect(rows).toMatchObject({ stride: bundle.dimension + 1, scale: bundle.maxItemNorm });
    // Within binary16's rounding of y/M: 2⁻¹¹ relative, 2⁻²⁵ absolute (times M) below 2⁻¹⁴.
    const d = bundle.dimension;
    const y = bundle.itemFactors.values;
    const back = denseFactors(rows);
    let moved = 0;
    for (let i = 0; i < rows.count * d; i++) {
      const err = Math.abs(back[i]! - y[i]!);
      expect(err).toBeLessThanOrEqual(2 ** -11 * Math.abs(y[i]!) + 2 ** -25 * rows.scale);
      if (err > 0) moved++;
    }
    expect(moved).toBeGreaterThan(0);
    // Everything else is as with float32 vectors.
    expect(half.bundle.itemIds).toEqual(loaded.bundle.itemIds);
    expect(Array.from(half.bundle.userVectors)).toEqual(Array.from(loaded.bundle.userVectors));
  });

  it('asks a vectorPrecision function with the item count and keeps the vectors at its answer', () => {
    const asked: number[] = [];
    const half = loadVersionBundle(registry, 'default', 'v1', {
      vectorPrecision: (n) => (asked.push(n), 'float16'),
    });
    const full = loadVersionBundle(registry, 'default', 'v1', {
      vectorPrecision: (n) => (asked.push(n), 'float32'),
    });
    expect(asked).toEqual([bundle.itemIds.length, bundle.itemIds.length]);
    expect(half.bundle.itemVectors).toBeInstanceOf(Uint16Array);
    expect(full.bundle.itemVectors).toBeInstanceOf(Float32Array);
    expect(Array.from(full.bundle.itemVectors)).toEqual(Array.from(loaded.bundle.itemVectors));
  });

  it('refuses a damaged or truncated items.f32 with vectorPrecision float16 too, naming the file and the row', () => {
    publishCopy('v-half-nan');
    const file = join(registry, 'default', 'v-half-nan', 'items.f32');
    const vectors = new Float32Array(new Uint8Array(readFileSync(file)).buffer);
    const w = manifest.retrieval.vectorDimension;
    const n = vectors.length / w;
    vectors[(n - 1) * w] = Number.NaN;
    writeFileSync(file, vectors);
    expect(() =>
      loadVersionBundle(registry, 'default', 'v-half-nan', { vectorPrecision: 'float16' }),
    ).toThrow(`${file}: row ${n - 1} has norm`);
    truncateSync(file, (n * w - 1) * 4);
    expect(() =>
      loadVersionBundle(registry, 'default', 'v-half-nan', { vectorPrecision: 'float16' }),
    ).toThrow(/items\.f32/);
  });

  it('reads the plain counts from the popularity file on first use, naming the file when it is gone', () => {
    publishCopy('v-counts');
    const fresh = loadVersionBundle(registry, 'default', 'v-counts');
    const file = join(registry, 'default', 'v-counts', manifest.popularity.file);
    const published = JSON.parse(readFileSync(file, 'utf8')) as { counts: number[] };
    expect(Array.from(fresh.bundle.trainCounts)).toEqual(published.counts);
    expect(fresh.bundle.trainCounts).toBe(fresh.bundle.trainCounts); // read once, then kept
    const other = loadVersionBundle(registry, 'default', 'v-counts');
    unlinkSync(file);
    expect(() => other.bundle.trainCounts).toThrow(file);
  });

  it('refuses a FIFO or a folder in place of a registry file, without blocking on the FIFO', () => {
    for (const [version, name] of [
      ['v-fifo-factors', 'item-factors.f32'],
      ['v-fifo-vectors', 'items.f32'],
      ['v-fifo-ids', 'items.json'],
    ] as const) {
      publishCopy(version);
      const file = join(registry, 'default', version, name);
      rmSync(file);
      execFileSync('mkfifo', [file]);
      // A blocking open would hang this test (no writer ever opens the FIFO).
      expect(() => loadVersionBundle(registry, 'default', version)).toThrow(`${file} is not a regular file`);
    }
    publishCopy('v-dir-factors');
    const dirFile = join(registry, 'default', 'v-dir-factors', 'item-factors.f32');
    rmSync(dirFile);
    mkdirSync(dirFile);
    expect(() => loadVersionBundle(registry, 'default', 'v-dir-factors')).toThrow(
      `${dirFile} is not a regular file`,
    );
  });

  it('names the Gram file when its size does not match d×d float64', () => {
    publishCopy('v-bad');
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
    expect(loaded.bundle.available.includes(0)).toBe(true);
    expect(loaded.bundle.referenceTime).toBe(bundle.referenceTime);
  });

  /** Publishes the tiny model as `version` with `catalog` (in the model's item order) and loads it. */
  const loadWithCatalog = (version: string, items: CatalogItem[]): LoadedVersion => {
    const byId = new Map(items.map((i) => [i.id, i]));
    publishVersion(
      registry,
      testManifest(bundle, ials, byId, version),
      { bundle, users: new Map(), onnx, catalog: byId },
      false,
    );
    return loadVersionBundle(registry, 'default', version);
  };
  /** The fixture's items in model order, created at the published first-seen time, available as the bundle says. */
  const matchingItems = (): CatalogItem[] =>
    [...bundle.itemIds].map((id, i) => ({
      ...catalog.get(id)!,
      createdAt: bundle.itemState[i]!.firstSeen,
      available: bundle.available[i] === 1,
    }));

  it('shares the catalog’s createdAt and available columns when they hold the published first-seen times and availability (issue #6)', () => {
    const items = matchingItems();
    expect(items.some((i) => i.createdAt === null) || items.some((i) => !i.available)).toBe(true);
    const shared = loadWithCatalog('v-shared', items);
    const table = shared.catalog as CatalogTable;
    expect(shared.bundle.firstSeen).toBe(table.createdAtColumn);
    expect(shared.bundle.available).toBe(table.availabilityColumn);
    expect(Array.from(shared.bundle.firstSeen!, (t) => (Number.isNaN(t) ? null : t))).toEqual(
      bundle.itemState.map((s) => s.firstSeen),
    );
    expect(shared.bundle.itemState.map((s) => s.firstSeen)).toEqual(bundle.itemState.map((s) => s.firstSeen));
    expect(shared.bundle.available).toEqual(bundle.available);
    expect([...shared.catalog.values()]).toEqual(items);
  });

  it('keeps columns of its own when one value differs, or an item is kept as parsed', () => {
    const items = matchingItems();
    items[1] = { ...items[1]!, createdAt: (items[1]!.createdAt ?? 0) + 1 };
    // Another shape (an extra key): the catalog's column entry is not its availability.
    items[2] = { ...items[2]!, available: true, extra: 1 } as CatalogItem;
    const own = loadWithCatalog('v-own', items);
    const table = own.catalog as CatalogTable;
    expect(own.bundle.firstSeen).not.toBe(table.createdAtColumn);
    expect(own.bundle.available).not.toBe(table.availabilityColumn);
    expect(Array.from(own.bundle.firstSeen!, (t) => (Number.isNaN(t) ? null : t))).toEqual(
      bundle.itemState.map((s) => s.firstSeen),
    );
    expect(Array.from(own.bundle.available)).toEqual(items.map((i) => (i.available ? 1 : 0)));
    expect(own.catalog.get(items[2]!.id)).toEqual(items[2]);
  });

  it('reads back the catalog', () => {
    expect([...loaded.catalog.keys()]).toEqual([...catalog.keys()]);
    expect(loaded.catalog.get('m0')).toEqual(JSON.parse(JSON.stringify(catalog.get('m0'))));
    // Every item as its JSON line parses, keys in the same order (items are rebuilt from columns).
    for (const [id, item] of catalog) {
      expect(loaded.catalog.get(id)).toStrictEqual(JSON.parse(JSON.stringify(item)));
      expect(JSON.stringify(loaded.catalog.get(id))).toBe(JSON.stringify(item));
    }
    expect(Array.from(loaded.bundle.available)).toEqual(
      [...bundle.itemIds].map((id) => ((catalog.get(id)?.available ?? true) ? 1 : 0)),
    );
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

describe('sameColumn', () => {
  it('is the column when every entry is the value (NaN equal to NaN), else null', () => {
    const column = Float64Array.from([1, NaN, -2.5]);
    expect(sameColumn(column, 3, (i) => [1, NaN, -2.5][i]!)).toBe(column);
    expect(sameColumn(column, 3, (i) => [1, NaN, -2.4][i]!)).toBeNull();
    expect(sameColumn(column, 2, (i) => [1, NaN][i]!)).toBeNull(); // another length
    expect(sameColumn(new Float64Array([0]), 1, () => -0)).toBeNull(); // −0 is not 0
    const bytes = Uint8Array.from([1, 0]);
    expect(sameColumn(bytes, 2, (i) => 1 - i)).toBe(bytes);
  });
});
