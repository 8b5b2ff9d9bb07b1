/**
 * Every telemetry name recgate emits, in one place (conventions.md §10):
 * the tracer and meter scope, span names, span attribute keys and metric
 * names. OpenTelemetry semantic-convention keys are used where one exists
 * (`graphql.operation.name`…); recgate's own keys are prefixed `recgate.`.
 * docs/operations.md lists them with their meaning; change both together.
 *
 * This module is pure constants and tiny string builders: the pipeline core
 * imports it without pulling any OpenTelemetry SDK code.
 */

/** Instrumentation scope of recgate's own spans and metrics (`otel_scope_name` in Prometheus). */
export const TELEMETRY_SCOPE = 'recgate';

/** The kinds of pipeline stage, as they start stage names (`source embedding`, `merge`…). */
export type StageKind = 'source' | 'filter' | 'hydrator' | 'scorer' | 'reranker' | 'selector';

/**
 * Name of one pipeline stage: `<kind> <component name>` (`source embedding`,
 * `filter seenItems`, `scorer onnx-ranker`), used alike as the span name,
 * the `StageTiming.stage` and the `stage` label of
 * {@link METRIC_PIPELINE_STAGE_DURATION}. The merge step has no component: {@link MERGE_STAGE}.
 */
export function stageName(kind: StageKind, component: string): string {
  return `${kind} ${component}`;
}

/** Name of the merge step (round-robin merge of the sources' hits): span and timing. */
export const MERGE_STAGE = 'merge';

/** Name of the span around one whole pipeline run: `pipeline home`, `pipeline similar`. */
export function pipelineSpanName(surface: string): string {
  return `pipeline ${surface}`;
}

/**
 * Name of the span of a pipeline run's wait for a free slot (`RECGATE_PIPELINE_CONCURRENCY`,
 * src/services/pipelineQueue.ts): a sibling before `pipeline <surface>`, only when the run waited.
 */
export const PIPELINE_QUEUE_SPAN = 'pipeline queue';

/**
 * Name of the span of one GraphQL operation, per the OpenTelemetry GraphQL
 * semantic conventions: `{graphql.operation.type} {graphql.operation.name}`,
 * `{graphql.operation.type}` when the operation is anonymous, and
 * `GraphQL Operation` before (or without) a resolved operation.
 * @param type `query`, `mutation` or `subscription`; null when unknown.
 */
export function graphqlSpanName(type: string | null, name: string | null): string {
  if (type === null) return 'GraphQL Operation';
  return name === null || name === '' ? type : `${type} ${name}`;
}

// ---- Span attributes: OpenTelemetry semantic conventions (incubating `graphql.*`, copied as the spec advises) ----

/** Semconv: the operation's name, as written in the document (absent when anonymous). */
export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
/** Semconv: `query`, `mutation` or `subscription`. */
export const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
/** Semconv: the GraphQL document text (opt-in: it can hold literal user data). */
export const ATTR_GRAPHQL_DOCUMENT = 'graphql.document';
/** Semconv: the class of error that ended an operation or stage (e.g. `timeout`, `UNAVAILABLE`). */
export const ATTR_ERROR_TYPE = 'error.type';

// ---- Span attributes: recgate's own ----

/** The HTTP request id (`x-request-id`, echoed in the response): on the HTTP root span and the GraphQL span. */
export const ATTR_REQUEST_ID = 'recgate.request_id';
/** The id of one computed list (`RecommendationList.requestId`, the paging key): on `pipeline <surface>` spans. */
export const ATTR_LIST_ID = 'recgate.list_id';
/** The surface (`home`, `similar`): on `pipeline <surface>` spans. */
export const ATTR_SURFACE = 'recgate.surface';
/** Candidates a stage received (sources: 0). Integer. */
export const ATTR_CANDIDATES_IN = 'recgate.candidates.in';
/** Candidates a stage passed on (sources: hits returned; merge: candidates after de-duplication). Integer. */
export const ATTR_CANDIDATES_OUT = 'recgate.candidates.out';
/** Items on the page the selector returned: on `pipeline <surface>` spans. Integer. */
export const ATTR_PAGE_SIZE = 'recgate.page.size';
/** `true` on a stage span whose failure was absorbed (fail-open) and named in `degraded`. */
export const ATTR_DEGRADED = 'recgate.degraded';
/** The components named in `degraded` after the run (string array): on `pipeline <surface>` spans. */
export const ATTR_DEGRADED_PARTS = 'recgate.degraded.parts';

/** Pipeline runs waiting ahead of this one when it joined the queue: on `pipeline queue` spans. Integer. */
export const ATTR_QUEUE_AHEAD = 'recgate.queue.ahead';

// ---- Metrics (Prometheus names: the exporter only replaces `.` and adds `_total` to counters) ----

/** Histogram, seconds: one GraphQL operation, from Apollo's request start to its response. */
export const METRIC_OPERATION_DURATION = 'recgate_operation_duration_seconds';
/** Histogram, seconds: one pipeline stage; labels `surface`, `stage`. */
export const METRIC_PIPELINE_STAGE_DURATION = 'recgate_pipeline_stage_duration_seconds';
/** Histogram, candidates: hits one candidate source returned in one run; label `source`. */
export const METRIC_SOURCE_CANDIDATES = 'recgate_source_candidates';
/** Counter (`_total`): lists served with a part degraded or from a fallback; label `part`. */
export const METRIC_DEGRADED = 'recgate_degraded';
/** Counter (`_total`): feedback events received; labels `type`, `accepted`. */
export const METRIC_FEEDBACK_EVENTS = 'recgate_feedback_events';
/** Counter (`_total`): items served, once per source that proposed each; label `source`. */
export const METRIC_SERVED_ITEMS = 'recgate_served_items';
/** Gauge, always 1: the model version served now; label `version`. */
export const METRIC_MODEL_INFO = 'recgate_model_info';
/**
 * Gauges: the ranked lists the memory store keeps for paging, and their
 * estimated bytes (`RECGATE_PAGING_MAX_LISTS`, `RECGATE_PAGING_MAX_MB`); not
 * reported when the lists live elsewhere (Redis).
 */
export const METRIC_PAGING_CACHE_LISTS = 'recgate_paging_cache_lists';
export const METRIC_PAGING_CACHE_BYTES = 'recgate_paging_cache_bytes';
/**
 * Gauge: the users the memory feature store holds (seeded and created by
 * feedback or impressions), bounded for new users by `RECGATE_MEMORY_MAX_USERS`;
 * not reported when users live elsewhere (Redis).
 */
export const METRIC_MEMORY_STORE_USERS = 'recgate_memory_store_users';
/**
 * Gauges of the pipeline queue (`RECGATE_PIPELINE_CONCURRENCY`, src/services/pipelineQueue.ts):
 * requests holding a slot (running pipelines) and requests waiting for one; not reported when
 * the queue has no limit (0).
 */
export const METRIC_PIPELINE_REQUESTS_RUNNING = 'recgate_pipeline_requests_running';
/** See {@link METRIC_PIPELINE_REQUESTS_RUNNING}. */
export const METRIC_PIPELINE_REQUESTS_WAITING = 'recgate_pipeline_requests_waiting';
/** Counter (`_total`): `after` paging lookups of a stored list; label `result` (`hit`, `miss`). */
export const METRIC_PAGING_CACHE_REQUESTS = 'recgate_paging_cache_requests';

/**
 * Counter (`_total`): HTTP requests to `/graphql` whose client closed the
 * connection before the response was sent (their pipeline runs stop at the
 * next stage and log nothing as served). No labels.
 */
export const METRIC_REQUESTS_ABORTED = 'recgate_requests_aborted';

/**
 * Counter (`_total`): HTTP requests to `/graphql` refused with 503 OVERLOADED
 * because `RECGATE_MAX_IN_FLIGHT` requests were already being answered. No labels.
 */
export const METRIC_REQUESTS_SHED = 'recgate_requests_shed';

/**
 * Feedback feature updates that failed without reaching the store (Redis
 * down) and wait for a retry (docs/feedback.md, "Retried updates"):
 * gauge `recgate_feedback_retry_pending` (waiting now), counter (`_total`)
 * `recgate_feedback_retried` (applied by a retry), counter (`_total`)
 * `recgate_feedback_retry_dropped`, label `reason`: `cap` (the oldest, past
 * `RECGATE_FEEDBACK_RETRY_MAX`), `replayed` (a replay of the event log
 * applied them), `failed` (a retry failed in a way that may have reached the store).
 */
export const METRIC_FEEDBACK_RETRY_PENDING = 'recgate_feedback_retry_pending';
export const METRIC_FEEDBACK_RETRIED = 'recgate_feedback_retried';
export const METRIC_FEEDBACK_RETRY_DROPPED = 'recgate_feedback_retry_dropped';

/** Counter (`_total`): model versions the gateway tried to load while serving; label `outcome` (`loaded`, `rejected`, `retrying`: a backend was unreachable, tried again later). */
export const METRIC_MODEL_RELOADS = 'recgate_model_reloads';
/** Histogram: Spearman's ρ between the live and shadow rankers' scores of one request's candidates; label `version` (the shadow's). */
export const METRIC_SHADOW_RANK_CORRELATION = 'recgate_shadow_rank_correlation';
/** Histogram: share of the live top 10 also in the shadow's top 10; label `version` (the shadow's). */
export const METRIC_SHADOW_TOP10_OVERLAP = 'recgate_shadow_top10_overlap';

/** Metric label keys. Prometheus turns the dots of the semconv ones into underscores. */
export const LABEL = {
  surface: 'surface',
  stage: 'stage',
  source: 'source',
  part: 'part',
  type: 'type',
  accepted: 'accepted',
  version: 'version',
  result: 'result',
  outcome: 'outcome',
  reason: 'reason',
  operationName: ATTR_GRAPHQL_OPERATION_NAME,
  operationType: ATTR_GRAPHQL_OPERATION_TYPE,
} as const;
