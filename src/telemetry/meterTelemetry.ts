import type { Attributes, Meter } from '@opentelemetry/api';
import type { PipelineResult } from '../pipeline/pipelineResult.js';
import type { PagingCacheUsage } from '../stores/featureStore.js';
import type { PipelineQueueUsage, Telemetry } from './telemetry.js';
import {
  LABEL,
  METRIC_DEGRADED,
  METRIC_FEEDBACK_EVENTS,
  METRIC_FEEDBACK_RETRIED,
  METRIC_FEEDBACK_RETRY_DROPPED,
  METRIC_FEEDBACK_RETRY_PENDING,
  METRIC_MODEL_INFO,
  METRIC_PAGING_CACHE_BYTES,
  METRIC_MEMORY_STORE_USERS,
  METRIC_PIPELINE_REQUESTS_RUNNING,
  METRIC_PIPELINE_REQUESTS_WAITING,
  METRIC_PAGING_CACHE_LISTS,
  METRIC_MODEL_RELOADS,
  METRIC_SHADOW_RANK_CORRELATION,
  METRIC_SHADOW_TOP10_OVERLAP,
  METRIC_OPERATION_DURATION,
  METRIC_PAGING_CACHE_REQUESTS,
  METRIC_PIPELINE_STAGE_DURATION,
  METRIC_REQUESTS_ABORTED,
  METRIC_REQUESTS_SHED,
  METRIC_SERVED_ITEMS,
  METRIC_SOURCE_CANDIDATES,
  stageName,
} from './telemetryNames.js';

/** Options of {@link createMeterTelemetry}. */
export interface MeterTelemetryOptions {
  /**
   * Distinct values kept per client-influenced label (operation name,
   * feedback type); later new values are recorded as `other`, so a client
   * cannot grow the metric set without bound. @default 100
   */
  readonly maxLabelValues?: number;
}

/** Bucket bounds of {@link METRIC_OPERATION_DURATION}, in seconds (the semconv HTTP duration buckets). */
export const OPERATION_SECONDS_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
/** Bucket bounds of {@link METRIC_PIPELINE_STAGE_DURATION}, in seconds: 0.1 ms to 1 s. */
export const STAGE_SECONDS_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];
/** Bucket bounds of {@link METRIC_SOURCE_CANDIDATES}, in candidates. */
export const SOURCE_CANDIDATE_BUCKETS = [0, 1, 5, 10, 25, 50, 100, 200, 300, 500, 1000];

/** `source ` : the start of every source stage's name. */
const SOURCE_PREFIX = stageName('source', '');

/** Model versions {@link METRIC_MODEL_INFO} keeps reporting (the current one and earlier ones at 0). */
const MAX_MODEL_VERSIONS = 20;

/** Longest label value kept; longer ones are cut (ids and names are far shorter). */
const MAX_LABEL_LENGTH = 64;

/**
 * The {@link Telemetry} facade over an OpenTelemetry `Meter` (API only: it
 * works with any MeterProvider; recgate's is the one `initTelemetry` builds
 * with the Prometheus exporter). Instruments and labels are listed in
 * src/telemetry/telemetryNames.ts and docs/operations.md.
 * @throws RangeError when `maxLabelValues` is not a positive integer.
 */
export function createMeterTelemetry(meter: Meter, options: MeterTelemetryOptions = {}): Telemetry {
  const maxLabelValues = options.maxLabelValues ?? 100;
  if (!Number.isInteger(maxLabelValues) || maxLabelValues < 1) {
    throw new RangeError(`maxLabelValues: expected a positive integer, received ${maxLabelValues}`);
  }
  const operationNames = boundedLabel(maxLabelValues);
  const feedbackTypes = boundedLabel(maxLabelValues);

  const operationDuration = meter.createHistogram(METRIC_OPERATION_DURATION, {
    description: 'GraphQL operations: time from request start to response, by operation and outcome',
    unit: 's',
    advice: { explicitBucketBoundaries: OPERATION_SECONDS_BUCKETS },
  });
  const stageDuration = meter.createHistogram(METRIC_PIPELINE_STAGE_DURATION, {
    description: 'Pipeline stages: duration of one stage of one run, by surface and stage',
    unit: 's',
    advice: { explicitBucketBoundaries: STAGE_SECONDS_BUCKETS },
  });
  const sourceCandidates = meter.createHistogram(METRIC_SOURCE_CANDIDATES, {
    description: 'Candidates one source returned in one pipeline run, by source',
    unit: '{candidate}',
    advice: { explicitBucketBoundaries: SOURCE_CANDIDATE_BUCKETS },
  });
  const degraded = meter.createCounter(METRIC_DEGRADED, {
    description: 'Served lists with a part degraded or served from a fallback, by part',
    unit: '{list}',
  });
  const feedback = meter.createCounter(METRIC_FEEDBACK_EVENTS, {
    description: 'Feedback events received, by type and whether they were accepted',
    unit: '{event}',
  });
  const served = meter.createCounter(METRIC_SERVED_ITEMS, {
    description: 'Items served, counted once per source that proposed each',
    unit: '{item}',
  });
  const paging = meter.createCounter(METRIC_PAGING_CACHE_REQUESTS, {
    description: 'Lookups of a stored ranked list for after-cursor paging, by result (hit, miss)',
    unit: '{request}',
  });
  const aborted = meter.createCounter(METRIC_REQUESTS_ABORTED, {
    description: 'Requests to /graphql whose client closed the connection before the response was sent',
    unit: '{request}',
  });
  const shed = meter.createCounter(METRIC_REQUESTS_SHED, {
    description:
      'Requests to /graphql refused with 503 OVERLOADED by the in-flight limit (RECGATE_MAX_IN_FLIGHT)',
    unit: '{request}',
  });
  const retried = meter.createCounter(METRIC_FEEDBACK_RETRIED, {
    description:
      'Feedback feature updates that failed without reaching the store and were applied by a retry',
    unit: '{event}',
  });
  const retryDropped = meter.createCounter(METRIC_FEEDBACK_RETRY_DROPPED, {
    description:
      'Feedback feature updates dropped from the retry queue unapplied, by reason (cap, replayed, failed)',
    unit: '{event}',
  });
  let retryPending: (() => number) | null = null;
  meter
    .createObservableGauge(METRIC_FEEDBACK_RETRY_PENDING, {
      description: 'Feedback feature updates that failed without reaching the store and wait for a retry',
      unit: '{event}',
    })
    .addCallback((result) => {
      if (retryPending !== null) result.observe(retryPending());
    });
  const reloads = meter.createCounter(METRIC_MODEL_RELOADS, {
    description:
      'Model versions the gateway tried to load while serving, by outcome (loaded, rejected, retrying)',
    unit: '{version}',
  });
  const shadowRho = meter.createHistogram(METRIC_SHADOW_RANK_CORRELATION, {
    description:
      "Spearman's rank correlation between the live and shadow rankers on one request's candidates",
    advice: { explicitBucketBoundaries: [-0.5, 0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1] },
  });
  const shadowOverlap = meter.createHistogram(METRIC_SHADOW_TOP10_OVERLAP, {
    description: "Share of the live ranker's top 10 also in the shadow ranker's top 10",
    advice: { explicitBucketBoundaries: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
  });
  // The SDK keeps reporting every attribute set a cumulative instrument ever saw, so a replaced
  // version cannot vanish: it is reported as 0 (the last MAX_MODEL_VERSIONS versions are kept).
  const modelVersions: string[] = [];
  meter
    .createObservableGauge(METRIC_MODEL_INFO, {
      description: 'The model version served now (1); versions served before in this process report 0',
    })
    .addCallback((result) => {
      const current = modelVersions[modelVersions.length - 1];
      for (const v of modelVersions) result.observe(v === current ? 1 : 0, { [LABEL.version]: v });
    });

  let pagingCache: (() => PagingCacheUsage | null) | null = null;
  observeGaugePair(
    meter,
    () => pagingCache?.() ?? null,
    {
      name: METRIC_PAGING_CACHE_LISTS,
      description: 'Ranked lists the memory store keeps for after paging',
      unit: '{list}',
      value: (u) => u.lists,
    },
    {
      name: METRIC_PAGING_CACHE_BYTES,
      description: 'Estimated bytes of the ranked lists the memory store keeps for after paging',
      unit: 'By',
      value: (u) => u.bytes,
    },
  );

  let memoryUsers: (() => number | null) | null = null;
  meter
    .createObservableGauge(METRIC_MEMORY_STORE_USERS, {
      description:
        'Users the memory feature store holds (new ones are refused past RECGATE_MEMORY_MAX_USERS)',
      unit: '{user}',
    })
    .addCallback((result) => {
      const users = memoryUsers?.() ?? null;
      if (users !== null) result.observe(users);
    });

  let pipelineQueue: (() => PipelineQueueUsage | null) | null = null;
  observeGaugePair(
    meter,
    () => pipelineQueue?.() ?? null,
    {
      name: METRIC_PIPELINE_REQUESTS_RUNNING,
      description: 'Requests running ranking pipelines (at most RECGATE_PIPELINE_CONCURRENCY)',
      unit: '{request}',
      value: (q) => q.running,
    },
    {
      name: METRIC_PIPELINE_REQUESTS_WAITING,
      description: 'Requests waiting for a pipeline slot (RECGATE_PIPELINE_CONCURRENCY)',
      unit: '{request}',
      value: (q) => q.waiting,
    },
  );

  return {
    observePipelineQueue(read) {
      pipelineQueue = read;
    },
    observePagingCache(read) {
      pagingCache = read;
    },
    observeMemoryStoreUsers(read) {
      memoryUsers = read;
    },
    recordPipelineResult(surface, result: PipelineResult) {
      for (const t of result.timings) {
        stageDuration.record(t.ms / 1000, { [LABEL.surface]: surface, [LABEL.stage]: t.stage });
        if (t.stage.startsWith(SOURCE_PREFIX)) {
          sourceCandidates.record(t.out, { [LABEL.source]: t.stage.slice(SOURCE_PREFIX.length) });
        }
      }
    },
    recordDegraded(parts) {
      for (const part of parts) degraded.add(1, { [LABEL.part]: clip(part) });
    },
    recordFeedback(type, accepted) {
      feedback.add(1, { [LABEL.type]: feedbackTypes(type), [LABEL.accepted]: accepted ? 'true' : 'false' });
    },
    recordServed(items) {
      const counts = new Map<string, number>();
      for (const item of items) for (const s of item.sources) counts.set(s, (counts.get(s) ?? 0) + 1);
      for (const [source, n] of counts) served.add(n, { [LABEL.source]: clip(source) });
    },
    recordPagingCache(hit) {
      paging.add(1, { [LABEL.result]: hit ? 'hit' : 'miss' });
    },
    recordRequestShed() {
      shed.add(1);
    },
    recordFeedbackRetried(count) {
      if (count > 0) retried.add(count);
    },
    recordFeedbackRetryDropped(count, reason) {
      if (count > 0) retryDropped.add(count, { [LABEL.reason]: reason });
    },
    observeFeedbackRetryPending(read) {
      retryPending = read;
    },
    recordRequestAborted() {
      aborted.add(1);
    },
    setModelVersion(version) {
      const v = clip(version);
      const at = modelVersions.indexOf(v);
      if (at >= 0) modelVersions.splice(at, 1);
      modelVersions.push(v);
      if (modelVersions.length > MAX_MODEL_VERSIONS) modelVersions.shift();
    },
    recordModelReload(outcome) {
      reloads.add(1, { [LABEL.outcome]: outcome });
    },
    recordShadowComparison(shadowVersion, spearman, top10Overlap) {
      const labels = { [LABEL.version]: clip(shadowVersion) };
      if (Number.isFinite(spearman)) shadowRho.record(spearman, labels);
      if (Number.isFinite(top10Overlap)) shadowOverlap.record(top10Overlap, labels);
    },
    recordOperation(name, type, seconds, ok) {
      if (!(seconds >= 0)) return;
      const labels: Attributes = {
        [LABEL.operationName]: name === null || name === '' ? 'anonymous' : operationNames(name),
        [LABEL.operationType]: type ?? 'unknown',
        [LABEL.outcome]: ok ? 'ok' : 'error',
      };
      operationDuration.record(seconds, labels);
    },
  };
}

/** A label-value guard: the first `max` distinct values pass (clipped), later new ones become `other`. */
function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    const v = clip(value);
    if (seen.has(v)) return v;
    if (seen.size >= max) return 'other';
    seen.add(v);
    return v;
  };
}

function clip(value: string): string {
  return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
}

/** One gauge of {@link observeGaugePair}: its name, help text, unit and value read from the pair's reading. */
interface PairedGauge<T> {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly value: (reading: T) => number;
}

/**
 * Two observable gauges collected together from one `read` at each
 * collection (so both come from the same moment); nothing is observed while
 * `read` returns null.
 */
function observeGaugePair<T>(meter: Meter, read: () => T | null, a: PairedGauge<T>, b: PairedGauge<T>): void {
  const gauges = [a, b].map((g) =>
    meter.createObservableGauge(g.name, { description: g.description, unit: g.unit }),
  );
  meter.addBatchObservableCallback((result) => {
    const reading = read();
    if (reading === null) return;
    result.observe(gauges[0]!, a.value(reading));
    result.observe(gauges[1]!, b.value(reading));
  }, gauges);
}
