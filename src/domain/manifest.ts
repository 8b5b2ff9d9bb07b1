/**
 * The model registry format: the seam between the offline pipeline
 * (`models/`) and the gateway (`src/`). See `docs/registry.md` for the
 * on-disk layout:
 *
 * ```
 * <registry>/<model-name>/<version>/
 *     manifest.json      this type
 *     model.onnx         the ranker
 *     items.f32          item embeddings, n×(d+1) float32 LE, L2-normalised rows
 *                        (MIPS-to-cosine transform of the factors, see mipsToCosine.ts)
 *     item-factors.f32   raw iALS item factors, n×d float32 LE (evaluation; the server reads
 *                        them through items.f32 × maxItemNorm, see factorRows.ts, and only checks this file)
 *     items.json         item ids in row order (JSON array of strings)
 *     users.f32          trained user factors, m×d float32 LE
 *     users.json         user ids in row order
 *     neighbours.json    item-to-item neighbours
 *     popularity.json    decayed popularity and trend per item
 *     catalog.jsonl      the catalog items, one JSON object per line
 *     user-state.jsonl   each user's seen items, recent items and category affinities
 * <registry>/<model-name>/CURRENT   the version served (one line)
 * ```
 */

/** Bumped on any incompatible change to the layout or manifest. */
export const REGISTRY_FORMAT_VERSION = 1;

/** One ranker input feature, in the order of the input tensor's columns. */
export interface FeatureSpec {
  /** Stable snake_case name, e.g. `retrieval_score`. */
  readonly name: string;
  /** Element type in the input tensor; only `float32` for now. */
  readonly dtype: 'float32';
  /** Value used when the feature cannot be computed (unknown user, no data). */
  readonly default: number;
  /** What it measures and its unit. */
  readonly description: string;
}

/** Metrics of one model on one split, keyed `<metric>@<k>` (e.g. `ndcg@10`) or plain (`coverage`). */
export type MetricTable = Record<string, number>;

/** Offline evaluation recorded in the manifest (absent with `--split none`). */
export interface ManifestEvaluation {
  /** Split spec, e.g. `temporal` or `random:0.8`. */
  readonly split: string;
  readonly seed: number;
  /** Ratings at or above this count as relevant in the test part; `null` = every interaction. */
  readonly positiveThreshold: number | null;
  /** Training part's time range (ISO 8601) and the test part's. */
  readonly trainRange: { readonly from: string; readonly to: string };
  readonly testRange: { readonly from: string; readonly to: string };
  readonly evaluatedUsers: number;
  readonly coldStartUsers: number;
  /** `metrics.mostPop`, `metrics.retrieval`, `metrics.twoStage` (warm users). */
  readonly metrics: Readonly<Record<'mostPop' | 'retrieval' | 'twoStage', MetricTable>>;
  /** The same models on cold-start users (users with no training interaction). */
  readonly coldStart: Readonly<Record<'mostPop' | 'retrieval' | 'twoStage', MetricTable>>;
}

/** The `manifest.json` of one registry version. */
export interface ModelManifest {
  readonly formatVersion: typeof REGISTRY_FORMAT_VERSION;
  readonly name: string;
  readonly version: string;
  /** ISO 8601 creation time. */
  readonly created: string;
  /** Version that was current when this one was trained, if any. */
  readonly parentVersion: string | null;
  readonly training: {
    readonly dataset: string;
    readonly format: string;
    /** Time range of the interactions the published models were trained on (ISO 8601). */
    readonly from: string;
    readonly to: string;
    /** Time the decayed counts and ages are measured from (ISO 8601): the last training interaction. */
    readonly referenceTime: string;
    readonly interactions: number;
    readonly users: number;
    readonly items: number;
    /** Rating scale of explicit data, `null` for implicit data. */
    readonly ratingScale: {
      readonly min: number;
      readonly max: number;
      readonly positiveThreshold: number;
    } | null;
    /** Wall-clock seconds for the whole train command. */
    readonly seconds: number;
    /**
     * ISO 8601: the latest `receivedAt` of the event-log feedback this model was
     * trained on (`recgate train --events`), or null when it was trained on
     * none. The gateway replays the feedback received after it onto the
     * model's snapshot (all of it when null). Absent in manifests written
     * before 2026-11-30: the publish time (`created`) is used instead.
     */
    readonly eventsReceivedThrough?: string | null;
  };
  readonly retrieval: {
    readonly algorithm: 'ials';
    readonly dimension: number;
    readonly regularization: number;
    /** Frequency-scaled regularisation exponent ν: row λ = regularization·(α·n + n_other)^ν. */
    readonly regularizationExponent: number;
    /** Confidence weight: c = 1 + alpha · w (Hu, Koren & Volinsky 2008). */
    readonly alpha: number;
    readonly epochs: number;
    /** Similarity the index uses over `itemVectors`. */
    readonly distance: 'cosine';
    /** Components of each item vector: dimension + 1 (see `mipsToCosine`). Queries are [userVector, 0]. */
    readonly vectorDimension: number;
    /** How `itemVectors` were made from `itemFactors`. */
    readonly transform: 'mips-to-cosine';
    /**
     * M, the largest item-factor norm the transform divided by. The server reads
     * the factors as M × the first d columns of `itemVectors` (`factorRows.ts`).
     */
    readonly maxItemNorm: number;
    readonly itemVectors: string;
    readonly itemFactors: string;
    readonly itemIds: string;
    readonly userFactors: string;
    readonly userIds: string;
  };
  readonly neighbours: {
    readonly file: string;
    readonly topN: number;
    readonly similarity: 'cosine';
  };
  readonly popularity: {
    readonly file: string;
    readonly halfLifeDays: number;
    readonly trendingHalfLifeDays: number;
  };
  readonly ranker: {
    readonly file: string;
    readonly kind: 'mlp' | 'logistic';
    readonly inputName: string;
    readonly outputName: string;
    /** `[-1, features.length]`: -1 is the batch dimension. */
    readonly inputShape: readonly number[];
    /** `[-1, 1]`: one probability-like score per row. */
    readonly outputShape: readonly number[];
    readonly features: readonly FeatureSpec[];
    /** How many retrieval candidates the ranker was trained to re-score. */
    readonly candidateCount: number;
    /** Ranker training rows, positives, users and training AUC (informational). */
    readonly training?: Readonly<Record<string, number>>;
  };
  readonly catalog: { readonly file: string; readonly itemCount: number };
  /** Per-user state at the end of training, one JSON object per line (`UserStateRecord`). */
  readonly userState: { readonly file: string; readonly userCount: number };
  readonly evaluation: ManifestEvaluation | null;
  /** The full training configuration (informational; see models/pipeline/trainConfig.ts). */
  readonly config?: unknown;
}
