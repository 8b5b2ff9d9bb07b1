/**
 * The seam between the GraphQL layer (`schema/`, `resolvers/`, `src/server/`)
 * and the engine (`src/pipeline/`, `src/components/`, `src/stores/`, …).
 * Resolvers call these services and map the results; the services know
 * nothing about GraphQL. Shapes mirror `schema/*.graphql`; times are Unix ms
 * here and become RFC 3339 strings in the resolvers.
 */
import type { CatalogItem, InteractionType } from '../domain/interaction.js';

/** Where a candidate came from; the GraphQL `CandidateSource` enum values. */
export type CandidateSourceName =
  'EMBEDDING' | 'ITEM_TO_ITEM' | 'POPULAR' | 'TRENDING' | 'SESSION' | 'CONTENT' | 'PROMOTION' | 'EXPLORATION';

/** The request's item filter; empty or missing lists mean "no constraint". */
export interface ItemFilterInput {
  readonly categoriesAny?: readonly string[] | null;
  readonly categoriesNone?: readonly string[] | null;
  readonly excludeItemIds?: readonly string[] | null;
}

/** Client context of a request. `timestamp` in Unix ms (defaults to the server's clock). */
export interface RequestContextInput {
  readonly device?: string | null;
  readonly locale?: string | null;
  readonly country?: string | null;
  readonly timestamp?: number | null;
}

/** A promotion (admin-managed). Times in Unix ms; null = open-ended. */
export interface Promotion {
  readonly id: string;
  readonly itemIds: readonly string[];
  /** 1-based fixed positions, paired with `itemIds` in order. */
  readonly positions: readonly number[] | null;
  /** Multiplicative score boost (> 0). */
  readonly boost: number | null;
  /** Surfaces it applies to; null or empty = every surface. */
  readonly surfaces: readonly string[] | null;
  readonly startsAt: number | null;
  readonly endsAt: number | null;
}

/** One experiment assignment (also the exposure record in the served-list log). */
export interface ExperimentAssignment {
  readonly experiment: string;
  readonly variant: string;
  /** 0..9999: murmurhash3(experimentId + ':' + userId) mod 10000. */
  readonly bucket: number;
  /** The pipeline parameters this variant overrides. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** One ranked item of a list. `score` is always finite; `rank` is 1-based across pages. */
export interface Recommendation {
  readonly itemId: string;
  readonly rank: number;
  readonly score: number;
  readonly sources: readonly CandidateSourceName[];
  readonly reasons: readonly string[];
  readonly promotion: Promotion | null;
}

/** A page of a ranked list. */
export interface RecommendationList {
  readonly requestId: string;
  readonly items: readonly Recommendation[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  readonly modelVersion: string;
  readonly experiments: readonly ExperimentAssignment[];
  /** Names of stages or sources that failed and were skipped. */
  readonly degraded: readonly string[];
}

/** Arguments of `recommendations`, already validated by the resolver. */
export interface RecommendationsRequest {
  readonly userId: string | null;
  readonly sessionItemIds: readonly string[];
  readonly surface: string;
  /** 1..100 */
  readonly first: number;
  readonly after: string | null;
  readonly filter: ItemFilterInput | null;
  readonly context: RequestContextInput | null;
}

/** Arguments of `similarItems` / `Item.similar`. */
export interface SimilarItemsRequest {
  readonly itemId: string;
  readonly userId: string | null;
  readonly first: number;
  readonly filter: ItemFilterInput | null;
}

/** One feedback event as received (validated by the feedback service). */
export interface FeedbackEvent {
  readonly userId: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly value: number | null;
  readonly requestId: string | null;
  /** Unix ms; null = now. */
  readonly timestamp: number | null;
  readonly context: RequestContextInput | null;
}

/** A rejected input: a stable code, a sentence, and the field when one is at fault. */
export interface UserError {
  readonly code: string;
  readonly message: string;
  readonly field: string | null;
}

/**
 * Result of one feedback event.
 * - `accepted`: the event is in the event log (`eventId` set), else `error` says why not.
 * - `applied`: false when the event was logged but updating the feature store
 *   for it failed (e.g. Redis down with the file event log): the user's next
 *   lists do not reflect it until the event log is replayed into the store (a
 *   new model version served, or a re-seed: docs/feedback.md). Also false for a rejected event.
 *   An event received while a reload or re-seed rebuilds the store is applied
 *   once that is done and answers true.
 */
export interface FeedbackResult {
  readonly accepted: boolean;
  readonly applied: boolean;
  readonly eventId: string | null;
  readonly error: UserError | null;
}

/** A catalog item as the API shows it, with its live popularity. */
export interface ItemView extends CatalogItem {
  /** Decayed interaction count from the feature store. */
  readonly popularity: number;
}

/** A user's profile as the API shows it. */
export interface UserView {
  readonly id: string;
  /** Most recent first. */
  readonly recentItemIds: readonly string[];
  readonly interactionCount: number;
  readonly topCategories: readonly { readonly category: string; readonly weight: number }[];
  /** Backend parts served from a fallback for this answer (as a list's `degraded`); empty normally. */
  readonly degraded: readonly string[];
}

/** What is being served. */
export interface ModelInfo {
  readonly rankerVersion: string;
  readonly retrievalVersion: string;
  /** Unix ms. */
  readonly trainedAt: number | null;
  readonly itemCount: number;
  readonly metrics: Readonly<Record<string, unknown>> | null;
}

/** An experiment as defined in the config file. */
export interface Experiment {
  readonly id: string;
  readonly description: string | null;
  /** 0..100 */
  readonly trafficPercent: number;
  readonly variants: readonly {
    readonly id: string;
    readonly weight: number;
    readonly params: Readonly<Record<string, unknown>>;
  }[];
}
