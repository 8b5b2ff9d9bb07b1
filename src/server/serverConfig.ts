import type { GatewayConfig } from '../config.js';
import { configFromEnv } from '../config.js';
import { DEFAULT_MODEL_NAME, resolveRegistryDir } from '../../models/registry/registryPaths.js';
import type { QueryLimits } from './limits/queryLimits.js';
import { QUERY_LIMIT_ENV, resolveQueryLimits } from './limits/queryLimits.js';

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
}

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
 *   `RECGATE_*` number does not parse, or a limit is not a positive integer.
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
    host: options.host ?? (envHost === undefined || envHost === '' ? '0.0.0.0' : envHost),
    gateway: {
      ...fromEnv,
      registryDir: resolveRegistryDir(options.registry ?? fromEnv.registryDir),
      modelName: options.modelName ?? fromEnv.modelName ?? DEFAULT_MODEL_NAME,
    },
  };
}

/**
 * The {@link QueryLimits} set in `env` (unset or blank: the default).
 * @throws RangeError naming the variable when a value is not a positive integer.
 */
function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): QueryLimits {
  const overrides: Partial<Record<keyof QueryLimits, number>> = {};
  for (const [key, name] of Object.entries(QUERY_LIMIT_ENV) as [keyof QueryLimits, string][]) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name}: expected a positive integer, received ${JSON.stringify(raw)}`);
    }
    overrides[key] = value;
  }
  return resolveQueryLimits(overrides);
}
