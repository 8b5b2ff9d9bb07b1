import type { CatalogItem, Interaction } from '../../src/domain/interaction.js';
import { RANKER_FEATURE_COUNT } from '../../src/domain/rankerFeatures.js';
import { itemsByUser } from '../eval/itemsByUser.js';
import { relevantItems } from '../eval/relevantItems.js';
import { splitInteractions } from '../eval/splitInteractions.js';
import type { SplitSpec } from '../eval/splitSpec.js';
import { auc } from '../ranker/auc.js';
import type { MlpRanker } from '../ranker/mlpRanker.js';
import { predictMlp } from '../ranker/mlpRanker.js';
import { trainMlpRanker } from '../ranker/trainMlpRanker.js';
import type { IalsModel } from '../retrieval/trainIals.js';
import { buildRankerDataset } from './buildRankerDataset.js';
import { buildUserStates } from './buildUserStates.js';
import type { ProgressLog } from './fitModels.js';
import { fitModels } from './fitModels.js';
import type { ModelBundle, UserState } from './modelBundle.js';
import type { TrainConfig } from './trainConfig.js';

/** A fitted two-stage recommender: retrieval models, user states and the ranker. */
export interface TwoStageModel {
  readonly bundle: ModelBundle;
  readonly ials: IalsModel;
  /** How many interactions the retrieval models were fitted on (see `reuse` of {@link fitTwoStage}). */
  readonly trainSize: number;
  readonly states: Map<string, UserState>;
  readonly ranker: MlpRanker;
  readonly rankerStats: {
    readonly rows: number;
    readonly positives: number;
    readonly users: number;
    /** ROC AUC of the ranker on its own training rows. */
    readonly trainAuc: number;
  };
}

/**
 * Fits the whole two-stage recommender on `train`:
 * 1. holds out a label window inside `train`: its last `labelShare` by time
 *    for the temporal split (and for publishing: production predicts the
 *    future); for the other splits a hold-out of the same kind, so the ranker
 *    learns the task it is evaluated on (a ranker trained on "what comes next"
 *    learns recency, which a random split does not reward);
 * 2. fits retrieval on the part before it and turns each user's candidates
 *    into ranker rows labelled by the window (never looking past `train`);
 * 3. trains the ranker on those rows;
 * 4. refits retrieval on all of `train` (the ranker then re-scores its candidates).
 * @param positiveThreshold ratings below it are not positives in the label window.
 * @param reuse an earlier fit; used for step 2 when it was fitted on exactly
 *   the interactions before the label window (same count, same prefix by time).
 * @throws RangeError when the label window yields no positive candidate.
 */
export function fitTwoStage(
  train: readonly Interaction[],
  catalog: ReadonlyMap<string, CatalogItem>,
  positiveThreshold: number | null,
  evaluationSplit: SplitSpec,
  config: TrainConfig,
  log: ProgressLog,
  reuse?: Pick<TwoStageModel, 'bundle' | 'ials' | 'trainSize'>,
): TwoStageModel {
  const inner = splitInteractions(train, labelSplitFor(evaluationSplit, config.labelShare), {
    seed: config.seed,
    testShare: config.labelShare,
  });
  log(`ranker data: ${inner.train.length} interactions before the label window, ${inner.test.length} in it`);
  // When the part before the label window is exactly what an earlier fit used
  // (the temporal evaluation's training part, when publishing), reuse that fit.
  const innerFit =
    reuse && reuse.trainSize === inner.train.length
      ? (log('  [label-window models] reusing the evaluation fit'), reuse)
      : fitModels(inner.train, catalog, config, (m) => log(`  [label-window models] ${m}`));
  const innerStates = buildUserStates(inner.train, innerFit.bundle.itemIndex, catalog);
  const labels = relevantItems(inner.test, { positiveThreshold, exclude: itemsByUser(inner.train) });
  const dataset = buildRankerDataset(innerFit.bundle, innerStates, labels, config);
  log(`ranker rows: ${dataset.n} from ${dataset.users} users, ${dataset.positives} positive`);
  if (dataset.positives === 0 || dataset.positives === dataset.n) {
    throw new RangeError(
      'the label window gave no usable ranker rows (no candidate was a later positive); use more data or a larger --label-share',
    );
  }
  const batchSize = 256;
  const epochs = Math.min(
    200,
    Math.max(config.rankerEpochs, Math.ceil((config.rankerMinSteps * batchSize) / dataset.n)),
  );
  const ranker = trainMlpRanker(dataset.x, dataset.y, dataset.n, RANKER_FEATURE_COUNT, {
    hidden: config.rankerHidden,
    epochs,
    batchSize,
    seed: config.seed,
    onEpoch: (e) =>
      log(
        `ranker epoch ${e.epoch}/${config.rankerEpochs}  loss ${e.loss.toFixed(4)}  ${e.seconds.toFixed(1)} s`,
      ),
  });
  const trainAuc = auc(predictMlp(ranker, dataset.x, dataset.n), dataset.y);
  log(`ranker training AUC ${trainAuc.toFixed(3)}`);
  const full = fitModels(train, catalog, config, log);
  const states = buildUserStates(train, full.bundle.itemIndex, catalog);
  return {
    bundle: full.bundle,
    ials: full.ials,
    trainSize: train.length,
    states,
    ranker,
    rankerStats: { rows: dataset.n, positives: dataset.positives, users: dataset.users, trainAuc },
  };
}

/**
 * The label-window split inside the training part for a given evaluation
 * split: `temporal` (and `none`) → temporal with `labelShare` of the time
 * range; `random:r` → `random:(1 − labelShare)`; `random-per-user:r` →
 * `random-per-user:(1 − labelShare)`; `leave-last-out` → itself.
 */
export function labelSplitFor(evaluationSplit: SplitSpec, labelShare: number): SplitSpec {
  switch (evaluationSplit.kind) {
    case 'random':
      return { kind: 'random', ratio: 1 - labelShare };
    case 'random-per-user':
      return { kind: 'random-per-user', ratio: 1 - labelShare };
    case 'leave-last-out':
      return { kind: 'leave-last-out' };
    default:
      return { kind: 'temporal' };
  }
}
