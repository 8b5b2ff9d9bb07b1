import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVersionBundle } from '../../../models/registry/loadVersionBundle.js';
import { ensureSyntheticVersion } from '../../../src/bench/publishSyntheticVersion.js';
import { loadServedModel } from '../../../src/inference/loadServedModel.js';
import { FileModelRegistry } from '../../../src/stores/file/fileModelRegistry.js';

describe('Synthetic registry version', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-synthetic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes a version the gateway loads (manifest checked against the ONNX ranker) and reuses it', async () => {
    const first = ensureSyntheticVersion(dir, 'syn', { items: 300, dimension: 8, users: 40 });
    expect(first.generated).toBe(true);
    const loaded = loadVersionBundle(dir, 'syn', first.version);
    expect(loaded.bundle.itemIds.length).toBe(300);
    expect(loaded.manifest.retrieval.vectorDimension).toBe(9);
    expect(loaded.manifest.config).toMatchObject({
      generator: 'recgate-bench-synthetic',
      items: 300,
      seed: 42,
    });
    const model = await loadServedModel(new FileModelRegistry({ dir, modelName: 'syn' }), first.version);
    const scores = await model.scoreRows(new Float32Array(2 * model.manifest.ranker.features.length), 2);
    expect(scores.length).toBe(2);
    await model.close();
    const again = ensureSyntheticVersion(dir, 'syn', { items: 300, dimension: 8, users: 40 });
    expect(again).toMatchObject({ version: first.version, generated: false });
    expect(
      ensureSyntheticVersion(dir, 'syn', { items: 300, dimension: 8, users: 40, seed: 5 }).generated,
    ).toBe(true);
  });
});
