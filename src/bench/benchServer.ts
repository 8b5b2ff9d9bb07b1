/**
 * The gateway process `npm run bench` drives (started as a child process by
 * `src/bench/benchServerProcess.ts`). It builds the gateway exactly as
 * `recgate serve` does — `createGateway` with the environment's
 * configuration (`configFromEnv`), then `createServer` with the default
 * limits — with three additions for measurement (and the embedding source
 * asked for 450 candidates instead of 200, so that `recommendations` ranks
 * the 500 candidates issue #6's scenario names):
 *
 * - `--index ivf` serves from the in-process IVF-Flat index (`IvfVectorIndex`,
 *   the gateway's default past `RECGATE_ANN_MIN_ITEMS`) and `--index ann` from
 *   the HNSW index (`UsearchVectorIndex`), each built over the registry's item
 *   vectors or loaded from `--ann-cache`, through
 *   `GatewayConfig.adapters.vectorIndex`; `exact` leaves the gateway's own
 *   `ExactVectorIndex`.
 * - `GatewayConfig.onPipelineResult` feeds every run's stage timings into a
 *   {@link StageStats}.
 * - A second HTTP listener on 127.0.0.1 (its own port, not the gateway's)
 *   answers `GET /stats` with JSON — `cpu` (process.cpuUsage, µs), `pageFaults`
 *   (minor and major, process.resourceUsage), `memory` (process.memoryUsage, bytes), `stages` (StageSummary[]), `ann`
 *   (AnnSearchStats or null), `eventLoopDelay` (ms summary of
 *   perf_hooks.monitorEventLoopDelay) — and `POST /reset` clears the stages
 *   and the event-loop histogram.
 *
 * When serving it prints one line `BENCH_READY <json>` on stdout with `url`
 * (GraphQL endpoint), `statsUrl`, `readySeconds` (in-process start-up time),
 * `index`, `vectorPrecision` (how the model keeps its item vectors) and `annOrigin`. SIGTERM/SIGINT close the server and the gateway and exit 0.
 *
 * Run (after `npm run build`; the bench builds first by itself):
 * `node dist/src/bench/benchServer.js --registry <dir> --model-name <name>
 * [--index exact|ann|ivf] [--ann-cache <file>] [--event-log <file>]`, or
 * `tsx src/bench/benchServer.ts …` from the sources.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { GATEWAY_DEFAULTS, configFromEnv } from '../config.js';
import { float32Vectors, precisionOf } from '../domain/itemVectors.js';
import type { VectorPrecision } from '../domain/itemVectors.js';
import { DEFAULT_SURFACE_PARAMS } from '../pipeline/surfaceParams.js';
import { createServer } from '../server/createServer.js';
import { createGateway } from '../services/createGateway.js';
import { servedVectorPrecision } from '../services/vectorIndexChoice.js';
import { IvfVectorIndex } from '../stores/ann/ivfVectorIndex.js';
import { UsearchVectorIndex } from '../stores/ann/usearchVectorIndex.js';
import { FileModelRegistry } from '../stores/file/fileModelRegistry.js';
import type { VectorIndex } from '../stores/vectorIndex.js';
import { memoizedRegistry } from './memoizedRegistry.js';
import { StageStats } from './stageStats.js';
import { noopTelemetry } from '../telemetry/telemetry.js';
import type { PagingCacheUsage } from '../stores/featureStore.js';

const started = performance.now();
const { values } = parseArgs({
  options: {
    registry: { type: 'string' },
    'model-name': { type: 'string', default: 'default' },
    index: { type: 'string', default: 'exact' },
    'ann-cache': { type: 'string' },
    'event-log': { type: 'string' },
  },
});
if (values.registry === undefined) throw new Error('benchServer: --registry <dir> is required');
if (values.index !== 'exact' && values.index !== 'ann' && values.index !== 'ivf') {
  throw new Error(`benchServer: --index expects exact, ann or ivf, received ${values.index}`);
}
const modelName = values['model-name'];
// RECGATE_VECTOR_PRECISION, resolved as the gateway's own registry would for this server's index.
const env = configFromEnv(process.env);
const vectorPrecision = (itemCount: number): VectorPrecision =>
  servedVectorPrecision(env.vectorPrecision ?? GATEWAY_DEFAULTS.vectorPrecision, itemCount, {
    vectorIndex: values.index as 'exact' | 'ann' | 'ivf',
    annMinItems: GATEWAY_DEFAULTS.annMinItems,
    ivfStorage: env.ivfStorage ?? GATEWAY_DEFAULTS.ivfStorage,
  });
const registry = memoizedRegistry(
  new FileModelRegistry({ dir: values.registry, modelName, vectorPrecision }),
);
const version = await registry.currentVersion();
if (version === null) throw new Error(`benchServer: ${values.registry}/${modelName} has no CURRENT version`);

let ann: UsearchVectorIndex | IvfVectorIndex | null = null;
if (values.index === 'ivf') {
  // The gateway's default past RECGATE_ANN_MIN_ITEMS, with its default parameters.
  const loaded = await registry.load(version);
  ann = IvfVectorIndex.fromVectors(
    loaded.bundle.itemIds,
    loaded.bundle.itemVectors,
    loaded.manifest.retrieval.vectorDimension,
    {
      payloads: loaded.catalog,
      idIndex: loaded.bundle.itemIndex,
      storage: configFromEnv(process.env).ivfStorage ?? GATEWAY_DEFAULTS.ivfStorage, // RECGATE_IVF_STORAGE, as the gateway
      ...(values['ann-cache'] === undefined ? {} : { cacheFile: values['ann-cache'] }),
    },
  );
} else if (values.index === 'ann') {
  const loaded = await registry.load(version);
  ann = UsearchVectorIndex.fromVectors(
    loaded.bundle.itemIds,
    float32Vectors(loaded.bundle.itemVectors, loaded.manifest.retrieval.vectorDimension),
    loaded.manifest.retrieval.vectorDimension,
    {
      payloads: loaded.catalog,
      shareVectors: true,
      ...(values['ann-cache'] === undefined ? {} : { cacheFile: values['ann-cache'] }),
    },
  );
}

/** Embedding candidates per request in the bench (the gateway's default is 200). */
const BENCH_EMBEDDING_CANDIDATES = 450;

const stages = new StageStats();
/** The gateway's paging-cache reader (what `recgate_paging_cache_lists` / `_bytes` report), for `/stats`. */
let pagingCache: (() => PagingCacheUsage | null) | null = null;
const adapters: { registry: typeof registry; vectorIndex?: VectorIndex } = { registry };
if (ann !== null) adapters.vectorIndex = ann;
const gateway = await createGateway({
  ...configFromEnv(process.env),
  registryDir: values.registry,
  modelName,
  ...(values['event-log'] === undefined ? {} : { eventLogFile: values['event-log'] }),
  adapters,
  // Issue #6's scenario ranks 500 candidates: the default per-source counts
  // (embedding 200, item-to-item 100, popular 50, trending 50) merge to about
  // 270 distinct items, so the embedding source is asked for 450 and the merge
  // is cut at RECGATE_CANDIDATES (500). The similar surface's seed-embedding
  // source reads the same count, so similarItems ranks about 450 here.
  surfaceParams: {
    candidatesPerSource: {
      ...DEFAULT_SURFACE_PARAMS.candidatesPerSource,
      embedding: BENCH_EMBEDDING_CANDIDATES,
    },
  },
  onPipelineResult: (surface, result) => stages.record(surface, result),
  telemetry: {
    ...noopTelemetry,
    observePagingCache: (read) => void (pagingCache = read),
  },
});
const server = await createServer({ gateway, port: 0, host: '127.0.0.1' });

/** The process's page faults so far (getrusage(2) ru_minflt, ru_majflt: all its threads). */
const pageFaults = (): { minor: number; major: number } => {
  const usage = process.resourceUsage();
  return { minor: usage.minorPageFault, major: usage.majorPageFault };
};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const stats = createHttpServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') {
    stages.reset();
    loopDelay.reset();
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'GET' && req.url === '/stats') {
    const body = {
      cpu: process.cpuUsage(),
      pageFaults: pageFaults(),
      memory: process.memoryUsage(),
      stages: stages.snapshot(),
      ann: ann?.searchStats ?? null,
      pagingCache: pagingCache?.() ?? null,
      eventLoopDelay: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
const statsPort = (stats.address() as AddressInfo).port;

process.stdout.write(
  `BENCH_READY ${JSON.stringify({
    url: `http://127.0.0.1:${server.port}/graphql`,
    statsUrl: `http://127.0.0.1:${statsPort}`,
    readySeconds: (performance.now() - started) / 1000,
    index: ann?.name ?? 'exact',
    vectorPrecision: precisionOf((await registry.load(version)).bundle.itemVectors),
    annOrigin: ann?.origin ?? null,
    modelVersion: version,
  })}\n`,
);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  stats.close();
  void server
    .close()
    .then(() => gateway.close())
    .finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
