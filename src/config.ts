import { LOG_LEVELS } from './telemetry/logger.js';
import type { Telemetry } from './telemetry/telemetry.js';
import type { RecommendationQuery } from './components/recommendationQuery.js';
import type { PipelineResult } from './pipeline/pipelineResult.js';
import type { SurfaceConfig } from './pipeline/surfaceConfig.js';
import type { SurfaceParams } from './pipeline/surfaceParams.js';
import type { EventLog } from './stores/eventLog.js';
import type { FeatureStore } from './stores/featureStore.js';
import type { ModelRegistry } from './stores/modelRegistry.js';
import type { VectorIndex } from './stores/vectorIndex.js';
import type { IvfStorage } from './stores/ann/ivfVectorIndex.js';
import { VECTOR_PRECISION_SETTINGS } from './domain/itemVectors.js';
import type { HeapGrowingSetting } from './services/heapGrowth.js';
import type { VectorPrecisionSetting } from './domain/itemVectors.js';

/**
 * Everything `createGateway` needs. Every option is optional and documented
 * with its unit and default; {@link configFromEnv} reads the `RECGATE_*`
 * environment variables into it.
 */
export interface GatewayConfig {
  /** Model registry folder (docs/registry.md). Env `RECGATE_REGISTRY`. @default 'var/registry' */
  readonly registryDir?: string;
  /** Model folder inside the registry. Env `RECGATE_MODEL_NAME`. @default 'default' */
  readonly modelName?: string;
  /** JSON Lines event log file. Env `RECGATE_EVENT_LOG_FILE`. @default 'var/events.jsonl' */
  readonly eventLogFile?: string;
  /** `always`: appends resolve after fdatasync; `never`: once the OS has the bytes. Env `RECGATE_EVENT_LOG_FSYNC`. @default 'always' */
  readonly eventLogFsync?: 'always' | 'never';
  /** Experiment config file (JSON or YAML); null = no experiments. Env `RECGATE_EXPERIMENTS`. @default null */
  readonly experimentsFile?: string | null;
  /** Bearer token of the admin mutations; null disables them. Env `RECGATE_ADMIN_TOKEN`. @default null */
  readonly adminToken?: string | null;
  /** Candidates kept after merging sources (`totalCandidates`). Env `RECGATE_CANDIDATES`. @default 500 */
  readonly candidates?: number;
  /** MMR λ in [0, 1]; 1 = pure relevance. Env `RECGATE_MMR_LAMBDA`. @default 0.8 */
  readonly mmrLambda?: number;
  /** Share of list positions given to exploration, 0..0.5. Env `RECGATE_EXPLORATION_SHARE`. @default 0.05 */
  readonly explorationShare?: number;
  /** Time budget of each candidate source, in ms. Env `RECGATE_SOURCE_BUDGET_MS`. @default 50 */
  readonly sourceBudgetMs?: number;
  /**
   * Requests running ranking pipelines at once (`recommendations` first
   * pages, `similarItems` and `Item.similar` lists; all clients together, the
   * lists of one request sharing its slot); more wait in arrival order before
   * their queries are built (src/services/pipelineQueue.ts; a `pipeline
   * queue` span shows the wait, `recgate_pipeline_requests_running` and
   * `_waiting` the queue). Bounds the memory and the interleaved work of a
   * server that has read more requests than it can rank: at 1M items 128
   * concurrent clients peaked at 586–589 MB of RSS with 16 and 638–652 MB
   * without a limit (BENCHMARKS.md). Nothing is refused: that is
   * `RECGATE_MAX_IN_FLIGHT`'s job. An integer in 0..65,536; 0 = no limit.
   * Env `RECGATE_PIPELINE_CONCURRENCY`. @default 16
   */
  readonly pipelineConcurrency?: number;
  /** How long a ranked list is kept for `after` paging, in seconds (at most 31,536,000, 365 days). Env `RECGATE_PAGING_TTL_SECONDS`. @default 600 */
  readonly pagingTtlSeconds?: number;
  /**
   * With the memory store, the most ranked lists kept for `after` paging; past
   * it the oldest is dropped (its cursor answers "expired"). Whichever of it and
   * {@link pagingMaxMegabytes} is reached first applies. Env `RECGATE_PAGING_MAX_LISTS`. @default 10000
   */
  readonly pagingMaxLists?: number;
  /**
   * With the memory store, the size in MiB of the paging cache: one ring
   * buffer outside V8's heap holding the ranked lists kept for `after` as
   * bytes of a column form (~9 KB for a list kept to its first 200 positions,
   * {@link pagingMaxPositions}, with 10 ranker features at 1M items, so 32 MiB
   * keeps ~3,700 such lists, about as many as 72 MiB kept of the ~21-KB lists
   * of every position before 12-04;
   * src/components/selectors/storedListCodec.ts); a new list overwrites the
   * oldest ones (their cursors answer "expired"). Reserved when the store is
   * made (up to 4 GiB; beyond that in 8-MiB segments as it first fills: V8
   * starts major GCs for external memory allocated under load), its pages
   * committed only as they are written: under load it
   * takes this much RSS at most, less when {@link pagingMaxLists} or the TTL
   * keeps fewer lists (src/stores/memory/rankedListRing.ts). An integer in
   * 1..1,048,576 (1 TiB). Env `RECGATE_PAGING_MAX_MB`. @default 32
   */
  readonly pagingMaxMegabytes?: number;
  /**
   * How deep `after` pages: a ranked list is stored for paging with its first
   * this-many positions only (of up to {@link candidates}), so the last page
   * ends there (`hasNextPage` false). Lower positions are the list's
   * weakest; a client that scrolls past them asks again without `after` for
   * a fresh list. A stored list's size, and so how many lists the paging
   * cache keeps, scales with it (issue #6: ~21 KB for ~500 positions at 1M
   * items, ~9 KB for 200). An integer in 1..5000 (values of at most
   * `first`, 100 at most, leave one page). Env `RECGATE_PAGING_MAX_POSITIONS`.
   * @default 200
   */
  readonly pagingMaxPositions?: number;
  /**
   * Most items whose impressions each user keeps (memory and Redis stores
   * alike): past it the items shown longest ago are dropped, so a user's
   * impression state, and what every recommendation request reads of it,
   * stays bounded (~80 bytes per item in memory). Impression demotion only
   * needs recently shown items. An integer in 1..1,000,000. Env
   * `RECGATE_IMPRESSIONS_PER_USER`. @default 500
   */
  readonly impressionsPerUser?: number;
  /**
   * With the memory store, the most users it holds, the model's training users
   * (seeded at start-up and at each model load) included: feedback or
   * impressions of a NEW user past it are refused per event with code
   * `USER_LIMIT` (neither logged nor applied), while users it holds keep
   * working. Seeding is never refused: a model with more training users
   * still loads, and then no new user is admitted (a warning says so).
   * Sized from memory: a user created by one feedback event takes ~2.5 KB
   * (docs/operations.md), so 1,000,000 ≈ 2.5 GB, under Node's default heap
   * limit (~4 GB on a 64-bit host with 16 GB or more); a user with the most
   * impressions (`impressionsPerUser`, 500) takes ~44 KB. An integer in
   * 0..1,000,000,000; 0 = no limit. Ignored with the Redis store. Env
   * `RECGATE_MEMORY_MAX_USERS`. @default 1000000
   */
  readonly memoryMaxUsers?: number;
  /** MMR re-orders the top this-many positions (cost grows with its square). Env `RECGATE_MMR_WINDOW`. @default 50 */
  readonly mmrWindow?: number;
  /** The per-category cap (`categoryCap`, default 5) applies to the top this-many positions. Env `RECGATE_CATEGORY_CAP_WINDOW`. @default 20 */
  readonly categoryCapWindow?: number;
  /** Items whose live popularity is in this lowest share of a list are under-exposed (exploration pool), 0..1. @default 0.25 */
  readonly explorationQuantile?: number;
  /** The popular/trending ranking is re-read from the store at most this often, in ms. Env `RECGATE_RANKING_REFRESH_MS`. @default 5000 */
  readonly rankingRefreshMs?: number;
  /** Feature ages on the model's clock (`model`: training reference time + uptime) or the request time (`wall`). Env `RECGATE_FEATURE_CLOCK`. @default 'model' */
  readonly featureClock?: 'model' | 'wall';
  /** Served-list records are appended in batches at most this long after the list was served, in ms. Env `RECGATE_SERVED_LOG_FLUSH_MS`. @default 100 */
  readonly servedLogFlushMs?: number;
  /** Wait for the served-list log append before answering (tests; adds the append's latency). @default false */
  readonly awaitSideEffects?: boolean;
  /** Further surface-parameter defaults (before experiment overrides); the options above win. @default {} */
  readonly surfaceParams?: Partial<SurfaceParams>;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
  /** Called with every pipeline run's result (per-stage timings and counts, degraded): the telemetry hook. @default none */
  readonly onPipelineResult?: (surface: string, result: PipelineResult) => void;
  /**
   * The surface configurations served: `home` (every non-seeded surface name)
   * and `similar`. For tests and embedders that wire their own components
   * (e.g. a source that waits on a test's promise); not read from the environment.
   * @default the built-in homeSurface and similarSurface (src/surfaces/)
   */
  readonly surfaces?: {
    readonly home: SurfaceConfig<RecommendationQuery>;
    readonly similar: SurfaceConfig<RecommendationQuery>;
  };
  /** Where user features, counters, the catalog, promotions and paged lists live: `memory` (this process) or `redis` (shared by replicas). Env `RECGATE_FEATURE_STORE`. @default 'memory' */
  readonly featureStore?: 'memory' | 'redis';
  /** Where accepted events are logged: `file` (`eventLogFile`) or `redis` (a Redis Stream shared by replicas). Env `RECGATE_EVENT_LOG`. @default 'file' */
  readonly eventLog?: 'file' | 'redis';
  /** The item-vector index: `embedded` (in this process: exact up to `annMinItems` items, IVF-Flat above), `exact`, `ann` (HNSW, USearch), `ivf` (IVF-Flat, in this process), or `qdrant` (with the embedded index as its fallback). Env `RECGATE_VECTOR_INDEX`. @default 'embedded' */
  readonly vectorIndex?: 'embedded' | 'exact' | 'ann' | 'ivf' | 'qdrant';
  /** With `embedded` (and `qdrant`'s fallback), catalogs of more than this many items use the in-process IVF-Flat index. Env `RECGATE_ANN_MIN_ITEMS`. @default 200000 */
  readonly annMinItems?: number;
  /** HNSW efSearch, the search beam and recall/latency knob (1024: recall@100 ≈ 0.96 at 1M items, BENCHMARKS.md). Env `RECGATE_ANN_EF_SEARCH`. @default 1024 */
  readonly annEfSearch?: number;
  /** Whenever IVF-Flat serves (`ivf`, or `embedded` and `qdrant`'s fallback past `annMinItems`), the number of lists (coarse centroids); 0 = automatic, 4·√n rounded to a power of two, at most n / 64 (4,096 at 1M items; src/stores/ann/ivfParameters.ts). Env `RECGATE_IVF_LISTS`. @default 0 */
  readonly ivfLists?: number;
  /** Whenever IVF-Flat serves, the lists scanned per search, the recall/latency knob (16: recall@100 ≈ 0.97 at 1M items, BENCHMARKS.md). Env `RECGATE_IVF_PROBES`. @default 16 */
  readonly ivfProbes?: number;
  /**
   * Whenever IVF-Flat serves, how the index keeps the rows it scans: `none`, no copy: the
   * scan reads the model's rows in place (in WebAssembly memory since they
   * are loaded); `float32`, a copy in list order (272 MB more at 1M × 65,
   * searches that scan contiguous rows: about a third of `none`'s scan
   * time); `int8`, one-byte codes in list order (80 MB; IVF-SQ8) with
   * candidates re-scored exactly from the model's rows. Results are the same
   * in all three (BENCHMARKS.md has the memory and CPU of each). Env
   * `RECGATE_IVF_STORAGE`. @default 'none'
   */
  readonly ivfStorage?: IvfStorage;
  /**
   * How a loaded model keeps its item vectors: `float32` as published, or
   * `float16`, each value rounded to IEEE 754 binary16 (half the memory: 130 MB
   * less at 1M items × 65; a score moves by at most ~2⁻¹¹, typically ~10⁻⁵,
   * BENCHMARKS.md has the recall and the change in lists). With `float16` the
   * IVF index (storage `none`, the default past `annMinItems`) scans the
   * halves in place; the exact index and a Qdrant upload keep float32
   * copies of the rounded values, as they copy float32 vectors, so there
   * only the model's own copy halves; HNSW (`ann`) shares float32 vectors
   * but needs a float32 copy of halves: keep `float32` with it. `auto`
   * picks per loaded model: `float16` when IVF-Flat with storage `none`
   * serves it (`ivf`, or `embedded` / `qdrant`'s fallback past
   * `annMinItems`), else `float32` (src/services/vectorIndexChoice.ts). Env
   * `RECGATE_VECTOR_PRECISION`. @default 'auto'
   */
  readonly vectorPrecision?: VectorPrecisionSetting;
  /**
   * V8's heap growing factor for the process, as a percentage: after each
   * major GC the old generation may grow to (1 + N/100) times the live heap
   * before the next one (V8's `--heap-growing-percent`). `auto` sets 30 when
   * the served model has 200,000 items or more (at 1M items the peak RSS of
   * a probe fell from 815 to 723 MB with 80, and to 657–659 MB with 30, at
   * the same latency tail) and leaves V8's
   * own choice (1.1–4 times, from its GC speed) for smaller ones, where it
   * would cost ~5 % of CPU per call; 0 = V8's own choice; N in 1..1000 = that
   * factor. Set once at start-up (a hot reload to a larger model does not
   * change it); a `--heap-growing-percent` on the command line of the Node
   * process running the gateway wins (Node 20 refuses it in `NODE_OPTIONS`;
   * src/services/heapGrowth.ts). Env
   * `RECGATE_HEAP_GROWING_PERCENT`. @default 'auto'
   */
  readonly heapGrowingPercent?: HeapGrowingSetting;
  /** Folder of the HNSW graph cache and of the IVF list assignments, one file per model version; null = always build. Env `RECGATE_ANN_CACHE_DIR`. @default 'var/ann-cache' */
  readonly annCacheDir?: string | null;
  /** Redis URL (single node). Env `REDIS_URL`. @default 'redis://127.0.0.1:6379' */
  readonly redisUrl?: string;
  /** Redis Cluster seed nodes `host:port,host:port`; when set, wins over `redisUrl`. Env `REDIS_CLUSTER_NODES`. @default null */
  readonly redisClusterNodes?: string | null;
  /** Prefix of every feature-store key in Redis (docs/redis.md). Env `RECGATE_REDIS_PREFIX`. @default 'recgate:' */
  readonly redisPrefix?: string;
  /** The Redis Stream key of the event log. Env `RECGATE_EVENT_STREAM`. @default 'recgate:events' */
  readonly eventStream?: string;
  /** Approximate cap of the event stream's length (`XADD MAXLEN ~`); 0 = no trimming. Env `RECGATE_EVENT_STREAM_MAX_LEN`. @default 10000000 */
  readonly eventStreamMaxLen?: number;
  /** Qdrant URL. Env `QDRANT_URL`. @default 'http://127.0.0.1:6333' */
  readonly qdrantUrl?: string;
  /** Qdrant API key; null sends none. Env `QDRANT_API_KEY`. @default null */
  readonly qdrantApiKey?: string | null;
  /** Base name of the Qdrant collection; the model version is appended. Env `RECGATE_QDRANT_COLLECTION`. @default 'recgate' */
  readonly qdrantCollection?: string;
  /** Time budget of each Redis or Qdrant call on the request path, in ms; a slower call is served from the in-process fallback. Env `RECGATE_BACKEND_BUDGET_MS`. @default 150 */
  readonly backendBudgetMs?: number;
  /** Time budget of one event-log append to Redis (a feedback call waits at most this long before UNAVAILABLE), in ms. Env `RECGATE_EVENT_LOG_BUDGET_MS`. @default 1000 */
  readonly eventLogBudgetMs?: number;
  /** After a failed backend call, calls skip that backend for this long before one probe call, in ms; also how often a Redis feature store's seed mark is re-read on the request path (`SeedWatch`). Env `RECGATE_BACKEND_RETRY_MS`. @default 1000 */
  readonly backendRetryMs?: number;
  /**
   * Most feedback feature updates waiting for a retry in this process (updates
   * that failed without reaching Redis: docs/feedback.md, "Retried updates");
   * past it the oldest are dropped (logged, counted in
   * `recgate_feedback_retry_dropped_total{reason="cap"}`; the event log keeps
   * them). About 1 KB each. 0 turns the retry off. An integer in
   * 0..10,000,000. Env `RECGATE_FEEDBACK_RETRY_MAX`. @default 100000
   */
  readonly feedbackRetryMax?: number;
  /** How often the registry's CURRENT and SHADOW pointers are read for a hot reload, in ms; 0 = never (restart to change models; a Redis that lost its seed is still seeded again, see `backendRetryMs`). Env `RECGATE_MODEL_POLL_MS`. @default 5000 */
  readonly modelPollMs?: number;
  /** Where metrics go (src/telemetry/). @default the process's telemetry (`getTelemetry()`: no-op unless the SDK was started) */
  readonly telemetry?: Telemetry;
  /** Ready-made adapters (e.g. Redis, Qdrant, or a counting memory store in tests); each replaces the embedded default. @default {} */
  readonly adapters?: {
    readonly featureStore?: FeatureStore;
    readonly vectorIndex?: VectorIndex;
    readonly eventLog?: EventLog;
    readonly registry?: ModelRegistry;
  };
}

/** {@link GatewayConfig} with every default applied (adapters and clock stay optional). */
export type ResolvedGatewayConfig = Required<
  Omit<GatewayConfig, 'adapters' | 'now' | 'surfaceParams' | 'onPipelineResult' | 'telemetry' | 'surfaces'>
> &
  Pick<GatewayConfig, 'adapters' | 'surfaceParams' | 'onPipelineResult' | 'telemetry' | 'surfaces'> & {
    readonly now: () => number;
  };

/** The documented defaults. */
export const GATEWAY_DEFAULTS = {
  registryDir: 'var/registry',
  modelName: 'default',
  eventLogFile: 'var/events.jsonl',
  eventLogFsync: 'always',
  experimentsFile: null,
  adminToken: null,
  candidates: 500,
  mmrLambda: 0.8,
  explorationShare: 0.05,
  sourceBudgetMs: 50,
  pipelineConcurrency: 16,
  pagingTtlSeconds: 600,
  pagingMaxLists: 10_000,
  pagingMaxMegabytes: 32,
  pagingMaxPositions: 200,
  impressionsPerUser: 500,
  memoryMaxUsers: 1_000_000,
  mmrWindow: 50,
  categoryCapWindow: 20,
  explorationQuantile: 0.25,
  rankingRefreshMs: 5000,
  featureClock: 'model',
  servedLogFlushMs: 100,
  awaitSideEffects: false,
  featureStore: 'memory',
  eventLog: 'file',
  vectorIndex: 'embedded',
  redisUrl: 'redis://127.0.0.1:6379',
  redisClusterNodes: null,
  redisPrefix: 'recgate:',
  eventStream: 'recgate:events',
  eventStreamMaxLen: 10_000_000,
  qdrantUrl: 'http://127.0.0.1:6333',
  qdrantApiKey: null,
  qdrantCollection: 'recgate',
  backendBudgetMs: 150,
  backendRetryMs: 1000,
  feedbackRetryMax: 100_000,
  eventLogBudgetMs: 1000,
  modelPollMs: 5000,
  annMinItems: 200_000,
  annEfSearch: 1024,
  ivfLists: 0,
  ivfProbes: 16,
  ivfStorage: 'none',
  vectorPrecision: 'auto',
  heapGrowingPercent: 'auto',
  annCacheDir: 'var/ann-cache',
} as const satisfies Omit<
  ResolvedGatewayConfig,
  'now' | 'adapters' | 'surfaceParams' | 'onPipelineResult' | 'telemetry' | 'surfaces'
>;

/** What one setting accepts: a predicate and the sentence an error quotes after "expected". */
interface SettingRule {
  /** Whether `value` is acceptable. */
  readonly ok: (value: unknown) => boolean;
  /** What the setting accepts, e.g. `an integer in 1..5000`. */
  readonly expected: string;
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const intIn = (min: number, max: number, expected = `an integer in ${min}..${max}`): SettingRule => ({
  ok: (v) => isNumber(v) && Number.isInteger(v) && v >= min && v <= max,
  expected,
});
const intAtLeast = (min: number): SettingRule => ({
  ok: (v) => isNumber(v) && Number.isInteger(v) && v >= min,
  expected: `an integer ≥ ${min}`,
});
const numIn = (min: number, max: number): SettingRule => ({
  ok: (v) => isNumber(v) && v >= min && v <= max,
  expected: `a number in ${min}..${max}`,
});
const positiveAtMost = (unit: string, max: number): SettingRule => ({
  ok: (v) => isNumber(v) && v > 0 && v <= max,
  expected: `a positive number of ${unit} ≤ ${max}`,
});
/**
 * The longest delay Node's timers take, in ms (2³¹ − 1, about 24.8 days): a
 * longer `setTimeout`/`setInterval` delay is silently replaced by 1 ms.
 */
export const MAX_TIMER_MS = 2_147_483_647;
/** The longest `pagingTtlSeconds` accepted: 365 days (31,536,000 s). */
export const MAX_PAGING_TTL_SECONDS = 31_536_000;
const positiveMs: SettingRule = {
  ok: (v) => isNumber(v) && v > 0 && v <= MAX_TIMER_MS,
  expected: `a positive number of ms ≤ ${MAX_TIMER_MS}`,
};
const msAtLeastZero: SettingRule = {
  ok: (v) => isNumber(v) && v >= 0 && v <= MAX_TIMER_MS,
  expected: `a number of ms in 0..${MAX_TIMER_MS}`,
};
/** For intervals that are compared with a clock, never handed to a timer: no upper bound. */
const intervalMs: SettingRule = { ok: (v) => isNumber(v) && v >= 0, expected: 'a number of ms ≥ 0' };
const oneOf = (...allowed: readonly string[]): SettingRule => ({
  ok: (v) => allowed.includes(v as string),
  expected: allowed.map((a) => `"${a}"`).join(' or '),
});

/** The range of every checked setting; {@link resolveGatewayConfig} and {@link configFromEnv} both apply it. */
const SETTING_RULES: { readonly [K in keyof GatewayConfig]?: SettingRule } = {
  candidates: intIn(1, 5000),
  mmrLambda: numIn(0, 1),
  explorationShare: numIn(0, 0.5),
  sourceBudgetMs: positiveMs,
  pipelineConcurrency: intIn(0, 65_536, 'an integer in 0..65536 (0 = no limit)'),
  // At most a year: Redis refuses a PX past ~9.2e18 ms, and a refused write took the whole Redis store
  // to its fallback snapshot (attack report, session 32).
  pagingTtlSeconds: positiveAtMost('seconds', MAX_PAGING_TTL_SECONDS),
  pagingMaxLists: intAtLeast(1),
  pagingMaxMegabytes: intIn(1, 1_048_576), // up to 1 TiB: the byte count stays a safe integer
  pagingMaxPositions: intIn(1, 5000),
  impressionsPerUser: intIn(1, 1_000_000),
  memoryMaxUsers: intIn(0, 1_000_000_000, 'an integer in 0..1000000000 (0 = no limit)'),
  mmrWindow: intAtLeast(0),
  categoryCapWindow: intAtLeast(0),
  explorationQuantile: numIn(0, 1),
  rankingRefreshMs: intervalMs,
  servedLogFlushMs: msAtLeastZero,
  featureClock: oneOf('model', 'wall'),
  eventLogFsync: oneOf('always', 'never'),
  featureStore: oneOf('memory', 'redis'),
  eventLog: oneOf('file', 'redis'),
  vectorIndex: oneOf('embedded', 'exact', 'ann', 'ivf', 'qdrant'),
  annMinItems: intAtLeast(0),
  annEfSearch: intIn(1, 4096),
  ivfLists: intIn(0, 65_536, 'an integer in 0..65536 (0 = automatic)'),
  ivfProbes: intIn(1, 65_536),
  ivfStorage: oneOf('float32', 'int8', 'none'),
  vectorPrecision: oneOf(...VECTOR_PRECISION_SETTINGS),
  heapGrowingPercent: {
    ok: (v) => v === 'auto' || (isNumber(v) && Number.isInteger(v) && v >= 0 && v <= 1000),
    expected: '"auto" or an integer in 0..1000 (0 = V8\'s own choice)',
  },
  backendBudgetMs: positiveMs,
  eventLogBudgetMs: positiveMs,
  modelPollMs: msAtLeastZero,
  backendRetryMs: intervalMs,
  feedbackRetryMax: intIn(0, 10_000_000),
  eventStreamMaxLen: intAtLeast(0),
};

/**
 * The environment variable of each {@link GatewayConfig} key that has one, read
 * by {@link configFromEnv} and named by its errors. Keys without one
 * (`explorationQuantile`, `awaitSideEffects`, `now`, …) are set in code only.
 */
export const GATEWAY_ENV_VARS = {
  registryDir: 'RECGATE_REGISTRY',
  modelName: 'RECGATE_MODEL_NAME',
  eventLogFile: 'RECGATE_EVENT_LOG_FILE',
  eventLogFsync: 'RECGATE_EVENT_LOG_FSYNC',
  experimentsFile: 'RECGATE_EXPERIMENTS',
  adminToken: 'RECGATE_ADMIN_TOKEN',
  candidates: 'RECGATE_CANDIDATES',
  mmrLambda: 'RECGATE_MMR_LAMBDA',
  explorationShare: 'RECGATE_EXPLORATION_SHARE',
  sourceBudgetMs: 'RECGATE_SOURCE_BUDGET_MS',
  pipelineConcurrency: 'RECGATE_PIPELINE_CONCURRENCY',
  pagingTtlSeconds: 'RECGATE_PAGING_TTL_SECONDS',
  pagingMaxLists: 'RECGATE_PAGING_MAX_LISTS',
  pagingMaxMegabytes: 'RECGATE_PAGING_MAX_MB',
  pagingMaxPositions: 'RECGATE_PAGING_MAX_POSITIONS',
  impressionsPerUser: 'RECGATE_IMPRESSIONS_PER_USER',
  memoryMaxUsers: 'RECGATE_MEMORY_MAX_USERS',
  mmrWindow: 'RECGATE_MMR_WINDOW',
  categoryCapWindow: 'RECGATE_CATEGORY_CAP_WINDOW',
  rankingRefreshMs: 'RECGATE_RANKING_REFRESH_MS',
  featureClock: 'RECGATE_FEATURE_CLOCK',
  servedLogFlushMs: 'RECGATE_SERVED_LOG_FLUSH_MS',
  featureStore: 'RECGATE_FEATURE_STORE',
  eventLog: 'RECGATE_EVENT_LOG',
  vectorIndex: 'RECGATE_VECTOR_INDEX',
  redisUrl: 'REDIS_URL',
  redisClusterNodes: 'REDIS_CLUSTER_NODES',
  redisPrefix: 'RECGATE_REDIS_PREFIX',
  eventStream: 'RECGATE_EVENT_STREAM',
  eventStreamMaxLen: 'RECGATE_EVENT_STREAM_MAX_LEN',
  qdrantUrl: 'QDRANT_URL',
  qdrantApiKey: 'QDRANT_API_KEY',
  qdrantCollection: 'RECGATE_QDRANT_COLLECTION',
  backendBudgetMs: 'RECGATE_BACKEND_BUDGET_MS',
  backendRetryMs: 'RECGATE_BACKEND_RETRY_MS',
  feedbackRetryMax: 'RECGATE_FEEDBACK_RETRY_MAX',
  eventLogBudgetMs: 'RECGATE_EVENT_LOG_BUDGET_MS',
  modelPollMs: 'RECGATE_MODEL_POLL_MS',
  annMinItems: 'RECGATE_ANN_MIN_ITEMS',
  annEfSearch: 'RECGATE_ANN_EF_SEARCH',
  ivfLists: 'RECGATE_IVF_LISTS',
  ivfProbes: 'RECGATE_IVF_PROBES',
  ivfStorage: 'RECGATE_IVF_STORAGE',
  vectorPrecision: 'RECGATE_VECTOR_PRECISION',
  heapGrowingPercent: 'RECGATE_HEAP_GROWING_PERCENT',
  annCacheDir: 'RECGATE_ANN_CACHE_DIR',
} as const satisfies { readonly [K in keyof GatewayConfig]?: string };

/**
 * Throws when `value` breaks the rule of setting `key` (no rule: accepted).
 * @param label what the error names: the config key, or the environment variable the value came from.
 * @param shown the received value as the message prints it.
 * @throws RangeError `<label>: expected <what>, received <shown>`.
 */
function checkSetting(key: keyof GatewayConfig, value: unknown, label: string, shown: string): void {
  const rule = SETTING_RULES[key];
  if (rule !== undefined && !rule.ok(value)) {
    throw new RangeError(`${label}: expected ${rule.expected}, received ${shown}`);
  }
}

/**
 * Applies defaults and checks ranges. Values read by {@link configFromEnv}
 * were already checked there, under their variable's name.
 * @throws RangeError naming the option (its config key), what was expected and what was received.
 */
export function resolveGatewayConfig(config: GatewayConfig): ResolvedGatewayConfig {
  const c = { ...GATEWAY_DEFAULTS, now: Date.now, ...stripUndefined(config) } as ResolvedGatewayConfig;
  for (const key of Object.keys(SETTING_RULES) as (keyof GatewayConfig)[]) {
    checkSetting(
      key,
      c[key as keyof ResolvedGatewayConfig],
      key,
      String(c[key as keyof ResolvedGatewayConfig]),
    );
  }
  return c;
}

/**
 * Reads the gateway configuration from the environment variables of
 * {@link GATEWAY_ENV_VARS} (unset or empty = the default), checking each value
 * set against the same ranges as {@link resolveGatewayConfig}.
 * `RECGATE_LOG_LEVEL` (read by the logger itself) is checked here too, so a
 * misspelt level stops `recgate serve` like any other bad setting.
 * @throws RangeError naming the variable (e.g. `RECGATE_IVF_PROBES: expected an
 *   integer in 1..65536, received "0"`) when a value does not parse or is out of range.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const level = env['RECGATE_LOG_LEVEL']?.trim();
  if (
    level !== undefined &&
    level !== '' &&
    !(LOG_LEVELS as readonly string[]).includes(level.toLowerCase())
  ) {
    throw new RangeError(
      `RECGATE_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, received ${JSON.stringify(level)}`,
    );
  }
  const config: Record<string, string | number> = {};
  for (const [key, name] of Object.entries(GATEWAY_ENV_VARS) as [keyof typeof GATEWAY_ENV_VARS, string][]) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const numeric = typeof GATEWAY_DEFAULTS[key] === 'number' || (AUTO_OR_NUMBER.has(key) && raw !== 'auto');
    const value = numeric ? Number(raw) : raw;
    // Decimal notation only: Number() would also read "0x10" as 16 and "0b11" as 3.
    if (numeric && (!DECIMAL.test(raw) || !Number.isFinite(value))) {
      throw new RangeError(
        `${name}: expected ${SETTING_RULES[key]?.expected ?? 'a number'}, received ${JSON.stringify(raw)}`,
      );
    }
    checkSetting(key, value, name, JSON.stringify(raw));
    config[key] = value;
  }
  return config as GatewayConfig;
}

/** Settings whose value is `auto` or a number: read as a number unless the variable says `auto`. */
const AUTO_OR_NUMBER: ReadonlySet<string> = new Set(['heapGrowingPercent']);

/** A decimal number as a person writes it: optional sign, digits with an optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
