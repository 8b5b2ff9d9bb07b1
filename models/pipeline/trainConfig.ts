/**
 * Every tunable of `recgate train`, with its default. The CLI exposes the
 * common ones as flags; all are recorded in the manifest.
 */
export interface TrainConfig {
  /**
   * iALS latent dimension, or 0 for automatic: {@link autoDimension} of the
   * catalog size. @default 0 (automatic)
   */
  readonly dimension: number;
  /** iALS λ. @default 0.02 (with frequency scaling ν = 1) */
  readonly regularization: number;
  /** iALS frequency-scaled regularisation exponent ν (Rendle et al. 2021). @default 1 */
  readonly regularizationExponent: number;
  /** iALS confidence scale α (c = 1 + α·w). @default 5 */
  readonly alpha: number;
  /** iALS epochs. @default 8 */
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
  /** Ranker training epochs (at least; see `rankerMinSteps`). @default 10 */
  readonly rankerEpochs: number;
  /**
   * Minimum Adam steps (minibatches of 256) for the ranker: small datasets get
   * more epochs, up to 200, so they are not under-trained. @default 4000
   */
  readonly rankerMinSteps: number;
  /** Share of the training part (by time) held out as the ranker's label window. @default 0.1 */
  readonly labelShare: number;
  /** At most this many users contribute ranker training rows (sampled with the seed). @default 5000 */
  readonly rankerUsers: number;
  /**
   * Budget of ranker training rows: each user keeps all positive candidates and
   * at most max(20, rankerRows / users) sampled negatives, so small datasets
   * use every candidate and large ones stay bounded. @default 200000
   */
  readonly rankerRows: number;
}

/** The defaults documented on {@link TrainConfig}. */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  dimension: 0,
  regularization: 0.02,
  regularizationExponent: 1,
  alpha: 5,
  epochs: 8,
  seed: 42,
  neighbours: 50,
  popularityHalfLifeDays: 90,
  trendingHalfLifeDays: 7,
  candidates: { embedding: 200, itemToItem: 100, popular: 50, trending: 50 },
  rankerHidden: 32,
  rankerEpochs: 10,
  rankerMinSteps: 4000,
  labelShare: 0.1,
  rankerUsers: 5000,
  rankerRows: 200_000,
};

/**
 * The automatic iALS dimension for a catalog of `items` items: 128 up to
 * 3,000 items, 64 up to 6,000, else 32. Small, dense catalogs (MovieLens
 * 100K-sized) gain from more factors, measured on ml-latest-small cut to its
 * 1,682 most-rated items (random 80/20 NDCG@10: 0.351 at d=32, 0.360 at 64,
 * 0.372 at 128); large catalogs keep training time bounded (the bundled
 * MovieTweetings must train in under a minute on 2 cores).
 */
export function autoDimension(items: number): number {
  return items <= 3000 ? 128 : items <= 6000 ? 64 : 32;
}

/** `config` with an automatic (0) dimension resolved for a catalog of `items` items. */
export function resolveDimension(config: TrainConfig, items: number): TrainConfig {
  return config.dimension > 0 ? config : { ...config, dimension: autoDimension(items) };
}
