import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import type { ModelManifest } from '../../../src/domain/manifest.js';
import { REGISTRY_FORMAT_VERSION } from '../../../src/domain/manifest.js';
import { createRandom } from '../../../src/domain/random.js';
import { RANKER_FEATURE_COUNT, RANKER_FEATURES } from '../../../src/domain/rankerFeatures.js';
import { fitModels } from '../../../models/pipeline/fitModels.js';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import { DEFAULT_TRAIN_CONFIG } from '../../../models/pipeline/trainConfig.js';
import type { TrainConfig } from '../../../models/pipeline/trainConfig.js';
import { exportRankerToOnnx } from '../../../models/ranker/exportRankerToOnnx.js';
import type { MlpRanker } from '../../../models/ranker/mlpRanker.js';
import { trainMlpRanker } from '../../../models/ranker/trainMlpRanker.js';
import type { IalsModel } from '../../../models/retrieval/trainIals.js';
import { syntheticWorld } from '../pipeline/pipelineFixtures.js';
import { retrievalSection } from '../../../models/registry/retrievalSection.js';
import { publishVersion } from '../../../models/registry/publishVersion.js';

/** The small training configuration registry tests fit with. */
export const TEST_CONFIG: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, dimension: 4, epochs: 3, neighbours: 5 };

/** A fresh empty registry folder under the OS temp dir (the caller removes it). */
export function tempRegistry(): string {
  return mkdtempSync(join(tmpdir(), 'recgate-registry-'));
}

/** Models fitted on the synthetic two-genre world of the pipeline tests. */
export function fitTinyModels(): { bundle: ModelBundle; ials: IalsModel; catalog: Map<string, CatalogItem> } {
  const { catalog, interactions } = syntheticWorld();
  return { ...fitModels(interactions, catalog, TEST_CONFIG), catalog };
}

/**
 * n seeded feature rows around 0 with labels from a noisy linear rule, so a
 * trained ranker has non-trivial weights.
 */
export function rankerRows(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const random = createRandom(seed);
  const F = RANKER_FEATURE_COUNT;
  const x = Float32Array.from({ length: n * F }, () => random.normal());
  const y = Float32Array.from({ length: n }, (_, i) =>
    x[i * F]! + 0.5 * x[i * F + 3]! + 0.5 * random.normal() > 0 ? 1 : 0,
  );
  return { x, y };
}

/** A small MLP ranker (4 hidden units) trained by trainMlpRanker on {@link rankerRows}. */
export function tinyRanker(): MlpRanker {
  const { x, y } = rankerRows(200, 5);
  return trainMlpRanker(x, y, 200, RANKER_FEATURE_COUNT, { hidden: 4, epochs: 3, batchSize: 32, seed: 6 });
}

/** ONNX bytes of `ranker` with the manifest's names ('features' → 'score'). */
export function rankerOnnx(ranker: MlpRanker): Uint8Array {
  return exportRankerToOnnx(ranker, {
    inputName: 'features',
    outputName: 'score',
    featureNames: RANKER_FEATURES.map((f) => f.name),
  });
}

/**
 * A valid manifest for `bundle`, shaped like `buildManifest` in
 * models/pipeline/runTraining.ts (file names, shapes and settings).
 */
export function testManifest(
  bundle: ModelBundle,
  ials: IalsModel,
  catalog: ReadonlyMap<string, CatalogItem>,
  version: string,
  name = 'default',
): ModelManifest {
  const iso = new Date(bundle.referenceTime).toISOString();
  return {
    formatVersion: REGISTRY_FORMAT_VERSION,
    name,
    version,
    created: '2024-03-05T07:08:09.000Z',
    parentVersion: null,
    training: {
      dataset: 'synthetic',
      format: 'generic',
      from: iso,
      to: iso,
      referenceTime: iso,
      interactions: 64,
      users: bundle.userIds.length,
      items: bundle.itemIds.length,
      ratingScale: null,
      seconds: 0.5,
    },
    retrieval: retrievalSection(ials, bundle.maxItemNorm),
    neighbours: { file: 'neighbours.json', topN: TEST_CONFIG.neighbours, similarity: 'cosine' },
    popularity: {
      file: 'popularity.json',
      halfLifeDays: TEST_CONFIG.popularityHalfLifeDays,
      trendingHalfLifeDays: TEST_CONFIG.trendingHalfLifeDays,
    },
    ranker: {
      file: 'model.onnx',
      kind: 'mlp',
      inputName: 'features',
      outputName: 'score',
      inputShape: [-1, RANKER_FEATURE_COUNT],
      outputShape: [-1, 1],
      features: RANKER_FEATURES,
      candidateCount: 10,
    },
    userState: { file: 'user-state.jsonl', userCount: 0 },
    catalog: { file: 'catalog.jsonl', itemCount: catalog.size },
    evaluation: null,
    config: TEST_CONFIG,
  };
}

/**
 * A fresh registry (under the OS temp dir) holding one version `v1` of the
 * tiny models (no users), for tests that only load it back; the caller
 * removes the folder.
 */
export function tempRegistryWithTinyVersion(): string {
  const registry = tempRegistry();
  const { bundle, ials, catalog } = fitTinyModels();
  const manifest = testManifest(bundle, ials, catalog, 'v1');
  publishVersion(registry, manifest, { bundle, users: new Map(), onnx: rankerOnnx(tinyRanker()), catalog });
  return registry;
}
