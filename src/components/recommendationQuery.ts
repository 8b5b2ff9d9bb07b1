import type { ShadowRanker } from './scorers/shadowRanker.js';
import type { InteractionType } from '../domain/interaction.js';
import type { UserFeatureState } from '../domain/rankerFeatures.js';
import type { ServedModel } from '../inference/servedModel.js';
import type { RequestLoaders } from '../loaders/requestLoaders.js';
import type { PipelineQuery } from '../pipeline/pipelineQuery.js';
import type { ExperimentAssignment, ItemFilterInput } from '../services/serviceTypes.js';
import type { EventLog } from '../stores/eventLog.js';
import type { FeatureStore, UserFeatures } from '../stores/featureStore.js';
import type { VectorIndex } from '../stores/vectorIndex.js';
import type { BufferedEventWriter } from './sideEffects/bufferedEventWriter.js';
import type { LiveCounterRanking } from './sources/liveCounterRanking.js';

/** The served model for a ranker version (null = the current one). Cached by the gateway. */
export type RankerProvider = (version: string | null) => Promise<ServedModel>;

/** Settings of the recommendation components that experiments do not override. */
export interface RecommendationSettings {
  /** MMR re-ranks the top this-many items; the rest keep score order. @default 100 */
  readonly mmrWindow: number;
  /** The category cap applies to the top this-many positions. @default 20 */
  readonly categoryCapWindow: number;
  /** An item is under-exposed when its live popularity is in this lowest share of the list's items. @default 0.25 */
  readonly explorationQuantile: number;
  /** How long a ranked list is kept for paging, in ms. @default 600000 */
  readonly pagingTtlMs: number;
  /** A ranked list is kept for `after` paging up to this many positions (the rest are not pageable). @default 200 */
  readonly pagingMaxPositions: number;
}

/** The services and per-request loaders the recommendation components use. */
export interface RecommendationEnv {
  readonly store: FeatureStore;
  readonly index: VectorIndex;
  readonly eventLog: EventLog;
  /** Batches served-list records into few EventLog appends. */
  readonly servedLog: BufferedEventWriter;
  readonly loaders: RequestLoaders;
  readonly rankers: RankerProvider;
  readonly liveRanking: LiveCounterRanking;
  readonly settings: RecommendationSettings;
  /** Shadow scoring of a second model version on sampled requests; absent when none is set. */
  readonly shadow?: ShadowRanker;
}

/** One of the user's recent positive items: its id, its row in the served model (-1 if none) and how they met it. */
export interface RecentItem {
  readonly itemId: string;
  readonly row: number;
  readonly type: InteractionType;
}

/** Per feature row (= index into the scored candidates): what the hydrator read, as columns. */
export interface HydratedRows {
  /** Row of the item in the served model's arrays, -1 for items the model does not know (new). */
  readonly modelRows: Int32Array;
  /** The catalog's `createdAt` (Unix ms); NaN when null or the item is not in the catalog. */
  readonly createdAt: Float64Array;
  /** The live popularity counter, decayed to the read's time; 0 without counters. */
  readonly popularity: Float64Array;
  /** The catalog's categories (shared, read-only arrays); empty when not in the catalog. */
  readonly categories: readonly (readonly string[])[];
}

/**
 * The query of the `home` and `similar` surfaces: who is asking, what they
 * did, what they asked for, and the services to answer with. Built by the
 * recommendation service (query hydration) once per list.
 */
export interface RecommendationQuery extends PipelineQuery {
  readonly userId: string | null;
  /** The stored user, or null for an unknown user. */
  readonly user: UserFeatures | null;
  /** The user's ranker-feature state (shares are category weight / interaction count). */
  readonly userState: UserFeatureState;
  /** The user's raw d-dimensional vector: trained or folded in; null when nothing is known. */
  readonly userVector: Float32Array | null;
  /** Up to 20 recent positive items, most recent first (the item-to-item basis). */
  readonly recent: readonly RecentItem[];
  /** The request's session items (known to the model or not), most recent first. */
  readonly sessionItemIds: readonly string[];
  /** `similar`: the seed item; null on other surfaces. */
  readonly seedItemId: string | null;
  readonly filter: ItemFilterInput | null;
  /** The current served model (embeddings, neighbours, catalog at training time). */
  readonly model: ServedModel;
  readonly experiments: readonly ExperimentAssignment[];
  readonly env: RecommendationEnv;
  /** Items the reasons may name (recent, session, seed): loaded in the same batch as the candidates. */
  readonly contextItemIds: readonly string[];
  /** Set by the `itemFeatures` hydrator. */
  rows: HydratedRows | null;
  /** Version of the ranker that scored the list; set by the scorer. */
  scoredWith: string;
  /** Per-query memo of derived arrays (e.g. neighbour scores), keyed by the component. */
  readonly memo: Map<string, unknown>;
}
