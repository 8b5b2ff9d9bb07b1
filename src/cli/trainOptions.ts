import { Option } from 'commander';
import type { Command } from 'commander';
import { DATASET_FORMATS } from '../../models/data/dataset.js';
import type { TrainConfig } from '../../models/pipeline/trainConfig.js';
import { DEFAULT_TRAIN_CONFIG } from '../../models/pipeline/trainConfig.js';
import { DEFAULT_MODEL_NAME } from '../../models/registry/registryPaths.js';
import { parseNumberOption } from './parseNumberOption.js';

/** Raw option values commander hands to the train and evaluate actions. */
export interface TrainCliOptions {
  data: string;
  format: (typeof DATASET_FORMATS)[number];
  split: string;
  registry?: string;
  modelName: string;
  report?: string;
  seed: number;
  dimension: number;
  regularization: number;
  alpha: number;
  epochs: number;
  neighbours: number;
  candidates: number;
  rankerHidden: number;
  rankerEpochs: number;
  labelShare: number;
  maxBadShare: number;
  strict?: boolean;
  quiet?: boolean;
}

/** Adds the dataset and model options shared by `train` and `evaluate`. */
export function addDataOptions(cmd: Command): Command {
  const d = DEFAULT_TRAIN_CONFIG;
  return cmd
    .requiredOption('--data <dir>', 'dataset folder')
    .addOption(
      new Option('--format <format>', 'dataset format (see models/data/README.md)')
        .choices([...DATASET_FORMATS])
        .makeOptionMandatory(),
    )
    .option(
      '--split <split>',
      'temporal | random:<ratio> | random-per-user:<ratio> | leave-last-out | none',
      'temporal',
    )
    .option('--registry <dir>', 'model registry folder (default: $RECGATE_REGISTRY or var/registry)')
    .option(
      '--model-name <name>',
      'model name: the folder under the registry (default: $RECGATE_MODEL_NAME or default)',
      process.env['RECGATE_MODEL_NAME'] || DEFAULT_MODEL_NAME,
    )
    .option('--report <file>', 'write the metrics as JSON to this file')
    .option(
      '--seed <n>',
      'seed of splits, initialisation and sampling',
      parseNumberOption(-2147483648, 2147483647, true),
      d.seed,
    )
    .option(
      '--dimension <n>',
      'iALS embedding dimension; 0 = automatic (128 up to 3,000 catalog items, 64 up to 6,000, else 32)',
      parseNumberOption(0, 1024, true),
      d.dimension,
    )
    .option(
      '--regularization <x>',
      'iALS regularisation λ (frequency-scaled, ν = 1)',
      parseNumberOption(0, 1e6),
      d.regularization,
    )
    .option('--alpha <x>', 'iALS confidence scale α (c = 1 + α)', parseNumberOption(0, 1e6), d.alpha)
    .option('--epochs <n>', 'iALS epochs', parseNumberOption(1, 1000, true), d.epochs)
    .option(
      '--neighbours <n>',
      'item-to-item neighbours kept per item',
      parseNumberOption(1, 1000, true),
      d.neighbours,
    )
    .option(
      '--candidates <n>',
      'embedding candidates per user for the two-stage pipeline',
      parseNumberOption(1, 10000, true),
      d.candidates.embedding,
    )
    .option(
      '--ranker-hidden <n>',
      'ranker hidden units (0 = logistic regression)',
      parseNumberOption(0, 1024, true),
      d.rankerHidden,
    )
    .option('--ranker-epochs <n>', 'ranker training epochs', parseNumberOption(1, 1000, true), d.rankerEpochs)
    .option(
      '--label-share <x>',
      "share of the training part held out as the ranker's label window",
      parseNumberOption(0.01, 0.5),
      d.labelShare,
    )
    .option(
      '--max-bad-share <x>',
      'fail when more than this share of rows is bad',
      parseNumberOption(0, 1),
      0.05,
    )
    .option('--quiet', 'print no progress, only the result');
}

/** Turns parsed CLI options into a {@link TrainConfig}. */
export function trainConfigFrom(o: TrainCliOptions): TrainConfig {
  const d = DEFAULT_TRAIN_CONFIG;
  return {
    ...d,
    seed: o.seed,
    dimension: o.dimension,
    regularization: o.regularization,
    alpha: o.alpha,
    epochs: o.epochs,
    neighbours: o.neighbours,
    candidates: { ...d.candidates, embedding: o.candidates },
    rankerHidden: o.rankerHidden,
    rankerEpochs: o.rankerEpochs,
    labelShare: o.labelShare,
  };
}
