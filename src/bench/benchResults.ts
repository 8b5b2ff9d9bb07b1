import { z } from 'zod';
import type { AnnStudyResult } from './annStudy.js';
import type { SkippedCatalog } from './benchCatalogs.js';
import type { ScenarioName } from './benchScenarios.js';
import type { FunctionSelfTime } from './cpuProfileSummary.js';
import type { LatencySummary } from './latencyHistogram.js';
import type { StageSummary } from './stageStats.js';

/** Latency at one fixed offered rate (open loop), or why it was not measured. */
export type RateResult =
  | {
      /** Offered requests/s. */
      readonly rate: number;
      /** Completed 2xx requests/s. */
      readonly achieved: number;
      /** ms from when each request was handed to the HTTP client, on schedule (see loadDrivers.openLoop). */
      readonly latency: LatencySummary;
      /**
       * ms the scheduler handed each request over after its due time (its own
       * timer lateness, excluded from `latency`). Absent in runs recorded before
       * it was measured, whose `latency` was taken from the due time (so included it).
       */
      readonly schedulerLag?: LatencySummary;
      readonly failures: number;
      /** Server CPU ms per completed request during this run. */
      readonly cpuMsPerRequest: number;
    }
  | { readonly rate: number; readonly skipped: string };

/** One scenario on one catalog. */
export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly description: string;
  readonly saturation: {
    readonly connections: number;
    readonly seconds: number;
    readonly requestsPerSecond: number;
    /** requests/s × units per request (feedback events/s for the batch scenario). */
    readonly unitsPerSecond: number;
    /** autocannon's latency at saturation, ms. */
    readonly latency: LatencySummary;
    readonly failures: number;
    /** Server CPU (user + system, all threads) ms per completed request. */
    readonly cpuMsPerRequest: number;
    /** The server's event-loop delay over the run (perf_hooks, ms). */
    readonly eventLoopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
  };
  readonly rates: readonly RateResult[];
  /** The gateway's stage timings over the saturation run (onPipelineResult). */
  readonly stages: readonly StageSummary[];
  /** GET /healthz latency while this scenario saturated the server (recommendations only). */
  readonly healthz: LatencySummary | null;
}

/** Everything measured on one catalog. */
export interface CatalogResult {
  readonly name: string;
  readonly items: number;
  /** `exact` or `usearch-hnsw`. */
  readonly index: string;
  /**
   * How the served model kept its item vectors (`float32` or `float16`,
   * `RECGATE_VECTOR_PRECISION` as resolved); absent in runs recorded before it was reported.
   */
  readonly vectorPrecision?: string;
  readonly version: string;
  /** Extra settings of this server (e.g. the Redis store). */
  readonly variant: string;
  readonly origin: { readonly how: string; readonly seconds: number };
  readonly coldStart: {
    /** Spawn to serving, wall seconds (Node start-up and module loading of dist/ included; the build before it not). */
    readonly spawnToReadySeconds: number;
    /** The server's own start-up: model load, index build or load, listen. */
    readonly readySeconds: number;
    readonly annGraph: { readonly source: string; readonly seconds: number } | null;
  };
  /** VmHWM of the server after its scenarios, bytes. */
  readonly peakRssBytes: number | null;
  /**
   * VmRSS and VmHWM right after the server became ready (model, index and
   * code loaded; no request served), bytes; absent in runs recorded before it was measured.
   */
  readonly atReady?: { readonly rssBytes: number; readonly peakRssBytes: number } | null;
  readonly scenarios: readonly ScenarioResult[];
}

/** One row of the issue's target table with the measured value. */
export interface TargetRow {
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  /** true met, false missed, null not measured in this run. */
  readonly met: boolean | null;
}

/** The whole `npm run bench` output (`--json` prints it). */
export interface BenchResults {
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
    /** os.loadavg() (1, 5, 15 min) when the run started and ended. */
    readonly loadAverageStart: readonly number[];
    readonly loadAverageEnd: readonly number[];
  };
  readonly command: string;
  readonly quick: boolean;
  readonly startedAt: string;
  readonly seconds: number;
  readonly catalogs: readonly (CatalogResult | SkippedCatalog)[];
  readonly ann: readonly AnnStudyResult[];
  /** Top self-time functions of the server under recommendations load (10k items), or why absent. */
  readonly profile:
    | { readonly catalog: string; readonly file: string; readonly top: readonly FunctionSelfTime[] }
    | { readonly skipped: string };
  readonly targets: readonly TargetRow[];
  /**
   * `recommendations` at saturation on two servers at once (the production
   * layout of docs/operations.md: one replica per core), 10k items; absent
   * with --quick or without synthetic-10k.
   */
  readonly replicas?: ReplicaSaturation | { readonly skipped: string };
  /** The same on two servers of synthetic-1m (its single-server index); absent in runs before it existed. */
  readonly replicas1m?: ReplicaSaturation | { readonly skipped: string };
}

/**
 * `recommendations` on several replicas at once: saturation (each driven by its
 * own autocannon worker) and open-loop latency at fixed rates, round robin.
 */
export interface ReplicaSaturation {
  readonly catalog: string;
  /** The replicas' vector index (`exact`, `ivf`, `ann`); absent in runs before it was recorded (exact). */
  readonly index?: string;
  readonly replicas: number;
  /** Keep-alive connections per replica. */
  readonly connectionsPerReplica: number;
  readonly seconds: number;
  /** Sum over the replicas of completed 2xx requests/s. */
  readonly requestsPerSecond: number;
  /** Per replica: requests/s and autocannon's latency (ms). */
  readonly perReplica: readonly { readonly requestsPerSecond: number; readonly latency: LatencySummary }[];
  /** Server CPU (all replicas, all threads) ms per completed request. */
  readonly cpuMsPerRequest: number;
  /**
   * Open-loop latency at fixed offered rates over all replicas (request i to
   * replica i mod n); CPU per request summed over the replicas. Absent in runs before it was measured.
   */
  readonly rates?: readonly RateResult[];
}

/** The top level of a saved {@link BenchResults}, as {@link savedRunProblem} checks it (other fields pass). */
const SAVED_RUN_TOP_LEVEL = z.looseObject({
  machine: z.looseObject({}),
  profile: z.looseObject({}),
  catalogs: z.array(z.unknown()),
  ann: z.array(z.unknown()),
  targets: z.array(z.unknown()),
  startedAt: z.string(),
  command: z.string(),
  seconds: z.number(),
});

/**
 * Why `value` (a parsed JSON file) is not a saved {@link BenchResults}, or
 * null when its top level has the shape of one: `machine` and `profile`
 * objects; `catalogs`, `ann` and `targets` arrays; `startedAt` and `command`
 * strings; `seconds` a number (checked with zod). `npm run bench -- --render`
 * refuses a file with a problem instead of failing inside the report. A check
 * of the top level only: a saved run edited by hand can still fail deeper down.
 * @returns e.g. `"not a JSON object"`, or `"missing or of the wrong type: machine, seconds"`
 */
export function savedRunProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const parsed = SAVED_RUN_TOP_LEVEL.safeParse(value);
  if (parsed.success) return null;
  const wrong = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
  return `missing or of the wrong type: ${wrong.join(', ')}`;
}
