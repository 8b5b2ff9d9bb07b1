import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictMlp } from '../../../models/ranker/mlpRanker.js';
import { RANKER_FEATURE_COUNT } from '../../../src/domain/rankerFeatures.js';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { ModelLoadError } from '../../../src/inference/modelLoadError.js';
import { readUserStates } from '../../../src/inference/readUserStates.js';
import type { ServedModel } from '../../../src/inference/servedModel.js';
import { rankerRows } from '../registry/registryFixtures.js';
import { tinyRegistry } from './servedModelFixtures.js';
import type { TinyRegistry } from './servedModelFixtures.js';

describe('Inference: loadServedModel', () => {
  let reg: TinyRegistry;
  let model: ServedModel;

  beforeAll(async () => {
    reg = tinyRegistry();
    reg.publishVariant('v-input', (m) => ({ ...m, ranker: { ...m.ranker, inputName: 'rows' } }));
    reg.publishVariant('v-output', (m) => ({ ...m, ranker: { ...m.ranker, outputName: 'probability' } }));
    reg.publishVariant('v-count', (m) => ({
      ...m,
      ranker: { ...m.ranker, features: m.ranker.features.slice(0, 9) },
    }));
    reg.publishVariant('v-default', (m) => ({
      ...m,
      ranker: {
        ...m.ranker,
        features: m.ranker.features.map((f, i) => (i === 3 ? { ...f, default: Number.NaN } : f)),
      },
    }));
    reg.publishVariant('v-corrupt', (m) => m, new Uint8Array([1, 2, 3, 4]));
    model = await loadServedModel(reg.registry, 'v1');
  });

  afterAll(async () => {
    await model?.close();
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
  });

  it('serves the version’s manifest, bundle, catalog and a fold-in model with the manifest’s settings', () => {
    expect(model.version).toBe('v1');
    expect(model.manifest.ranker.features.length).toBe(RANKER_FEATURE_COUNT);
    expect(model.bundle.itemIds).toEqual(reg.bundle.itemIds);
    expect([...model.catalog.keys()].sort()).toEqual([...reg.catalog.keys()].sort());
    expect(model.foldIn.dimension).toBe(reg.bundle.dimension);
    expect(model.foldIn.alpha).toBe(reg.manifest.retrieval.alpha);
    expect(model.foldIn.regularization).toBe(reg.manifest.retrieval.regularization);
    expect(model.foldIn.gram.length).toBe(reg.bundle.dimension ** 2);
  });

  it('scores rows like predictMlp within 1e-5, in one batch', async () => {
    const n = 64;
    const { x } = rankerRows(n, 77);
    const expected = predictMlp(reg.ranker, x, n);
    const scores = await model.scoreRows(x, n);
    expect(scores.length).toBe(n);
    for (let i = 0; i < n; i++) expect(Math.abs(scores[i]! - expected[i]!)).toBeLessThan(1e-5);
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
  });

  it('returns 0 for a row whose score is not finite, and [] for zero rows', async () => {
    const x = new Float32Array(2 * RANKER_FEATURE_COUNT).fill(0.5);
    x[RANKER_FEATURE_COUNT] = Number.NaN;
    const scores = await model.scoreRows(x, 2);
    expect(Number.isFinite(scores[0]!)).toBe(true);
    expect(scores[0]).not.toBe(0);
    expect(scores[1]).toBe(0);
    expect((await model.scoreRows(new Float32Array(0), 0)).length).toBe(0);
  });

  it('rejects rows that are not n × F values with a RangeError', async () => {
    await expect(model.scoreRows(new Float32Array(5), 1)).rejects.toThrow(RangeError);
  });

  it('refuses a manifest input name the model lacks, naming both', async () => {
    const err = await loadServedModel(reg.registry, 'v-input').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/expects input "rows" .*the model has inputs \[features\]/);
    expect((err as Error).message).toContain('v-input');
  });

  it('refuses a manifest output name the model lacks', async () => {
    await expect(loadServedModel(reg.registry, 'v-output')).rejects.toThrow(
      /output "probability".*outputs \[score\]/,
    );
  });

  it('refuses a feature list whose length differs from the input’s last dimension', async () => {
    const err = await loadServedModel(reg.registry, 'v-count').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/takes 10 features per row; the manifest lists 9/);
  });

  it('refuses a feature default that is not finite, naming the feature', async () => {
    // NaN is written to JSON as null.
    await expect(loadServedModel(reg.registry, 'v-default')).rejects.toThrow(
      /feature "popularity" has default null; defaults must be finite/,
    );
  });

  it('refuses an unreadable ONNX file and a missing version with a ModelLoadError', async () => {
    await expect(loadServedModel(reg.registry, 'v-corrupt')).rejects.toThrow(
      /onnxruntime cannot open the ranker/,
    );
    const err = await loadServedModel(reg.registry, 'v-missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/v-missing/);
  });

  it('reads the user states of a version', async () => {
    const users = [...(await readUserStates(reg.registry, 'v1'))];
    expect(users.length).toBe(16);
    const u0 = users.find((u) => u.userId === 'u0')!;
    expect(u0.interactionCount).toBe(4);
    expect(u0.categoryShare).toEqual({ drama: 1 });
    expect(u0.recent.length).toBe(4);
  });
});
