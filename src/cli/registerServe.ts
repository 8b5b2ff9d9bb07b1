import type { Command } from 'commander';
import { assertPortFree } from '../server/assertPortFree.js';
import { checkServeSettings } from '../server/checkServeSettings.js';
import { createServer } from '../server/createServer.js';
import { connectRateLimiter } from '../server/rateLimit/connectRateLimiter.js';
import { stderrLogger } from '../server/serverLogger.js';
import { MAX_TIMER_MS, resolveGatewayConfig } from '../config.js';
import { ensureTrainedModel } from '../server/ensureTrainedModel.js';
import { pickExampleUserId } from '../server/pickExampleUserId.js';
import type { ServeCliOptions } from '../server/serverConfig.js';
import { serveConfigFrom } from '../server/serverConfig.js';
import { createGateway } from '../services/createGateway.js';
import { shutdownTelemetry } from '../telemetry/telemetryRuntime.js';
import { parseNumberOption } from './parseNumberOption.js';
import { progressLog } from './progressLog.js';

/** The curl command the serve command prints: one `recommendations` query, as JSON over POST. */
export function exampleCurl(url: string, userId: string | undefined): string {
  const user = userId === undefined ? '' : `userId: \\"${userId}\\", `;
  const query = `{ recommendations(${user}first: 5) { items { rank score reasons item { id title } } } }`;
  return `curl -s ${url} -H 'content-type: application/json' \\\n  -d '{"query": "${query}"}'`;
}

/**
 * `recgate serve`: trains on the bundled data when the registry has no model,
 * loads the current registry version into the engine and serves GraphQL (and
 * GraphiQL) at `/graphql`. Prints the URL and an example query. SIGINT and
 * SIGTERM: stop accepting connections, let in-flight requests finish for at
 * most `RECGATE_SHUTDOWN_GRACE_MS` (default 10000 ms), then flush and close
 * the engine (pending served-list records, the event log) and exit 0; exit 1
 * when the grace period ran out or closing failed.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve recommendations over GraphQL at /graphql (GraphiQL in a browser); ' +
        'trains on the bundled MovieTweetings data first when the registry has no model',
    )
    .option('--port <n>', 'TCP port (default: $PORT or 4000)', parseNumberOption(0, 65535, true))
    .option('--host <host>', 'interface to listen on (default: $HOST or 0.0.0.0)')
    .option('--registry <dir>', 'model registry folder (default: $RECGATE_REGISTRY or var/registry)')
    .option(
      '--model-name <name>',
      'model name: the folder under the registry (default: $RECGATE_MODEL_NAME or default)',
    )
    .action(async (options: ServeCliOptions) => {
      const started = performance.now();
      const config = serveConfigFrom(options);
      // Refuse bad settings before training a first model (minutes) rather than after it.
      resolveGatewayConfig(config.gateway);
      checkServeSettings(config.gateway);
      await assertPortFree(config.port, config.host);
      const graceMs = shutdownGraceMs(process.env);
      const { registryDir, modelName } = config.gateway;
      const log = progressLog();
      const { version } = await ensureTrainedModel({ registryDir, modelName, log });
      log(`loading ${modelName}/${version} from ${registryDir}`);
      const gateway = await createGateway(config.gateway);
      const limiter = connectRateLimiter(config.rateLimit, stderrLogger);
      const exampleUserId = pickExampleUserId(registryDir, modelName);
      const adminToken = config.gateway.adminToken ?? undefined;
      let server: Awaited<ReturnType<typeof createServer>>;
      try {
        server = await createServer({
          gateway,
          port: config.port,
          host: config.host,
          limits: config.limits,
          bodyLimit: config.maxBodyBytes,
          introspection: config.introspection,
          debug: config.debug,
          rateLimiter: limiter.rateLimiter,
          maxInFlight: config.maxInFlight,
          ...(adminToken === undefined ? {} : { adminToken }),
          ...(exampleUserId === undefined ? {} : { exampleUserId }),
        });
      } catch (err) {
        // Not listening (e.g. the port was taken after the early check): close the stores'
        // connections and timers, so the process ends with the error instead of idling.
        await Promise.allSettled([gateway.close(), limiter.close()]);
        throw err;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `recgate is serving ${modelName}/${version} at ${server.url} (ready in ${seconds} s)\n` +
          `open ${server.url} in a browser for GraphiQL, or try:\n\n${exampleCurl(server.url, exampleUserId)}\n\n` +
          `admin mutations: ${adminToken === undefined ? 'disabled (set RECGATE_ADMIN_TOKEN to enable them)' : 'enabled'}\n`,
      );
      let closing = false;
      const shutdown = (signal: string): void => {
        // A second signal while draining is ignored, not fatal: under `npm start` one Ctrl-C reaches the
        // server twice (the terminal signals the process group, and npm forwards it), and with `once`
        // listeners the second fell through to Node's default and killed the drain.
        if (closing) {
          log(`${signal}: already draining; the first signal's shutdown goes on`);
          return;
        }
        closing = true;
        log(`${signal}: draining requests (at most ${graceMs} ms), then flushing the event log`);
        const deadline = setTimeout(() => {
          log(`${signal}: requests still running after ${graceMs} ms; closing anyway`);
          process.exitCode = 1;
          void Promise.allSettled([gateway.close(), limiter.close()]).finally(() => process.exit(1));
        }, graceMs);
        void (async () => {
          try {
            await server.close();
            await gateway.close();
            await limiter.close();
            await shutdownTelemetry();
            log(`${signal}: closed cleanly`);
          } catch (err) {
            log(`${signal}: closing failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exitCode = 1;
          } finally {
            clearTimeout(deadline);
            process.exit(process.exitCode ?? 0);
          }
        })();
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}

/**
 * The shutdown grace period from `RECGATE_SHUTDOWN_GRACE_MS`, in ms.
 * @default 10000
 * @throws RangeError when it is set but not a number ≥ 0.
 */
export function shutdownGraceMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['RECGATE_SHUTDOWN_GRACE_MS']?.trim();
  if (raw === undefined || raw === '') return 10_000;
  const n = Number(raw);
  if (!/^\d+(\.\d*)?$/.test(raw) || !Number.isFinite(n) || n > MAX_TIMER_MS) {
    throw new RangeError(
      `RECGATE_SHUTDOWN_GRACE_MS: expected a number of ms in 0..${MAX_TIMER_MS}, received "${raw}"`,
    );
  }
  return n;
}
