import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUserStates } from '../../../models/pipeline/buildUserStates.js';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import type { MlpRanker } from '../../../models/ranker/mlpRanker.js';
import { publishVersion } from '../../../models/registry/publishVersion.js';
import type { CatalogItem, Interaction } from '../../../src/domain/interaction.js';
import type { ModelManifest } from '../../../src/domain/manifest.js';
import { FileModelRegistry } from '../../../src/stores/file/fileModelRegistry.js';
import { syntheticWorld } from '../pipeline/pipelineFixtures.js';
import { fitTinyModels, rankerOnnx, testManifest, tinyRanker } from '../registry/registryFixtures.js';

/** A registry folder with one or more tiny published versions of the synthetic two-genre world. */
export interface TinyRegistry {
  readonly dir: string;
  readonly registry: FileModelRegistry;
  readonly bundle: ModelBundle;
  readonly catalog: Map<string, CatalogItem>;
  readonly interactions: Interaction[];
  readonly ranker: MlpRanker;
  readonly manifest: ModelManifest;
  /**
   * Publishes another version `version` of the same models with the manifest
   * changed by `edit` and, optionally, other ONNX bytes (not made CURRENT).
   */
  publishVariant(version: string, edit: (m: ModelManifest) => ModelManifest, onnx?: Uint8Array): void;
}

/**
 * Fits the synthetic world (12 items m0…m11 alternating drama/comedy, 16 users
 * who each click 4 items of one genre: even users drama, odd users comedy),
 * trains a tiny MLP ranker and publishes it as version `v1` with user states.
 */
export function tinyRegistry(): TinyRegistry {
  const dir = mkdtempSync(join(tmpdir(), 'recgate-served-'));
  const { bundle, ials, catalog } = fitTinyModels();
  const { interactions } = syntheticWorld();
  const ranker = tinyRanker();
  const onnx = rankerOnnx(ranker);
  const users = buildUserStates(interactions, bundle.itemIndex, catalog);
  const base = testManifest(bundle, ials, catalog, 'v1');
  const manifest: ModelManifest = { ...base, userState: { file: 'user-state.jsonl', userCount: users.size } };
  publishVersion(dir, manifest, { bundle, users, onnx, catalog });
  return {
    dir,
    registry: new FileModelRegistry({ dir }),
    bundle,
    catalog,
    interactions,
    ranker,
    manifest,
    publishVariant(version, edit, bytes = onnx) {
      publishVersion(dir, edit({ ...manifest, version }), { bundle, users, onnx: bytes, catalog }, false);
    },
  };
}
