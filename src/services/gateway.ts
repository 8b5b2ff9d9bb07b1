import type { PublicError } from '../errors.js';
import type {
  Experiment,
  ExperimentAssignment,
  FeedbackEvent,
  FeedbackResult,
  ItemView,
  ModelInfo,
  Promotion,
  RecommendationList,
  RecommendationsRequest,
  SimilarItemsRequest,
  UserError,
  UserView,
} from './serviceTypes.js';
import type { CatalogItem } from '../domain/interaction.js';

/**
 * Per-request state: the request id and fresh DataLoaders, so caches never
 * cross requests or users (conventions.md §4). Created by
 * {@link Gateway.createRequestScope} once per GraphQL request and passed to
 * every call made while resolving it.
 */
export interface RequestScope {
  readonly requestId: string;
  /** Unix ms the request started. */
  readonly startedAt: number;
  /**
   * Aborted when the HTTP request's client closed the connection before the
   * response was sent: pipeline runs stop at their next stage with
   * `RequestAbortedError` (code `CLIENT_CLOSED_REQUEST`) and nothing is logged
   * as served. Absent: never aborted (tests, library use).
   */
  readonly signal?: AbortSignal;
}

/** Input of `upsertItems`; `available` defaults to true, times are Unix ms. */
export interface ItemUpsert {
  readonly id: string;
  readonly title?: string | null;
  readonly categories?: readonly string[] | null;
  readonly attributes?: Readonly<Record<string, unknown>> | null;
  readonly createdAt?: number | null;
  readonly available?: boolean | null;
}

/**
 * Everything the GraphQL API can ask of the engine. Methods throw
 * `PublicError` (src/errors.ts) for client mistakes (`NOT_FOUND`,
 * `BAD_USER_INPUT`, `UNAVAILABLE`); per-item mutation failures are returned
 * as {@link UserError} data instead.
 */
export interface Gateway {
  /**
   * A fresh scope for one GraphQL request.
   * @param options.requestId the HTTP request id. @default a random UUID
   * @param options.signal the request's abort signal (see {@link RequestScope.signal}). @default none
   */
  createRequestScope(options?: { requestId?: string; signal?: AbortSignal }): RequestScope;
  recommendations(request: RecommendationsRequest, scope: RequestScope): Promise<RecommendationList>;
  /** @throws PublicError NOT_FOUND for an unknown seed item. */
  similarItems(request: SimilarItemsRequest, scope: RequestScope): Promise<RecommendationList>;
  /**
   * Same length and order as `ids`; null where unknown. Batched per request.
   * While the shared feature store is down (items served from the in-process
   * fallback), an id the fallback does not know is a PublicError UNAVAILABLE in
   * its place instead of null: the item may exist in the store.
   */
  items(ids: readonly string[], scope: RequestScope): Promise<(ItemView | PublicError | null)[]>;
  /**
   * Item `id` as {@link items} would return it, from what `scope` has already
   * read, without waiting: `undefined` when it is not loaded yet (then call
   * {@link items}). Optional: a gateway without it is always asked through `items`.
   */
  loadedItem?(id: string, scope: RequestScope): ItemView | null | undefined;
  user(id: string, scope: RequestScope): Promise<UserView | null>;
  experimentAssignments(userId: string): ExperimentAssignment[];
  experiments(): Experiment[];
  modelInfo(): ModelInfo;
  /**
   * One result per event, in order; accepted events are in the event log before this resolves.
   * @param refusedTypes the types of events of the same call that the API layer refused
   *   before they reached the engine (a bad id or field): counted as not accepted in the
   *   feedback metric, nothing else. @default []
   */
  recordFeedback(
    events: readonly FeedbackEvent[],
    scope: RequestScope,
    refusedTypes?: readonly string[],
  ): Promise<FeedbackResult[]>;
  recordImpressions(
    input: { requestId: string; userId: string | null; itemIds: readonly string[] },
    scope: RequestScope,
  ): Promise<{ accepted: boolean; error: UserError | null }>;
  upsertItems(items: readonly ItemUpsert[]): Promise<{ upserted: number; errors: UserError[] }>;
  upsertPromotion(promotion: Promotion): Promise<Promotion>;
  deletePromotion(id: string): Promise<boolean>;
  /**
   * `/readyz`: ready when a model is loaded and every configured backend
   * (Redis, Qdrant) answers within the backend budget; each check says why not.
   */
  readiness(): Promise<{ ready: boolean; checks: ReadinessCheck[] }>;
  /**
   * Reads the registry's CURRENT and SHADOW pointers now and applies a change
   * (hot reload, shadow on/off), and seeds a shared store (Redis) again when
   * it lost the model's state; the gateway also does this every
   * `modelPollMs`. Never rejects: a bad version is logged and skipped.
   */
  checkModel(): Promise<void>;
  /** Releases stores, sessions and timers. */
  close(): Promise<void>;
}

/** One readiness check: what was checked, whether it answered, and why not. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string | null;
}

/** Re-exported for implementers. */
export type { CatalogItem };
