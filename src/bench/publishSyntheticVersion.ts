import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportRankerToOnnx } from '../../models/ranker/exportRankerToOnnx.js';
import { trainMlpRanker } from '../../models/ranker/trainMlpRanker.js';
import { newVersionName, publishVersion } from '../../models/registry/publishVersion.js';
import { readCurrentVersion, readManifest } from '../../models/registry/registryPaths.js';
import { denseFactors } from '../domain/factorRows.js';
import type { ModelManifest } from '../domain/manifest.js';
import { REGISTRY_FORMAT_VERSION } from '../domain/manifest.js';
import { createRandom } from '../domain/random.js';
import { RANKER_FEATURE_COUNT, RANKER_FEATURES, writeFeatureRow } from '../domain/rankerFeatures.js';
import type { SyntheticCatalog, SyntheticCatalogOptions } from './syntheticCatalog.js';
import { generateSyntheticCatalog, SYNTHETIC_GENERATOR_VERSION } from './syntheticCatalog.js';
import { retrievalSection } from '../../models/registry/retrievalSection.js';

/** What a synthetic version's manifest records in `config` (and what makes a cached one reusable). */
export interface SyntheticConfig {
  readonly generator: 'recgate-bench-synthetic';
  readonly generatorVersion: number;
  readonly items: number;
  readonly dimension: number;
  readonly seed: number;
}

/** The ranker's synthetic training set: users sampled, candidates per user. */
const RANKER_USERS = 1000;
const RANKER_CANDIDATES = 100;

/**
 * The registry version for a synthetic catalog of `options.items` items:
 * reuses `<registryDir>/<modelName>/CURRENT` when its manifest records the
 * same generator version, size, dimension and seed; otherwise generates the
 * catalog ({@link generateSyntheticCatalog}), trains the ranker on it and
 * publishes a version (`publishVersion`, the trainer's writer) that becomes CURRENT.
 *
 * The ranker is the trainer's own MLP (32 hidden units, `trainMlpRanker`)
 * exported with `exportRankerToOnnx`, trained on 1,000 sampled users × 100
 * candidates (60 from the user's topics, 40 uniform) whose feature rows are
 * built with `writeFeatureRow` (as serving builds them) and labelled by the
 * latent truth: P(positive) = σ(3·cosine(user, item) + 0.4·log(1 + popularity) − 4).
 * @returns the version served and whether it was generated now.
 * @throws RangeError for out-of-range options (see generateSyntheticCatalog).
 */
export function ensureSyntheticVersion(
  registryDir: string,
  modelName: string,
  options: SyntheticCatalogOptions,
  log: (line: string) => void = () => undefined,
): { version: string; generated: boolean; seconds: number } {
  const started = performance.now();
  const wanted: SyntheticConfig = {
    generator: 'recgate-bench-synthetic',
    generatorVersion: SYNTHETIC_GENERATOR_VERSION,
    items: options.items,
    dimension: options.dimension ?? 64,
    seed: options.seed ?? 42,
  };
  const current = readCurrentVersion(registryDir, modelName);
  if (current !== null) {
    const config = readManifest(registryDir, modelName, current).config as
      Partial<SyntheticConfig> | undefined;
    if (
      config !== undefined &&
      (Object.keys(wanted) as (keyof SyntheticConfig)[]).every((k) => config[k] === wanted[k])
    ) {
      return { version: current, generated: false, seconds: (performance.now() - started) / 1000 };
    }
  }
  log(`generating a synthetic catalog of ${options.items} items (seed ${wanted.seed})`);
  const synthetic = generateSyntheticCatalog(options);
  log(`training the ranker on synthetic features`);
  const { onnx, stats, kind } = trainSyntheticRanker(synthetic);
  const modelDir = join(registryDir, modelName);
  const version = newVersionName(new Date(), (name) => existsSync(join(modelDir, name)));
  const seconds = (performance.now() - started) / 1000;
  const manifest = syntheticManifest(synthetic, modelName, version, wanted, { ...stats }, kind, seconds);
  publishVersion(registryDir, manifest, {
    bundle: synthetic.bundle,
    users: synthetic.users,
    onnx,
    catalog: synthetic.catalog,
  });
  log(`published ${modelName}/${version}`);
  return { version, generated: true, seconds: (performance.now() - started) / 1000 };
}

/** Feature rows and latent labels for the ranker (see {@link ensureSyntheticVersion}), trained and exported. */
function trainSyntheticRanker(s: SyntheticCatalog): {
  onnx: Uint8Array;
  stats: Record<string, number>;
  kind: 'mlp' | 'logistic';
} {
  const { bundle } = s;
  const d = bundle.dimension;
  const factors = denseFactors(bundle.itemFactors); // the generator's own array (dense rows)
  const n = bundle.itemIds.length;
  const random = createRandom(s.settings.seed + 1);
  const F = RANKER_FEATURE_COUNT;
  const users = Math.min(RANKER_USERS, bundle.userIds.length);
  const rows = users * RANKER_CANDIDATES;
  const x = new Float32Array(rows * F);
  const y = new Float32Array(rows);
  const topicMembers = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const t = s.itemTopic[i]!;
    let list = topicMembers.get(t);
    if (list === undefined) topicMembers.set(t, (list = []));
    list.push(i);
  }
  let r = 0;
  let positives = 0;
  for (let k = 0; k < users; k++) {
    const u = random.int(0, bundle.userIds.length - 1);
    const state = s.users.get(bundle.userIds[u]!)!;
    const itemToItem = new Map<number, number>();
    for (const recent of state.recentItems) {
      const nb = bundle.neighbours[recent]!;
      nb.items.forEach((j, q) => itemToItem.set(j, (itemToItem.get(j) ?? 0) + nb.scores[q]!));
    }
    let xNorm = 0;
    for (let p = 0; p < d; p++) xNorm += bundle.userVectors[u * d + p]! ** 2;
    xNorm = Math.sqrt(xNorm);
    const topics = s.userTopics[u]!;
    for (let c = 0; c < RANKER_CANDIDATES; c++, r++) {
      const members = topicMembers.get(topics[random.int(0, topics.length - 1)]!) ?? [];
      const i =
        c < 60 && members.length > 0 ? members[random.int(0, members.length - 1)]! : random.int(0, n - 1);
      let dot = 0;
      let yNorm = 0;
      for (let p = 0; p < d; p++) {
        dot += bundle.userVectors[u * d + p]! * factors[i * d + p]!;
        yNorm += factors[i * d + p]! ** 2;
      }
      const cosine = dot / (xNorm * Math.sqrt(yNorm) || 1);
      writeFeatureRow(
        x,
        r * F,
        state,
        bundle.itemState[i]!,
        { retrieval: dot / (xNorm * bundle.maxItemNorm || 1), cosine, itemToItem: itemToItem.get(i) ?? 0 },
        bundle.referenceTime,
      );
      const logit = 3 * cosine + 0.4 * Math.log1p(bundle.popularity[i]!) - 4;
      y[r] = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      positives += y[r]!;
    }
  }
  const ranker = trainMlpRanker(x, y, rows, F, { hidden: 32, epochs: 4, seed: s.settings.seed });
  const onnx = exportRankerToOnnx(ranker, {
    inputName: 'features',
    outputName: 'score',
    featureNames: RANKER_FEATURES.map((f) => f.name),
  });
  return { onnx, stats: { rows, positives, users }, kind: ranker.kind };
}

function syntheticManifest(
  s: SyntheticCatalog,
  name: string,
  version: string,
  config: SyntheticConfig,
  rankerStats: Record<string, number>,
  kind: 'mlp' | 'logistic',
  seconds: number,
): ModelManifest {
  const { bundle, settings } = s;
  const reference = new Date(bundle.referenceTime).toISOString();
  return {
    formatVersion: REGISTRY_FORMAT_VERSION,
    name,
    version,
    created: new Date().toISOString(),
    parentVersion: null,
    training: {
      dataset: `synthetic (${settings.items} items, ${settings.topics} topics, seed ${settings.seed})`,
      format: 'synthetic',
      from: new Date(bundle.referenceTime - 365 * 86_400_000).toISOString(),
      to: reference,
      referenceTime: reference,
      interactions: s.interactions,
      users: bundle.userIds.length,
      items: bundle.itemIds.length,
      ratingScale: null,
      seconds: Math.round(seconds * 10) / 10,
    },
    // Synthetic factors stand in for iALS ones; fold-in uses these settings as training would.
    retrieval: retrievalSection(
      { dimension: bundle.dimension, regularization: 0.02, regularizationExponent: 1, alpha: 5, epochs: 0 },
      bundle.maxItemNorm,
    ),
    neighbours: { file: 'neighbours.json', topN: settings.neighbours, similarity: 'cosine' },
    popularity: { file: 'popularity.json', halfLifeDays: 90, trendingHalfLifeDays: 7 },
    ranker: {
      file: 'model.onnx',
      kind,
      inputName: 'features',
      outputName: 'score',
      inputShape: [-1, RANKER_FEATURES.length],
      outputShape: [-1, 1],
      features: RANKER_FEATURES,
      candidateCount: RANKER_CANDIDATES,
      training: rankerStats,
    },
    catalog: { file: 'catalog.jsonl', itemCount: s.catalog.size },
    userState: { file: 'user-state.jsonl', userCount: s.users.size },
    evaluation: null,
    config: { ...config, users: settings.users, topics: settings.topics, neighbours: settings.neighbours },
  };
}
