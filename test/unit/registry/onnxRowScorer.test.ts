import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictMlp } from '../../../models/ranker/mlpRanker.js';
import type { MlpRanker } from '../../../models/ranker/mlpRanker.js';
import { onnxRowScorer } from '../../../models/registry/onnxRowScorer.js';
import type { ModelManifest } from '../../../src/domain/manifest.js';
import {
  fitTinyModels,
  rankerOnnx,
  rankerRows,
  tempRegistry,
  testManifest,
  tinyRanker,
} from './registryFixtures.js';

describe('Registry: onnxRowScorer', () => {
  let dir = '';
  let modelPath = '';
  let ranker: MlpRanker;
  let manifest: ModelManifest;

  beforeAll(() => {
    dir = tempRegistry();
    ranker = tinyRanker();
    modelPath = join(dir, 'model.onnx');
    writeFileSync(modelPath, rankerOnnx(ranker));
    const { bundle, ials, catalog } = fitTinyModels();
    manifest = testManifest(bundle, ials, catalog, 'v1');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores rows like predictMlp within 1e-5', async () => {
    const scorer = await onnxRowScorer(modelPath, manifest);
    const n = 64;
    const { x } = rankerRows(n, 77);
    const expected = predictMlp(ranker, x, n);
    const scores = await scorer(x, n);
    expect(scores).toBeInstanceOf(Float32Array);
    expect(scores.length).toBe(n);
    for (let i = 0; i < n; i++) expect(Math.abs(scores[i]! - expected[i]!)).toBeLessThan(1e-5);
    // The rows must spread the scores, or equal constants would pass.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
  });

  it('returns an empty array for zero rows', async () => {
    const scorer = await onnxRowScorer(modelPath, manifest);
    const scores = await scorer(new Float32Array(0), 0);
    expect(scores.length).toBe(0);
  });

  it('rejects a manifest whose input name the model does not have, naming both names', async () => {
    const wrong: ModelManifest = { ...manifest, ranker: { ...manifest.ranker, inputName: 'rows' } };
    await expect(onnxRowScorer(modelPath, wrong)).rejects.toThrow(/input "rows".*inputs \[features\]/);
    await expect(onnxRowScorer(modelPath, wrong)).rejects.toThrow(modelPath);
  });

  it('rejects a manifest whose output name the model does not have, naming both names', async () => {
    const wrong: ModelManifest = { ...manifest, ranker: { ...manifest.ranker, outputName: 'probability' } };
    await expect(onnxRowScorer(modelPath, wrong)).rejects.toThrow(/output "probability".*outputs \[score\]/);
  });

  it('rejects a file that is not an ONNX model', async () => {
    const bad = join(dir, 'not-a-model.onnx');
    writeFileSync(bad, 'not protobuf');
    await expect(onnxRowScorer(bad, manifest)).rejects.toThrow();
  });
});
