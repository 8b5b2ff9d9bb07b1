import type { GatewayConfig } from '../config.js';
import { configFromEnv } from '../config.js';
import { DEFAULT_MODEL_NAME, resolveRegistryDir } from '../../models/registry/registryPaths.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './limits/bodyLimit.js';
import { debugEnabled } from './debugEnabled.js';
import { introspectionEnabled } from './introspectionEnabled.js';
import type { QueryLimits } from './limits/queryLimits.js';
import { QUERY_LIMIT_ENV, resolveQueryLimits } from './limits/queryLimits.js';
import type { RateLimitConfig } from './rateLimit/connectRateLimiter.js';

/**
 * Settings of `recgate serve`: the HTTP listener plus the engine's
 * {@link GatewayConfig} (read by the engine's `configFromEnv`, see
 * src/config.ts for every `RECGATE_*` variable), with the command-line
 * options winning over the environment.
 */
export interface ServeConfig {
  /** TCP port. `--port`, `PORT`. @default 4000 */
  readonly port: number;
  /** Interface to listen on. `--host`, `HOST`. @default '0.0.0.0' (every IPv4 interface) */
  readonly host: string;
  /** The engine's configuration; `registryDir` is absolute and `modelName` always set. */
  readonly gateway: GatewayConfig & { readonly registryDir: string; readonly modelName: string };
  /**
   * Document limits for `createServer`: `RECGATE_MAX_DEPTH`, `RECGATE_MAX_ALIASES`,
   * `RECGATE_MAX_DIRECTIVES`, `RECGATE_MAX_TOKENS`, `RECGATE_MAX_LIST_ITEMS`.
   * @default DEFAULT_QUERY_LIMITS (8, 15, 50, 5000, 2000)
   */
  readonly limits: QueryLimits;
  /** Largest request body in bytes (413 above). `RECGATE_MAX_BODY_BYTES`. @default 1048576 (1 MiB) */
  readonly maxBodyBytes: number;
  /** Schema introspection. `RECGATE_INTROSPECTION=true|false`. @default true, false when NODE_ENV=production */
  readonly introspection: boolean;
  /** Stack traces of masked errors in responses. `RECGATE_DEBUG=1`. @default false */
  readonly debug: boolean;
  /**
   * Per-client rate limit: `RECGATE_RATE_LIMIT_RPS` (0 = off), `RECGATE_RATE_LIMIT_BURST`;
   * in Redis (`REDIS_URL` or `REDIS_CLUSTER_NODES`, prefix `RECGATE_REDIS_PREFIX` + `ratelimit:`)
   * when the gateway keeps its state there (`RECGATE_FEATURE_STORE=redis` or `RECGATE_EVENT_LOG=redis`).
   * @default off
   */
  readonly rateLimit: RateLimitConfig;
  /**
   * Load shedding: most `/graphql` requests answered at once; one more gets
   * 503 OVERLOADED with `Retry-After: 1` (src/server/overload/inFlightLimit.ts).
   * `RECGATE_MAX_IN_FLIGHT`, an integer ≥ 0; 0 = no limit.
   * @default DEFAULT_MAX_IN_FLIGHT (0: no limit)
   */
  readonly maxInFlight: number;
}

/**
 * The default of {@link ServeConfig.maxInFlight}: no limit. Shedding helps
 * only clients that honour `Retry-After` (or a load balancer that retries
 * elsewhere): 200 closed-loop clients that retried a 503 at once got
 * 1,792–1,920 answers in 20 s with a limit of 64 against 4,392–5,539
 * without one, because answering the refusals took the event loop; the
 * limit did bound the answers' p99 (1.0–1.8 s against 1.3–8.1 s;
 * `npm run bench:overload`, docs/api.md "Load shedding"). 64 is a
 * reasonable value where clients back off.
 */
export const DEFAULT_MAX_IN_FLIGHT = 0;

/** Command-line options of `recgate serve` as commander parses them. */
export interface ServeCliOptions {
  readonly port?: number;
  readonly host?: string;
  readonly registry?: string;
  readonly modelName?: string;
}

/**
 * Resolves the {@link ServeConfig}: options, then `env`, then defaults. The
 * registry folder is resolved like `recgate train` does (`--registry`, else
 * `RECGATE_REGISTRY`, else `var/registry`), so both commands agree.
 * @throws RangeError when `PORT` is not an integer from 0 to 65535, a
 *   `RECGATE_*` number does not parse, a limit is not a positive integer,
 *   `RECGATE_INTROSPECTION` is neither true nor false, `RECGATE_RATE_LIMIT_RPS`
 *   is not a number ≥ 0 or `RECGATE_RATE_LIMIT_BURST` not a positive integer.
 */
export function serveConfigFrom(
  options: ServeCliOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServeConfig {
  const envPort = env['PORT']?.trim();
  const port = options.port ?? (envPort === undefined || envPort === '' ? 4000 : Number(envPort));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`PORT: expected an integer from 0 to 65535, received ${JSON.stringify(envPort)}`);
  }
  const fromEnv = configFromEnv(env);
  const envHost = env['HOST']?.trim();
  return {
    port,
    limits: limitsFromEnv(env),
    maxBodyBytes: positiveIntegerFromEnv(env, 'RECGATE_MAX_BODY_BYTES') ?? DEFAULT_BODY_LIMIT_BYTES,
    introspection: introspectionEnabled(env),
    debug: debugEnabled(env),
    rateLimit: rateLimitFromEnv(env, fromEnv),
    maxInFlight: maxInFlightFromEnv(env),
    host: options.host ?? (envHost === undefined || envHost === '' ? '0.0.0.0' : envHost),
    gateway: {
      ...fromEnv,
      registryDir: resolveRegistryDir(options.registry ?? fromEnv.registryDir),
      modelName: options.modelName ?? fromEnv.modelName ?? DEFAULT_MODEL_NAME,
    },
  };
}

/**
 * `RECGATE_MAX_IN_FLIGHT`: unset or blank = {@link DEFAULT_MAX_IN_FLIGHT}, 0 = no limit.
 * @throws RangeError naming the variable when the value is not an integer ≥ 0.
 */
function maxInFlightFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['RECGATE_MAX_IN_FLIGHT']?.trim();
  if (raw === undefined || raw === '') return DEFAULT_MAX_IN_FLIGHT;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new RangeError(
      `RECGATE_MAX_IN_FLIGHT: expected an integer ≥ 0 (0 = no limit), received ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * The positive integer in `env[name]`; undefined when unset or blank.
 * @throws RangeError naming the variable when the value is not a positive integer.
 */
function positiveIntegerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name}: expected a positive integer, received ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * The {@link QueryLimits} set in `env` (unset or blank: the default).
 * @throws RangeError naming the variable when a value is not a positive integer.
 */
function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): QueryLimits {
  const overrides: Partial<Record<keyof QueryLimits, number>> = {};
  for (const [key, name] of Object.entries(QUERY_LIMIT_ENV) as [keyof QueryLimits, string][]) {
    const value = positiveIntegerFromEnv(env, name);
    if (value !== undefined) overrides[key] = value;
  }
  return resolveQueryLimits(overrides);
}

/**
 * The rate limit set in `env`: `RECGATE_RATE_LIMIT_RPS` (a number ≥ 0; unset,
 * blank or 0 = off) and `RECGATE_RATE_LIMIT_BURST` (a positive integer;
 * default ⌈rps⌉, at least 1). Buckets go to Redis when the gateway keeps its
 * state there (`featureStore` or `eventLog` is `redis`), with the gateway's
 * Redis URL or cluster nodes and key prefix + `ratelimit:`.
 * @throws RangeError naming the variable for a value out of range.
 */
function rateLimitFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  gateway: GatewayConfig,
): RateLimitConfig {
  const raw = env['RECGATE_RATE_LIMIT_RPS']?.trim() ?? '';
  const rps = raw === '' ? 0 : Number(raw);
  if (!Number.isFinite(rps) || rps < 0) {
    throw new RangeError(
      `RECGATE_RATE_LIMIT_RPS: expected a number ≥ 0 (0 = off), received ${JSON.stringify(raw)}`,
    );
  }
  const burst = positiveIntegerFromEnv(env, 'RECGATE_RATE_LIMIT_BURST') ?? Math.max(1, Math.ceil(rps));
  const inRedis = gateway.featureStore === 'redis' || gateway.eventLog === 'redis';
  return {
    rps,
    burst,
    redisUrl: inRedis ? (gateway.redisUrl ?? 'redis://127.0.0.1:6379') : null,
    redisClusterNodes: inRedis ? (gateway.redisClusterNodes ?? null) : null,
    prefix: `${gateway.redisPrefix ?? 'recgate:'}ratelimit:`,
  };
}
