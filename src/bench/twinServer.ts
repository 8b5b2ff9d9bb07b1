/**
 * The server process of `npm run bench:twin` (src/bench/twinProbe.ts): ONE
 * Node process serving two gateways over the same registry version, each
 * built from the compiled `dist/` of its own checkout (`--tree`, given
 * twice: the baseline, then this repository). Both gateways are built as
 * `benchServer.ts` builds its one (`createGateway` with the environment's
 * configuration, 450 embedding candidates so `recommendations` ranks ~500),
 * each on its own port with its own event log.
 *
 * One process for both builds is the point: CPU time is read for the whole
 * process (`process.cpuUsage`) while only one gateway has requests, in
 * alternating batches, so the host's drift (other tenants, frequency, cache)
 * falls on both alike instead of on whichever process ran in a slower minute.
 * The two builds share one V8 heap, so garbage one batch leaves may be
 * collected during the next: the batches are long enough (hundreds of
 * requests, dozens of scavenges) for that to average out, and an A/A run (one
 * checkout twice) shows what is left (BENCHMARKS.md).
 *
 * Prints `TWIN_READY {"urls":[…],"cpuUrl":…}` on stdout; `GET <cpuUrl>`
 * answers `{"cpu": µs}` (user + system, all threads). SIGTERM/SIGINT exit 0.
 *
 * Run: `node dist/src/bench/twinServer.js --registry <dir> --model-name <name>
 * --tree <baseline checkout> --tree <this checkout> --event-log-prefix <path>`.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as ConfigModuleNs from '../config.js';
import type * as SurfaceParamsModuleNs from '../pipeline/surfaceParams.js';
import type * as ServerModuleNs from '../server/createServer.js';
import type * as GatewayModuleNs from '../services/createGateway.js';

// The other checkout's modules are typed as this one's (the same API, or the run fails loudly).
type ConfigModule = typeof ConfigModuleNs;
type SurfaceParamsModule = typeof SurfaceParamsModuleNs;
type GatewayModule = typeof GatewayModuleNs;
type ServerModule = typeof ServerModuleNs;

const { values } = parseArgs({
  options: {
    registry: { type: 'string' },
    'model-name': { type: 'string' },
    tree: { type: 'string', multiple: true },
    'event-log-prefix': { type: 'string' },
  },
});
const trees = values.tree ?? [];
if (values.registry === undefined || values['model-name'] === undefined || trees.length !== 2) {
  throw new Error('twinServer: needs --registry, --model-name and exactly two --tree');
}
const registryDir = values.registry;
const modelName = values['model-name'];
const eventLogPrefix = values['event-log-prefix'] ?? join(registryDir, '..', 'twin-events');

/** Embedding candidates per request, as benchServer.ts asks (the gateway's default is 200). */
const BENCH_EMBEDDING_CANDIDATES = 450;

/** Imports `<tree>/dist/<path>` (a compiled module of that checkout). */
const load = async <T>(tree: string, path: string): Promise<T> =>
  (await import(pathToFileURL(join(tree, 'dist', path)).href)) as T;

const closers: (() => Promise<void>)[] = [];
const urls: string[] = [];
for (const [k, tree] of trees.entries()) {
  // Each checkout's own modules: its config reader, defaults, gateway and server.
  const { configFromEnv } = await load<ConfigModule>(tree, 'src/config.js');
  const { DEFAULT_SURFACE_PARAMS } = await load<SurfaceParamsModule>(tree, 'src/pipeline/surfaceParams.js');
  const { createGateway } = await load<GatewayModule>(tree, 'src/services/createGateway.js');
  const { createServer } = await load<ServerModule>(tree, 'src/server/createServer.js');
  const gateway = await createGateway({
    ...configFromEnv(process.env),
    registryDir,
    modelName,
    eventLogFile: `${eventLogPrefix}-${k}.jsonl`,
    surfaceParams: {
      candidatesPerSource: {
        ...DEFAULT_SURFACE_PARAMS.candidatesPerSource,
        embedding: BENCH_EMBEDDING_CANDIDATES,
      },
    },
  });
  const server = await createServer({ gateway, port: 0, host: '127.0.0.1' });
  urls.push(`http://127.0.0.1:${server.port}/graphql`);
  closers.push(() => server.close().then(() => gateway.close()));
}

const cpu = createHttpServer((_req, res) => {
  const c = process.cpuUsage();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ cpu: c.user + c.system }));
});
await new Promise<void>((resolve) => cpu.listen(0, '127.0.0.1', resolve));
const cpuUrl = `http://127.0.0.1:${(cpu.address() as AddressInfo).port}/`;
process.stdout.write(`TWIN_READY ${JSON.stringify({ urls, cpuUrl })}\n`);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  cpu.close();
  void Promise.allSettled(closers.map((close) => close())).finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
