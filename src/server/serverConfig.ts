import type { GatewayConfig } from '../config.js';
import { configFromEnv } from '../config.js';
import { DEFAULT_MODEL_NAME, resolveRegistryDir } from '../../models/registry/registryPaths.js';

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
 * @throws RangeError when `PORT` is not an integer from 0 to 65535, or a
 *   `RECGATE_*` number does not parse.
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
    host: options.host ?? (envHost === undefined || envHost === '' ? '0.0.0.0' : envHost),
    gateway: {
      ...fromEnv,
      registryDir: resolveRegistryDir(options.registry ?? fromEnv.registryDir),
      modelName: options.modelName ?? fromEnv.modelName ?? DEFAULT_MODEL_NAME,
    },
  };
}
