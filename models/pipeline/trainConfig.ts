/**
 * Every tunable of `recgate train`, with its default. The CLI exposes the
 * common ones as flags; all are recorded in the manifest.
 */
export interface TrainConfig {
  /** iALS latent dimension. @default 32 */
  readonly dimension: number;
  /** iALS λ. @default 0.02 (with frequency scaling ν = 1) */
  readonly regularization: number;
  /** iALS frequency-scaled regularisation exponent ν (Rendle et al. 2021). @default 1 */
  readonly regularizationExponent: number;
  /** iALS confidence scale α (c = 1 + α·w). @default 5 */
  readonly alpha: number;
  /** iALS epochs. @default 10 */
  readonly epochs: number;
  /** Seed for splits, initialisation and sampling. @default 42 */
  readonly seed: number;
  /** Item-to-item neighbours kept per item. @default 50 */
  readonly neighbours: number;
  /** Half-life of the popularity counts, days. @default 90 */
  readonly popularityHalfLifeDays: number;
  /** Half-life of the trending counts, days. @default 7 */
  readonly trendingHalfLifeDays: number;
  /** Candidates per source for the two-stage pipeline (before de-duplication). */
  readonly candidates: {
    /** @default 200 */ readonly embedding: number;
    /** @default 100 */ readonly itemToItem: number;
    /** @default 50 */ readonly popular: number;
    /** @default 50 */ readonly trending: number;
  };
  /** Ranker: hidden units (0 = logistic regression). @default 32 */
  readonly rankerHidden: number;
  /** Ranker training epochs. @default 10 */
  readonly rankerEpochs: number;
  /** Share of the training part (by time) held out as the ranker's label window. @default 0.1 */
  readonly labelShare: number;
  /** At most this many users contribute ranker training rows (sampled with the seed). @default 5000 */
  readonly rankerUsers: number;
  /** At most this many negative candidates per user become ranker rows (sampled; all positives are kept). @default 100 */
  readonly rankerNegatives: number;
}

/** The defaults documented on {@link TrainConfig}. */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  dimension: 32,
  regularization: 0.02,
  regularizationExponent: 1,
  alpha: 5,
  epochs: 10,
  seed: 42,
  neighbours: 50,
  popularityHalfLifeDays: 90,
  trendingHalfLifeDays: 7,
  candidates: { embedding: 200, itemToItem: 100, popular: 50, trending: 50 },
  rankerHidden: 32,
  rankerEpochs: 10,
  labelShare: 0.1,
  rankerUsers: 5000,
  rankerNegatives: 100,
};
