import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Interaction } from '../../src/domain/interaction.js';
import type { ManifestEvaluation, MetricTable, ModelManifest } from '../../src/domain/manifest.js';
import { REGISTRY_FORMAT_VERSION } from '../../src/domain/manifest.js';
import { RANKER_FEATURES } from '../../src/domain/rankerFeatures.js';
import type { Dataset, DatasetFormat } from '../data/dataset.js';
import { loadDataset } from '../data/loadDataset.js';
import { formatDatasetSummary, summarizeDataset } from '../data/summarizeDataset.js';
import { itemsByUser } from '../eval/itemsByUser.js';
import { popularityShareFrom } from '../eval/popularityShareFrom.js';
import { relevantItems } from '../eval/relevantItems.js';
import { splitInteractions } from '../eval/splitInteractions.js';
import type { SplitSpec } from '../eval/splitSpec.js';
import { formatSplitSpec, parseSplitSpec } from '../eval/splitSpec.js';
import { exportRankerToOnnx } from '../ranker/exportRankerToOnnx.js';
import { predictMlp } from '../ranker/mlpRanker.js';
import { newVersionName, publishVersion } from '../registry/publishVersion.js';
import { readCurrentVersion, readManifest } from '../registry/registryPaths.js';
import type { ComparedMetrics, TwoStageEvaluation } from './evaluateTwoStage.js';
import { evaluateTwoStage } from './evaluateTwoStage.js';
import type { ProgressLog } from './fitModels.js';
import type { TwoStageModel } from './fitTwoStage.js';
import { fitTwoStage } from './fitTwoStage.js';
import type { TrainConfig } from './trainConfig.js';
import { resolveDimension } from './trainConfig.js';
import { retrievalSection } from '../registry/retrievalSection.js';

/** Options of {@link runTraining} (the `recgate train` command). */
export interface RunTrainingOptions {
  readonly dataDir: string;
  readonly format: DatasetFormat;
  /** Split spec (`temporal`, `random:0.8`, …, or `none`). @default 'temporal' */
  readonly split: string;
  /** Absolute registry folder. */
  readonly registryDir: string;
  readonly modelName: string;
  /** Write the metrics JSON here. */
  readonly reportFile?: string;
  /** Share of bad rows tolerated (0..1). @default 0.05 */
  readonly maxBadShare?: number;
  /** Event-log exports whose feedback records are appended to the dataset (`LoadOptions.events`). @default [] */
  readonly events?: readonly string[];
  readonly config: TrainConfig;
  readonly log: ProgressLog;
}

/** The JSON written to `--report` (metrics keyed `metrics.<model>.<metric>@<k>`). */
export interface TrainingReport {
  readonly dataset: string;
  readonly format: string;
  readonly split: string;
  readonly seed: number;
  readonly positiveThreshold: number | null;
  readonly evaluatedUsers: number;
  readonly coldStartUsers: number;
  readonly metrics: ComparedMetrics | null;
  readonly coldStart: ComparedMetrics | null;
  /** Relative lift of the two-stage pipeline over retrieval alone, per metric (0.25 = +25 %). */
  readonly rankerLift: MetricTable | null;
  readonly gate: { readonly passed: boolean; readonly reasons: readonly string[] };
  readonly published: boolean;
  readonly version: string | null;
  readonly seconds: {
    readonly load: number;
    readonly evaluation: number;
    readonly final: number;
    readonly total: number;
  };
}

/**
 * The train command: load and validate the data, evaluate the two-stage
 * recommender against MostPop and retrieval alone on the split, gate, then
 * retrain every model on all the data and publish a registry version.
 *
 * Gate: two-stage NDCG@10 must beat MostPop's and the current version's
 * (when that version was evaluated on the same dataset, split and seed).
 * `--split none` skips evaluation and the gate.
 * @throws DatasetError for unusable data, SplitSpecError for a bad split.
 */
export async function runTraining(options: RunTrainingOptions): Promise<TrainingReport> {
  const started = performance.now();
  const { log } = options;
  const spec = parseSplitSpec(options.split);
  const dataset = await loadDataset(options.dataDir, options.format, {
    maxBadShare: options.maxBadShare ?? 0.05,
    events: options.events ?? [],
  });
  const loadSeconds = (performance.now() - started) / 1000;
  const config = resolveDimension(options.config, dataset.items.size);
  if (options.config.dimension === 0)
    log(`iALS dimension ${config.dimension} (automatic for ${dataset.items.size} items)`);
  log(formatDatasetSummary(summarizeDataset(dataset), dataset.report));

  let evaluation: ManifestEvaluation | null = null;
  let result: TwoStageEvaluation | null = null;
  let rankerLift: MetricTable | null = null;
  let threshold: number | null = null;
  const gateReasons: string[] = [];
  let passed = true;
  let evaluated: TwoStageModel | null = null;
  const evalStart = performance.now();
  if (spec.kind !== 'none') {
    threshold = positiveThresholdFor(spec, dataset);
    const split = splitInteractions(dataset.interactions, spec, { seed: config.seed });
    log(
      `split ${formatSplitSpec(spec)}: ${split.train.length} training and ${split.test.length} test interactions`,
    );
    const model = fitTwoStage(split.train, dataset.items, threshold, spec, config, log);
    if (spec.kind === 'temporal') evaluated = model;
    const relevant = relevantItems(split.test, {
      positiveThreshold: threshold,
      exclude: itemsByUser(split.train),
    });
    log(`evaluating on ${relevant.size} users`);
    result = await evaluateTwoStage(
      model.bundle,
      model.states,
      async (x, n) => predictMlp(model.ranker, x, n),
      relevant,
      dataset.items,
      popularityShareFrom(split.train),
      config,
    );
    rankerLift = lift(result.warm.twoStage, result.warm.retrieval);
    log(formatMetricsTable(result));
    const ndcg = (t: MetricTable): number => t['ndcg@10'] ?? 0;
    const twoStage = ndcg(result.warm.twoStage);
    if (!(twoStage > ndcg(result.warm.mostPop))) {
      passed = false;
      gateReasons.push(
        `two-stage NDCG@10 ${twoStage.toFixed(4)} does not beat MostPop's ${ndcg(result.warm.mostPop).toFixed(4)}`,
      );
    }
    const current = currentComparable(options, dataset, formatSplitSpec(spec), config.seed);
    if (current) {
      if (!(twoStage > current.ndcg)) {
        passed = false;
        gateReasons.push(
          `two-stage NDCG@10 ${twoStage.toFixed(4)} does not beat the current version ${current.version}'s ${current.ndcg.toFixed(4)} on the same split`,
        );
      } else gateReasons.push(`beats the current version ${current.version} (${current.ndcg.toFixed(4)})`);
    } else
      gateReasons.push(
        'no current version evaluated on the same dataset and split: compared with MostPop only',
      );
    evaluation = {
      split: formatSplitSpec(spec),
      seed: config.seed,
      positiveThreshold: threshold,
      trainRange: isoRange(split.train),
      testRange: isoRange(split.test),
      evaluatedUsers: result.warmUsers,
      coldStartUsers: result.coldStartUsers,
      metrics: result.warm,
      coldStart: result.coldStart,
    };
  } else gateReasons.push('--split none: evaluation and gate skipped');
  const evalSeconds = (performance.now() - evalStart) / 1000;

  let version: string | null = null;
  const finalStart = performance.now();
  if (passed) {
    log('retraining every model on all the data for publishing');
    const model = fitTwoStage(
      dataset.interactions,
      dataset.items,
      dataset.ratingScale?.positiveThreshold ?? null,
      { kind: 'temporal' },
      config,
      log,
      evaluated ?? undefined,
    );
    const modelDir = join(options.registryDir, options.modelName);
    version = newVersionName(new Date(), (name) => existsSync(join(modelDir, name)));
    const manifest = buildManifest(
      { ...options, config },
      dataset,
      model,
      version,
      evaluation,
      (performance.now() - started) / 1000,
    );
    const onnx = exportRankerToOnnx(model.ranker, {
      inputName: manifest.ranker.inputName,
      outputName: manifest.ranker.outputName,
      featureNames: RANKER_FEATURES.map((f) => f.name),
    });
    const dir = publishVersion(options.registryDir, manifest, {
      bundle: model.bundle,
      users: model.states,
      onnx,
      catalog: dataset.items,
    });
    log(`published ${options.modelName}/${version} to ${dir} (now CURRENT)`);
  } else {
    log(`not published: ${gateReasons.join('; ')}`);
  }
  const report: TrainingReport = {
    dataset: options.dataDir,
    format: options.format,
    split: formatSplitSpec(spec),
    seed: config.seed,
    positiveThreshold: threshold,
    evaluatedUsers: result?.warmUsers ?? 0,
    coldStartUsers: result?.coldStartUsers ?? 0,
    metrics: result?.warm ?? null,
    coldStart: result?.coldStart ?? null,
    rankerLift,
    gate: { passed, reasons: gateReasons },
    published: version !== null,
    version,
    seconds: {
      load: round(loadSeconds),
      evaluation: round(evalSeconds),
      final: round((performance.now() - finalStart) / 1000),
      total: round((performance.now() - started) / 1000),
    },
  };
  if (options.reportFile) {
    mkdirSync(dirname(options.reportFile), { recursive: true });
    writeFileSync(options.reportFile, JSON.stringify(report, null, 2) + '\n');
    log(`wrote ${options.reportFile}`);
  }
  return report;
}

/**
 * Rating threshold for relevance (evaluation.md): every rating counts for the
 * random splits; `rating >= threshold` for `temporal` and `leave-last-out`.
 */
export function positiveThresholdFor(spec: SplitSpec, dataset: Dataset): number | null {
  if (spec.kind === 'random' || spec.kind === 'random-per-user') return null;
  return dataset.ratingScale?.positiveThreshold ?? null;
}

/** Relative change of `a` over `b` per metric key (NaN-free: 0 when b is 0). */
export function lift(a: MetricTable, b: MetricTable): MetricTable {
  const out: MetricTable = {};
  for (const key of Object.keys(a)) {
    if (key === 'users') continue;
    const base = b[key] ?? 0;
    out[key] = base === 0 ? 0 : round((a[key]! - base) / base);
  }
  return out;
}

/** A fixed-width text table of the warm and cold-start metrics. */
export function formatMetricsTable(result: TwoStageEvaluation): string {
  const keys = [
    'ndcg@10',
    'recall@10',
    'precision@10',
    'mrr@10',
    'map@10',
    'hitrate@10',
    'ndcg@20',
    'recall@20',
    'coverage@10',
    'diversity@10',
    'novelty@10',
  ];
  const lines: string[] = [];
  for (const [title, table, users] of [
    ['warm users', result.warm, result.warmUsers],
    ['cold-start users', result.coldStart, result.coldStartUsers],
  ] as const) {
    lines.push(`${title} (${users})`);
    if (users === 0) continue;
    lines.push('model       ' + keys.map((k) => k.padStart(13)).join(''));
    for (const model of ['mostPop', 'retrieval', 'twoStage'] as const) {
      lines.push(model.padEnd(12) + keys.map((k) => (table[model][k] ?? 0).toFixed(4).padStart(13)).join(''));
    }
  }
  return lines.join('\n');
}

function currentComparable(
  options: RunTrainingOptions,
  dataset: Dataset,
  split: string,
  seed: number,
): { version: string; ndcg: number } | null {
  const version = readCurrentVersion(options.registryDir, options.modelName);
  if (!version) return null;
  try {
    const m = readManifest(options.registryDir, options.modelName, version);
    const e = m.evaluation;
    const sameData = m.training.dataset === dataset.name && m.training.format === options.format;
    if (!e || !sameData || e.split !== split || e.seed !== seed) return null;
    return { version, ndcg: e.metrics.twoStage['ndcg@10'] ?? 0 };
  } catch (err) {
    options.log(
      `warning: current version ${version} is unreadable (${(err as Error).message}); ignored by the gate`,
    );
    return null;
  }
}

function buildManifest(
  options: RunTrainingOptions,
  dataset: Dataset,
  model: TwoStageModel,
  version: string,
  evaluation: ManifestEvaluation | null,
  seconds: number,
): ModelManifest {
  const { config } = options;
  const range = isoRange(dataset.interactions);
  return {
    formatVersion: REGISTRY_FORMAT_VERSION,
    name: options.modelName,
    version,
    created: new Date().toISOString(),
    parentVersion: readCurrentVersion(options.registryDir, options.modelName),
    training: {
      dataset: dataset.name,
      format: options.format,
      from: range.from,
      to: range.to,
      referenceTime: new Date(model.bundle.referenceTime).toISOString(),
      interactions: dataset.interactions.length,
      users: model.bundle.userIds.length,
      items: model.bundle.itemIds.length,
      ratingScale: dataset.ratingScale,
      seconds: round(seconds),
      eventsReceivedThrough:
        dataset.eventsReceivedThrough === undefined
          ? null
          : new Date(dataset.eventsReceivedThrough).toISOString(),
    },
    retrieval: retrievalSection(model.ials, model.bundle.maxItemNorm),
    neighbours: { file: 'neighbours.json', topN: config.neighbours, similarity: 'cosine' },
    popularity: {
      file: 'popularity.json',
      halfLifeDays: config.popularityHalfLifeDays,
      trendingHalfLifeDays: config.trendingHalfLifeDays,
    },
    ranker: {
      file: 'model.onnx',
      kind: model.ranker.kind,
      inputName: 'features',
      outputName: 'score',
      inputShape: [-1, RANKER_FEATURES.length],
      outputShape: [-1, 1],
      features: RANKER_FEATURES,
      candidateCount:
        config.candidates.embedding +
        config.candidates.itemToItem +
        config.candidates.popular +
        config.candidates.trending,
      training: model.rankerStats,
    },
    catalog: { file: 'catalog.jsonl', itemCount: dataset.items.size },
    userState: { file: 'user-state.jsonl', userCount: model.states.size },
    evaluation,
    config,
  };
}

function isoRange(interactions: readonly Interaction[]): { from: string; to: string } {
  if (interactions.length === 0) return { from: '', to: '' };
  let from = Infinity;
  let to = -Infinity;
  for (const e of interactions) {
    if (e.timestamp < from) from = e.timestamp;
    if (e.timestamp > to) to = e.timestamp;
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
