import { join } from 'node:path';
import type { DatasetFormat } from '../data/dataset.js';
import { loadDataset } from '../data/loadDataset.js';
import { itemsByUser } from '../eval/itemsByUser.js';
import { popularityShareFrom } from '../eval/popularityShareFrom.js';
import { relevantItems } from '../eval/relevantItems.js';
import { splitInteractions } from '../eval/splitInteractions.js';
import { formatSplitSpec, parseSplitSpec, SplitSpecError } from '../eval/splitSpec.js';
import { loadVersionBundle } from '../registry/loadVersionBundle.js';
import { onnxRowScorer } from '../registry/onnxRowScorer.js';
import { readCurrentVersion, RegistryError } from '../registry/registryPaths.js';
import { createFoldInModel, foldInUser } from '../retrieval/foldIn.js';
import { buildUserStates, NEGATIVE_TYPES } from './buildUserStates.js';
import type { TwoStageEvaluation } from './evaluateTwoStage.js';
import { evaluateTwoStage } from './evaluateTwoStage.js';
import type { ProgressLog } from './fitModels.js';
import { positiveThresholdFor } from './runTraining.js';
import type { TrainConfig } from './trainConfig.js';

/** Options of {@link runEvaluation} (the `recgate evaluate` command). */
export interface RunEvaluationOptions {
  readonly registryDir: string;
  readonly modelName: string;
  /** Version to evaluate. @default the CURRENT version */
  readonly version?: string;
  readonly dataDir: string;
  readonly format: DatasetFormat;
  readonly split: string;
  /** Share of bad rows tolerated (0..1). @default 0.05 */
  readonly maxBadShare?: number;
  readonly config: TrainConfig;
  readonly log: ProgressLog;
}

/**
 * Re-evaluates a published version on a dataset and split, exactly as served:
 * its item embeddings, neighbours, popularity and ONNX ranker (run by
 * onnxruntime-node). User vectors are folded in from each user's training
 * part, so no user vector has seen that user's test interactions; the item
 * side may have (a warning says so when the version's training range overlaps
 * the test part).
 * @throws Error when there is no such version; DatasetError / SplitSpecError for bad input.
 */
export async function runEvaluation(
  options: RunEvaluationOptions,
): Promise<{ version: string; split: string; result: TwoStageEvaluation; overlapWarning: string | null }> {
  const { log } = options;
  const spec = parseSplitSpec(options.split);
  if (spec.kind === 'none') throw new SplitSpecError('evaluate needs a split; "none" evaluates nothing');
  const version = options.version ?? readCurrentVersion(options.registryDir, options.modelName);
  if (!version) {
    throw new RegistryError(
      `no version to evaluate: ${join(options.registryDir, options.modelName)} has no CURRENT; run recgate train first`,
    );
  }
  // Fold-in on the published factors themselves, as training evaluated them (not the served view).
  const loaded = loadVersionBundle(options.registryDir, options.modelName, version, { rawItemFactors: true });
  log(
    `loaded ${options.modelName}/${version} (${loaded.bundle.itemIds.length} items, d=${loaded.bundle.dimension})`,
  );
  const dataset = await loadDataset(options.dataDir, options.format, {
    maxBadShare: options.maxBadShare ?? 0.05,
  });
  const split = splitInteractions(dataset.interactions, spec, { seed: options.config.seed });
  const threshold = positiveThresholdFor(spec, dataset);
  const { bundle } = loaded;
  const r = loaded.manifest.retrieval;
  const foldIn = createFoldInModel(bundle.itemFactors, bundle.dimension, r);
  const byUser = new Map<string, number[]>();
  for (const e of split.train) {
    const i = bundle.itemIndex.get(e.itemId);
    if (i === undefined || NEGATIVE_TYPES.has(e.type)) continue;
    let list = byUser.get(e.userId);
    if (!list) byUser.set(e.userId, (list = []));
    list.push(i);
  }
  const userIds = [...byUser.keys()];
  const d = bundle.dimension;
  const userVectors = new Float32Array(userIds.length * d);
  userIds.forEach((u, k) => {
    const items = byUser.get(u)!;
    userVectors.set(
      foldInUser(
        foldIn,
        items,
        items.map(() => 1),
      ),
      k * d,
    );
  });
  log(`folded in ${userIds.length} users from the training part`);
  const evalBundle = { ...bundle, userIds, userIndex: new Map(userIds.map((u, k) => [u, k])), userVectors };
  const states = buildUserStates(split.train, bundle.itemIndex, loaded.catalog);
  const relevant = relevantItems(split.test, {
    positiveThreshold: threshold,
    exclude: itemsByUser(split.train),
  });
  const scorer = await onnxRowScorer(join(loaded.dir, loaded.manifest.ranker.file), loaded.manifest);
  const result = await evaluateTwoStage(
    evalBundle,
    states,
    scorer,
    relevant,
    loaded.catalog,
    popularityShareFrom(split.train),
    options.config,
  );
  const testFrom = split.testRange?.from ?? Infinity;
  const overlapWarning =
    Date.parse(loaded.manifest.training.to) >= testFrom
      ? `version ${version} was trained on data up to ${loaded.manifest.training.to}, which overlaps the test part: its numbers are optimistic`
      : null;
  return { version, split: formatSplitSpec(spec), result, overlapWarning };
}
