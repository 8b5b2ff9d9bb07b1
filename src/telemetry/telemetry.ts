import type { PipelineResult } from '../pipeline/pipelineResult.js';
import type { PagingCacheUsage } from '../stores/featureStore.js';

/** The pipeline queue at one moment (src/services/pipelineQueue.ts): requests holding a slot and requests waiting for one. */
export interface PipelineQueueUsage {
  readonly running: number;
  readonly waiting: number;
}

/**
 * What services and the server tell telemetry, in product terms. The
 * implementation behind it records OpenTelemetry metrics (exported on
 * `/metrics`, see docs/operations.md); {@link noopTelemetry} ignores
 * everything, so tests and library use never need the SDK.
 *
 * Contract: every method is synchronous, cheap (a few map lookups), never
 * throws and never awaits I/O; it may be called on the request path.
 * Label values a client can influence (operation names, feedback types) are
 * bounded: past a fixed number of distinct values they are recorded as `other`.
 */
export interface Telemetry {
  /**
   * One pipeline run: each stage's duration (`ms` → seconds) by surface and
   * stage, and each candidate source's hit count. `degraded` is NOT counted
   * here (call {@link Telemetry.recordDegraded} with the list's final
   * `degraded`, which also names backend fallbacks).
   * @param surface the surface config's name (`home`, `similar`), never a client value.
   */
  recordPipelineResult(surface: string, result: PipelineResult): void;
  /** One served list's `degraded` names: +1 per part (an empty list records nothing). */
  recordDegraded(parts: readonly string[]): void;
  /** One feedback event by its type (`CLICK`, `DISMISS`…) and whether it was accepted. */
  recordFeedback(type: string, accepted: boolean): void;
  /** One served page: +1 per item and per source kind that proposed it (`EMBEDDING`, `POPULAR`…). */
  recordServed(items: readonly { readonly sources: readonly string[] }[]): void;
  /** One `after` paging lookup: `true` when the stored list was found, `false` when it had expired. */
  recordPagingCache(hit: boolean): void;
  /**
   * One `/graphql` request whose client closed the connection before the
   * response was sent (`recgate_requests_aborted_total` + 1).
   */
  recordRequestAborted(): void;
  /** One `/graphql` request refused with 503 OVERLOADED by the in-flight limit (`recgate_requests_shed_total` + 1). */
  recordRequestShed(): void;
  /** Feedback feature updates applied by a retry (`recgate_feedback_retried_total` + `count`). */
  recordFeedbackRetried(count: number): void;
  /**
   * Feedback feature updates dropped from the retry queue without being applied by it
   * (`recgate_feedback_retry_dropped_total{reason}` + `count`): `cap`, `replayed` or `failed`.
   */
  recordFeedbackRetryDropped(count: number, reason: 'cap' | 'replayed' | 'failed'): void;
  /**
   * Where `recgate_feedback_retry_pending` (feature updates waiting for a
   * retry) is read from at each collection. A later call replaces the reader.
   */
  observeFeedbackRetryPending(read: () => number): void;
  /** The model version served from now on: `recgate_model_info{version}` = 1; versions served before report 0. */
  setModelVersion(version: string): void;
  /**
   * Where `recgate_paging_cache_lists` and `recgate_paging_cache_bytes` are
   * read from at each collection: the memory store's kept ranked lists and
   * their estimated bytes, or null when none are kept in process (nothing is
   * reported then, unless values were: the SDK keeps a gauge's last value). A
   * later call replaces the reader.
   */
  observePagingCache(read: () => PagingCacheUsage | null): void;
  /**
   * Where `recgate_memory_store_users` is read from at each collection: the
   * users the memory feature store holds, or null when users live elsewhere
   * (nothing is reported then, as for {@link observePagingCache}). A later
   * call replaces the reader.
   */
  observeMemoryStoreUsers(read: () => number | null): void;
  /**
   * Where `recgate_pipeline_requests_running` and `recgate_pipeline_requests_waiting` are read
   * from at each collection: the pipeline queue's requests holding a slot and waiting for one,
   * or null when it has no limit (nothing is reported then). A later call replaces the reader.
   */
  observePipelineQueue(read: () => PipelineQueueUsage | null): void;
  /**
   * One GraphQL operation.
   * @param name the operation name, null when anonymous.
   * @param type `query`, `mutation` or `subscription`; null when the document did not resolve to one.
   * @param seconds wall time, ≥ 0.
   * @param ok false when the response carried errors.
   */
  recordOperation(name: string | null, type: string | null, seconds: number, ok: boolean): void;
  /**
   * One attempt to load a new model version while serving (hot reload or
   * shadow): `loaded`, `rejected` (not tried again), or `retrying` (a backend
   * was unreachable: tried again at a later poll).
   */
  recordModelReload(outcome: 'loaded' | 'rejected' | 'retrying'): void;
  /**
   * One shadow comparison: Spearman's ρ (skipped when NaN) and the top-10 overlap
   * between the live and the shadow ranker on the same candidates.
   */
  recordShadowComparison(shadowVersion: string, spearman: number, top10Overlap: number): void;
}

/** A {@link Telemetry} that records nothing: the default when the SDK is not initialised. */
export const noopTelemetry: Telemetry = Object.freeze({
  recordPipelineResult: () => undefined,
  recordDegraded: () => undefined,
  recordFeedback: () => undefined,
  recordServed: () => undefined,
  recordPagingCache: () => undefined,
  recordRequestAborted: () => undefined,
  recordRequestShed: () => undefined,
  recordFeedbackRetried: () => undefined,
  recordFeedbackRetryDropped: () => undefined,
  observeFeedbackRetryPending: () => undefined,
  setModelVersion: () => undefined,
  observePagingCache: () => undefined,
  observeMemoryStoreUsers: () => undefined,
  observePipelineQueue: () => undefined,
  recordOperation: () => undefined,
  recordModelReload: () => undefined,
  recordShadowComparison: () => undefined,
});
