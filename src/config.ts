import type { Telemetry } from './telemetry/telemetry.js';
import type { PipelineResult } from './pipeline/pipelineResult.js';
import type { SurfaceParams } from './pipeline/surfaceParams.js';
import type { EventLog } from './stores/eventLog.js';
import type { FeatureStore } from './stores/featureStore.js';
import type { ModelRegistry } from './stores/modelRegistry.js';
import type { VectorIndex } from './stores/vectorIndex.js';

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
  /** How long a ranked list is kept for `after` paging, in seconds. Env `RECGATE_PAGING_TTL_SECONDS`. @default 600 */
  readonly pagingTtlSeconds?: number;
  /**
   * With the memory store, the most ranked lists kept for `after` paging; past
   * it the oldest is dropped (its cursor answers "expired"). A list of 500
   * candidates takes roughly 0.2 MB of heap (the bench's 10k-catalog server
   * grew from 231 MB when ready to 2,052 MB with the cache full), so the
   * default bounds the cache near 2 GB under heavy traffic; lower it on small
   * machines. Env `RECGATE_PAGING_MAX_LISTS`. @default 10000
   */
  readonly pagingMaxLists?: number;
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
  /** With `ivf`, the number of lists (coarse centroids); 0 = automatic, 4·√n rounded to a power of two (4,096 at 1M items; src/stores/ann/ivfParameters.ts). Env `RECGATE_IVF_LISTS`. @default 0 */
  readonly ivfLists?: number;
  /** With `ivf`, the lists scanned per search, the recall/latency knob (16: recall@100 ≈ 0.97 at 1M items, BENCHMARKS.md). Env `RECGATE_IVF_PROBES`. @default 16 */
  readonly ivfProbes?: number;
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
  /** After a failed backend call, calls skip that backend for this long before one probe call, in ms. Env `RECGATE_BACKEND_RETRY_MS`. @default 1000 */
  readonly backendRetryMs?: number;
  /** How often the registry's CURRENT and SHADOW pointers are read for a hot reload, in ms; 0 = never (restart to change models). Env `RECGATE_MODEL_POLL_MS`. @default 5000 */
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
  Omit<GatewayConfig, 'adapters' | 'now' | 'surfaceParams' | 'onPipelineResult' | 'telemetry'>
> &
  Pick<GatewayConfig, 'adapters' | 'surfaceParams' | 'onPipelineResult' | 'telemetry'> & {
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
  pagingTtlSeconds: 600,
  pagingMaxLists: 10_000,
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
  eventLogBudgetMs: 1000,
  modelPollMs: 5000,
  annMinItems: 200_000,
  annEfSearch: 1024,
  ivfLists: 0,
  ivfProbes: 16,
  annCacheDir: 'var/ann-cache',
} as const satisfies Omit<
  ResolvedGatewayConfig,
  'now' | 'adapters' | 'surfaceParams' | 'onPipelineResult' | 'telemetry'
>;

/**
 * Applies defaults and checks ranges.
 * @throws RangeError naming the option, what was expected and what was received.
 */
export function resolveGatewayConfig(config: GatewayConfig): ResolvedGatewayConfig {
  const c = { ...GATEWAY_DEFAULTS, now: Date.now, ...stripUndefined(config) } as ResolvedGatewayConfig;
  const check = (name: string, ok: boolean, expected: string, value: unknown): void => {
    if (!ok) throw new RangeError(`${name}: expected ${expected}, received ${String(value)}`);
  };
  check(
    'candidates',
    Number.isInteger(c.candidates) && c.candidates >= 1 && c.candidates <= 5000,
    'an integer in 1..5000',
    c.candidates,
  );
  check('mmrLambda', c.mmrLambda >= 0 && c.mmrLambda <= 1, 'a number in 0..1', c.mmrLambda);
  check(
    'explorationShare',
    c.explorationShare >= 0 && c.explorationShare <= 0.5,
    'a number in 0..0.5',
    c.explorationShare,
  );
  check('sourceBudgetMs', c.sourceBudgetMs > 0, 'a positive number of ms', c.sourceBudgetMs);
  check('pagingTtlSeconds', c.pagingTtlSeconds > 0, 'a positive number of seconds', c.pagingTtlSeconds);
  check(
    'pagingMaxLists',
    Number.isInteger(c.pagingMaxLists) && c.pagingMaxLists >= 1,
    'an integer ≥ 1',
    c.pagingMaxLists,
  );
  check('mmrWindow', Number.isInteger(c.mmrWindow) && c.mmrWindow >= 0, 'an integer ≥ 0', c.mmrWindow);
  check(
    'categoryCapWindow',
    Number.isInteger(c.categoryCapWindow) && c.categoryCapWindow >= 0,
    'an integer ≥ 0',
    c.categoryCapWindow,
  );
  check(
    'explorationQuantile',
    c.explorationQuantile >= 0 && c.explorationQuantile <= 1,
    'a number in 0..1',
    c.explorationQuantile,
  );
  check('rankingRefreshMs', c.rankingRefreshMs >= 0, 'a number of ms ≥ 0', c.rankingRefreshMs);
  check('servedLogFlushMs', c.servedLogFlushMs >= 0, 'a number of ms ≥ 0', c.servedLogFlushMs);
  check(
    'featureClock',
    c.featureClock === 'model' || c.featureClock === 'wall',
    '"model" or "wall"',
    c.featureClock,
  );
  check(
    'eventLogFsync',
    c.eventLogFsync === 'always' || c.eventLogFsync === 'never',
    '"always" or "never"',
    c.eventLogFsync,
  );
  const oneOf = (name: string, value: unknown, allowed: readonly string[]): void =>
    check(name, allowed.includes(value as string), allowed.map((a) => `"${a}"`).join(' or '), value);
  oneOf('featureStore', c.featureStore, ['memory', 'redis']);
  oneOf('eventLog', c.eventLog, ['file', 'redis']);
  oneOf('vectorIndex', c.vectorIndex, ['embedded', 'exact', 'ann', 'ivf', 'qdrant']);
  check(
    'annMinItems',
    Number.isInteger(c.annMinItems) && c.annMinItems >= 0,
    'an integer ≥ 0',
    c.annMinItems,
  );
  check(
    'annEfSearch',
    Number.isInteger(c.annEfSearch) && c.annEfSearch >= 1 && c.annEfSearch <= 4096,
    'an integer in 1..4096',
    c.annEfSearch,
  );
  check(
    'ivfLists',
    Number.isInteger(c.ivfLists) && c.ivfLists >= 0 && c.ivfLists <= 65_536,
    'an integer in 0..65536 (0 = automatic)',
    c.ivfLists,
  );
  check(
    'ivfProbes',
    Number.isInteger(c.ivfProbes) && c.ivfProbes >= 1 && c.ivfProbes <= 65_536,
    'an integer in 1..65536',
    c.ivfProbes,
  );
  check('backendBudgetMs', c.backendBudgetMs > 0, 'a positive number of ms', c.backendBudgetMs);
  check('eventLogBudgetMs', c.eventLogBudgetMs > 0, 'a positive number of ms', c.eventLogBudgetMs);
  check('modelPollMs', c.modelPollMs >= 0, 'a number of ms ≥ 0', c.modelPollMs);
  check('backendRetryMs', c.backendRetryMs >= 0, 'a number of ms ≥ 0', c.backendRetryMs);
  check(
    'eventStreamMaxLen',
    Number.isInteger(c.eventStreamMaxLen) && c.eventStreamMaxLen >= 0,
    'an integer ≥ 0',
    c.eventStreamMaxLen,
  );
  return c;
}

/**
 * Reads the gateway configuration from environment variables (unset or
 * empty = the default): `RECGATE_REGISTRY`, `RECGATE_MODEL_NAME`,
 * `RECGATE_EVENT_LOG_FILE`, `RECGATE_EVENT_LOG_FSYNC`, `RECGATE_EXPERIMENTS`,
 * `RECGATE_ADMIN_TOKEN`, `RECGATE_CANDIDATES`, `RECGATE_MMR_LAMBDA`,
 * `RECGATE_EXPLORATION_SHARE`, `RECGATE_SOURCE_BUDGET_MS`,
 * `RECGATE_PAGING_TTL_SECONDS`, `RECGATE_PAGING_MAX_LISTS`, `RECGATE_MMR_WINDOW`,
 * `RECGATE_CATEGORY_CAP_WINDOW`, `RECGATE_RANKING_REFRESH_MS`, `RECGATE_FEATURE_CLOCK`,
 * `RECGATE_SERVED_LOG_FLUSH_MS`, `RECGATE_FEATURE_STORE`, `RECGATE_EVENT_LOG`,
 * `RECGATE_VECTOR_INDEX`, `REDIS_URL`, `REDIS_CLUSTER_NODES`, `RECGATE_REDIS_PREFIX`,
 * `RECGATE_EVENT_STREAM`, `RECGATE_EVENT_STREAM_MAX_LEN`, `QDRANT_URL`, `QDRANT_API_KEY`,
 * `RECGATE_QDRANT_COLLECTION`, `RECGATE_BACKEND_BUDGET_MS`, `RECGATE_BACKEND_RETRY_MS`,
 * `RECGATE_EVENT_LOG_BUDGET_MS`, `RECGATE_MODEL_POLL_MS`, `RECGATE_ANN_MIN_ITEMS`,
 * `RECGATE_ANN_EF_SEARCH`, `RECGATE_IVF_LISTS`, `RECGATE_IVF_PROBES`, `RECGATE_ANN_CACHE_DIR`.
 * @throws RangeError naming the variable when a number does not parse.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const num = (name: string): number | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new RangeError(`${name}: expected a number, received "${v}"`);
    return n;
  };
  const fsync = str('RECGATE_EVENT_LOG_FSYNC');
  const clock = str('RECGATE_FEATURE_CLOCK');
  return stripUndefined({
    registryDir: str('RECGATE_REGISTRY'),
    modelName: str('RECGATE_MODEL_NAME'),
    eventLogFile: str('RECGATE_EVENT_LOG_FILE'),
    eventLogFsync: fsync as GatewayConfig['eventLogFsync'],
    experimentsFile: str('RECGATE_EXPERIMENTS'),
    adminToken: str('RECGATE_ADMIN_TOKEN'),
    candidates: num('RECGATE_CANDIDATES'),
    mmrLambda: num('RECGATE_MMR_LAMBDA'),
    explorationShare: num('RECGATE_EXPLORATION_SHARE'),
    sourceBudgetMs: num('RECGATE_SOURCE_BUDGET_MS'),
    pagingTtlSeconds: num('RECGATE_PAGING_TTL_SECONDS'),
    pagingMaxLists: num('RECGATE_PAGING_MAX_LISTS'),
    mmrWindow: num('RECGATE_MMR_WINDOW'),
    categoryCapWindow: num('RECGATE_CATEGORY_CAP_WINDOW'),
    rankingRefreshMs: num('RECGATE_RANKING_REFRESH_MS'),
    featureClock: clock as GatewayConfig['featureClock'],
    servedLogFlushMs: num('RECGATE_SERVED_LOG_FLUSH_MS'),
    featureStore: str('RECGATE_FEATURE_STORE') as GatewayConfig['featureStore'],
    eventLog: str('RECGATE_EVENT_LOG') as GatewayConfig['eventLog'],
    vectorIndex: str('RECGATE_VECTOR_INDEX') as GatewayConfig['vectorIndex'],
    redisUrl: str('REDIS_URL'),
    redisClusterNodes: str('REDIS_CLUSTER_NODES'),
    redisPrefix: str('RECGATE_REDIS_PREFIX'),
    eventStream: str('RECGATE_EVENT_STREAM'),
    eventStreamMaxLen: num('RECGATE_EVENT_STREAM_MAX_LEN'),
    qdrantUrl: str('QDRANT_URL'),
    qdrantApiKey: str('QDRANT_API_KEY'),
    qdrantCollection: str('RECGATE_QDRANT_COLLECTION'),
    backendBudgetMs: num('RECGATE_BACKEND_BUDGET_MS'),
    backendRetryMs: num('RECGATE_BACKEND_RETRY_MS'),
    eventLogBudgetMs: num('RECGATE_EVENT_LOG_BUDGET_MS'),
    modelPollMs: num('RECGATE_MODEL_POLL_MS'),
    annMinItems: num('RECGATE_ANN_MIN_ITEMS'),
    annEfSearch: num('RECGATE_ANN_EF_SEARCH'),
    ivfLists: num('RECGATE_IVF_LISTS'),
    ivfProbes: num('RECGATE_IVF_PROBES'),
    annCacheDir: str('RECGATE_ANN_CACHE_DIR'),
  });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
