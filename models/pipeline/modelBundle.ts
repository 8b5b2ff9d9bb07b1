import type { FactorRows } from '../../src/domain/factorRows.js';
import type { ItemIdList } from '../../src/domain/itemIdList.js';
import type { ItemVectors } from '../../src/domain/itemVectors.js';
import type { ItemFeatureState, UserFeatureState } from '../../src/domain/rankerFeatures.js';
import type { NeighbourList } from '../retrieval/itemNeighbours.js';

/**
 * What a user looked like at the end of a training part: feature state plus
 * the data candidate generation needs.
 * - `seen`: item indices the user interacted with (excluded from lists).
 * - `recentItems`: up to 20 item indices, most recent first.
 */
export interface UserState extends UserFeatureState {
  readonly seen: ReadonlySet<number>;
  readonly recentItems: readonly number[];
}

/**
 * Scores ranker feature rows: `x` is n×F row-major (F = RANKER_FEATURE_COUNT);
 * returns n scores. Backed by the TypeScript MLP while training and by the
 * ONNX session when a published version is re-evaluated.
 */
export type RowScorer = (x: Float32Array, n: number) => Promise<Float32Array>;

/**
 * Every model of one training run, indexed by dense item and user indices.
 * - `itemVectors`: nItems×(d+1), L2-normalised rows after the MIPS-to-cosine
 *   transform (`src/domain/mipsToCosine.ts`): cosine with [userVector, 0]
 *   ranks items by the iALS dot product. Float32 in training; a served model
 *   may hold them as binary16 halves (`RECGATE_VECTOR_PRECISION=float16`,
 *   {@link ItemVectors}).
 * - `itemFactors`: the nItems×d raw iALS factors Y (fold-in, the cosine
 *   feature, MMR) as rows: dense in training and evaluation; when served, a
 *   view through `itemVectors` (stride d + 1, scale `maxItemNorm`: equal to
 *   Y up to float32 rounding), so the server holds no copy of Y.
 * - `userVectors`: nUsers×d raw user factors (indexed like `userIds`).
 * - `popularity`, `trend`: decayed counts; `trainCounts`: plain counts (MostPop).
 * - `itemState`: per item the feature inputs (index-aligned with `itemIds`).
 */
export interface ModelBundle {
  readonly itemIds: ItemIdList;
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly userIds: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  /** d, the iALS factor dimension; item vectors have d + 1 components. */
  readonly dimension: number;
  readonly itemVectors: ItemVectors;
  /** M of the MIPS-to-cosine transform: the largest item-factor norm. */
  readonly maxItemNorm: number;
  readonly itemFactors: FactorRows;
  readonly userVectors: Float32Array;
  readonly neighbours: readonly NeighbourList[];
  readonly popularity: Float32Array;
  readonly trend: Float32Array;
  readonly trainCounts: Float32Array;
  readonly itemState: readonly ItemFeatureState[];
  /**
   * Optional column of `itemState[i].firstSeen` (Unix ms, NaN for none), set
   * by the registry loader so the serving hydrator reads a number instead of
   * building an item state per candidate.
   */
  readonly firstSeen?: Float64Array;
  /** Per item 1 when available, 0 when not (one byte per item: 1 MB at 1M items instead of 8, issue #6). */
  readonly available: Uint8Array;
  /** Unix ms: the last training interaction; ages and decays are measured from here. */
  readonly referenceTime: number;
}
