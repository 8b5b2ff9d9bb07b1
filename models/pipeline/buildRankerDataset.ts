import { createRandom } from '../../src/domain/random.js';
import type { Random } from '../../src/domain/random.js';
import { RANKER_FEATURE_COUNT } from '../../src/domain/rankerFeatures.js';
import { candidateFeatures } from './candidateFeatures.js';
import { generateCandidates, retrievalScores } from './generateCandidates.js';
import type { ModelBundle, UserState } from './modelBundle.js';
import type { TrainConfig } from './trainConfig.js';

/**
 * Ranker training rows: `x` n×F row-major features, `y` n labels (0/1),
 * `users` how many users contributed, `positives` how many rows have label 1.
 */
export interface RankerDataset {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly n: number;
  readonly users: number;
  readonly positives: number;
}

/**
 * Builds the ranker's training rows: for each sampled user with training
 * history, the retrieval stage's candidates (from models fitted on the part
 * before the label window) labelled 1 when the user interacted with the item
 * in the label window, else 0. Users whose label items were all outside the
 * candidates contribute only negatives; users with no label item are skipped.
 * At most max(20, rankerRows / users) negatives per user are kept (uniform
 * sample), all positives always: small datasets use every candidate, large
 * ones stay within the row budget.
 * Cold-start users (no history before the window) get the candidates an
 * unknown user gets (popular and trending) with default user features.
 * @param labels user id → item ids positive in the label window.
 */
export function buildRankerDataset(
  bundle: ModelBundle,
  states: ReadonlyMap<string, UserState>,
  labels: ReadonlyMap<string, ReadonlySet<string>>,
  config: TrainConfig,
): RankerDataset {
  // Users without history before the window (cold start) are kept too: the
  // ranker must also learn to order the popular/trending candidates they get.
  const users = [...labels.keys()].sort();
  const random = createRandom(config.seed);
  random.shuffle(users);
  const chosen = users.slice(0, config.rankerUsers);
  const maxNegatives = Math.max(20, Math.floor(config.rankerRows / Math.max(1, chosen.length)));
  const blocks: Float32Array[] = [];
  const labelBlocks: Float32Array[] = [];
  let n = 0;
  let positives = 0;
  const d = bundle.dimension;
  for (const userId of chosen) {
    const u = bundle.userIndex.get(userId);
    const state = states.get(userId);
    const retrieval = retrievalScores(
      bundle,
      u === undefined ? null : bundle.userVectors.subarray(u * d, (u + 1) * d),
    );
    const candidates = generateCandidates(bundle, state, retrieval, config.candidates);
    const relevant = labels.get(userId)!;
    const labelsAll = Float32Array.from(candidates.items, (i) =>
      relevant.has(bundle.itemIds.at(i)!) ? 1 : 0,
    );
    const features = candidateFeatures(bundle, state, candidates, bundle.referenceTime);
    const keep = sampleRows(labelsAll, maxNegatives, random);
    const y = Float32Array.from(keep, (j) => labelsAll[j]!);
    const block = new Float32Array(keep.length * RANKER_FEATURE_COUNT);
    keep.forEach((j, r) =>
      block.set(
        features.subarray(j * RANKER_FEATURE_COUNT, (j + 1) * RANKER_FEATURE_COUNT),
        r * RANKER_FEATURE_COUNT,
      ),
    );
    blocks.push(block);
    labelBlocks.push(y);
    n += y.length;
    for (const v of y) positives += v;
  }
  const x = new Float32Array(n * RANKER_FEATURE_COUNT);
  const y = new Float32Array(n);
  let row = 0;
  for (let b = 0; b < blocks.length; b++) {
    x.set(blocks[b]!, row * RANKER_FEATURE_COUNT);
    y.set(labelBlocks[b]!, row);
    row += labelBlocks[b]!.length;
  }
  return { x, y, n, users: chosen.length, positives };
}

/** Row indices to keep: every positive, and a uniform sample of at most `maxNegatives` negatives, in input order. */
function sampleRows(labels: Float32Array, maxNegatives: number, random: Random): number[] {
  const negatives: number[] = [];
  const keep: number[] = [];
  labels.forEach((v, j) => (v === 1 ? keep.push(j) : negatives.push(j)));
  if (negatives.length > maxNegatives) random.shuffle(negatives);
  keep.push(...negatives.slice(0, maxNegatives));
  return keep.sort((a, b) => a - b);
}
