import type { CatalogItem, Interaction } from '../../src/domain/interaction.js';
import { denseFactorRows } from '../../src/domain/factorRows.js';
import { mipsToCosine } from '../../src/domain/mipsToCosine.js';
import type { ItemFeatureState } from '../../src/domain/rankerFeatures.js';
import { decayedCounts } from '../popularity/decayedCounts.js';
import { buildImplicitMatrix } from '../retrieval/implicitMatrix.js';
import { computeItemNeighbours } from '../retrieval/itemNeighbours.js';
import { trainIals } from '../retrieval/trainIals.js';
import type { IalsModel } from '../retrieval/trainIals.js';
import { NEGATIVE_TYPES } from './buildUserStates.js';
import type { ModelBundle } from './modelBundle.js';
import type { TrainConfig } from './trainConfig.js';

/** A line of progress for the user (the CLI prints it with the elapsed time). */
export type ProgressLog = (message: string) => void;

/**
 * Fits every retrieval-side model on `train`: iALS embeddings, item-to-item
 * neighbours, decayed popularity and trend, plain counts and item states.
 * Items come from the whole catalog so that items without training
 * interactions still have an index (zero embedding, zero counts).
 * @param train interactions sorted by timestamp ascending; negative events
 *   (DISLIKE, DISMISS) are left out of the factorisation and the counts.
 * @throws RangeError when `train` holds no positive interaction.
 */
export function fitModels(
  train: readonly Interaction[],
  catalog: ReadonlyMap<string, CatalogItem>,
  config: TrainConfig,
  log: ProgressLog = () => {},
): { bundle: ModelBundle; ials: IalsModel } {
  const positives = train.filter((e) => !NEGATIVE_TYPES.has(e.type));
  if (positives.length === 0) throw new RangeError('no positive interaction to train on');
  const itemIds = [...catalog.keys()];
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const userIds: string[] = [];
  const userIndex = new Map<string, number>();
  for (const e of positives) {
    if (!userIndex.has(e.userId)) {
      userIndex.set(e.userId, userIds.length);
      userIds.push(e.userId);
    }
  }
  const referenceTime = train[train.length - 1]!.timestamp;
  const matrix = buildImplicitMatrix(
    positives.flatMap((e) => {
      const item = itemIndex.get(e.itemId);
      return item === undefined ? [] : [{ user: userIndex.get(e.userId)!, item, weight: 1 }];
    }),
    userIds.length,
    itemIds.length,
  );
  log(
    `iALS: ${userIds.length} users × ${itemIds.length} items, ${matrix.userItems.length} entries, d=${config.dimension}`,
  );
  const ials = trainIals(matrix, {
    dimension: config.dimension,
    regularization: config.regularization,
    regularizationExponent: config.regularizationExponent,
    alpha: config.alpha,
    epochs: config.epochs,
    seed: config.seed,
    onEpoch: (p) =>
      log(`iALS epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(1)}  ${p.seconds.toFixed(1)} s`),
  });
  const d = config.dimension;
  const { vectors: itemVectors, maxNorm: maxItemNorm } = mipsToCosine(ials.itemFactors, itemIds.length, d);
  log('item-to-item neighbours');
  const neighbours = computeItemNeighbours(matrix, { topN: config.neighbours });
  const events = positives.flatMap((e) => {
    const item = itemIndex.get(e.itemId);
    return item === undefined ? [] : [{ item, timestamp: e.timestamp }];
  });
  const popularity = decayedCounts(events, itemIds.length, referenceTime, config.popularityHalfLifeDays);
  const trend = decayedCounts(events, itemIds.length, referenceTime, config.trendingHalfLifeDays);
  const trainCounts = decayedCounts(events, itemIds.length, referenceTime, Infinity);
  const firstSeen = new Float64Array(itemIds.length).fill(NaN);
  for (const e of events) if (Number.isNaN(firstSeen[e.item])) firstSeen[e.item] = e.timestamp;
  const itemState: ItemFeatureState[] = itemIds.map((id, i) => {
    const item = catalog.get(id)!;
    const created = item.createdAt ?? (Number.isNaN(firstSeen[i]) ? null : firstSeen[i]!);
    return { popularity: popularity[i]!, trend: trend[i]!, firstSeen: created, categories: item.categories };
  });
  return {
    ials,
    bundle: {
      itemIds,
      itemIndex,
      userIds,
      userIndex,
      dimension: d,
      itemVectors,
      maxItemNorm,
      itemFactors: denseFactorRows(ials.itemFactors, d),
      userVectors: ials.userFactors,
      neighbours,
      popularity,
      trend,
      trainCounts,
      itemState,
      available: Uint8Array.from(itemIds, (id) => (catalog.get(id)!.available ? 1 : 0)),
      referenceTime,
    },
  };
}
