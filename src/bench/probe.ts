/**
 * `npm run bench:probe`: one scenario against one catalog, for profiling a
 * change. Builds dist/ and starts the bench server from it
 * (`dist/src/bench/benchServer.js`, plain node as `npm start`; the same gateway as
 * `npm run bench`), sends `--requests` requests on `--connections` keep-alive
 * connections (each sends its next request when the previous answer arrived)
 * after 50 warm-up requests, and prints requests/s, wall and server CPU
 * milliseconds per request (process.cpuUsage of the server, all threads; also
 * split into user and system time), the server's minor page faults per request
 * (process.resourceUsage: glibc's malloc settings show here first), the event-loop delay, the RSS when the server was ready (`VmRSS` before the
 * warm-up, with the start-up peak `VmHWM`), the peak RSS after the run, the
 * server's `process.memoryUsage()` when ready and right after the run (RSS, V8 heap used
 * and committed, external and array-buffer bytes), and the
 * mean / p50 milliseconds of every pipeline stage. With `--cpu-prof <dir>` the
 * server writes a V8 CPU profile there and the top self-time functions are printed.
 * With `--store redis` the server runs on the Redis feature store and event
 * log (`RECGATE_FEATURE_STORE=redis RECGATE_EVENT_LOG=redis`, `REDIS_URL` or
 * redis://127.0.0.1:6379) under a private key prefix `recgate-probe-<pid>:`,
 * deleted afterwards, as `npm run bench`'s Redis row does; the Redis server's
 * CPU (`INFO cpu`, all its threads) per request is printed too (it counts
 * every client of that server, so read it on an otherwise idle Redis).
 *
 * Options: `--catalog` (default synthetic-10k; any of `npm run bench`'s),
 * `--scenario` (recommendations | similarItems | feedbackBatch | typename;
 * default recommendations), `--requests` (default 400), `--connections`
 * (default 1: the clean per-request cost, no queueing), `--cpu-prof <dir>`,
 * `--store` (memory | redis; default memory), `--dir` (default var/bench),
 * `--node-flags` (more Node/V8 flags for the server, space-separated; default none).
 * Catalogs are prepared as `npm run bench` does.
 * A non-200 answer or a GraphQL error stops the run with that body.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysByPrefix } from '../stores/redis/deleteKeysByPrefix.js';
import { sampleIds } from './benchCatalogs.js';
import { benchDirOrExit, environmentOrExit, helpOrContinue, parseOrExit, usageError } from './benchCli.js';
import type { ScenarioName } from './benchScenarios.js';
import { benchScenarios, SCENARIO_NAMES } from './benchScenarios.js';
import { REPO_ROOT, startBenchServer } from './benchServerProcess.js';
import type { CpuProfile } from './cpuProfileSummary.js';
import { summarizeCpuProfile } from './cpuProfileSummary.js';
import { catalogOrExit, nodeFlagsOption, sendScenarioRequest, serverFor } from './probeTarget.js';

const USAGE = `npm run bench:probe -- [options]   one scenario, CPU and stage times per request
  --catalog name       ml-latest-small, synthetic-10k (default), synthetic-100k, synthetic-1m
  --scenario name      ${SCENARIO_NAMES.join(' | ')} (default recommendations)
  --requests n         requests after 50 warm-up ones (default 400)
  --connections n      keep-alive connections, each waiting for its answer (default 1: no queueing)
  --cpu-prof dir       write the server's V8 CPU profile there and print its top functions
  --store name         memory (default) | redis: the Redis feature store and event log
                       (REDIS_URL or redis://127.0.0.1:6379, private key prefix deleted afterwards)
  --dir folder         catalogs and event logs, as npm run bench (default var/bench)
  --node-flags="…"    more Node/V8 flags for the server, space-separated (default none)
  --help               this text`;
helpOrContinue(USAGE);
const { values } = parseOrExit('bench:probe', () =>
  parseArgs({
    options: {
      catalog: { type: 'string', default: 'synthetic-10k' },
      scenario: { type: 'string', default: 'recommendations' },
      requests: { type: 'string', default: '400' },
      connections: { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
      store: { type: 'string', default: 'memory' },
      dir: { type: 'string', default: 'var/bench' },
      'node-flags': { type: 'string', default: '' },
    },
  }),
);
const nodeFlags = nodeFlagsOption('bench:probe', values['node-flags']);
const scenarioName = values.scenario as ScenarioName;
if (!SCENARIO_NAMES.includes(scenarioName)) {
  usageError(
    'bench:probe',
    `--scenario: expected one of ${SCENARIO_NAMES.join(', ')}, received ${values.scenario}`,
  );
}
/** Upper bounds of --requests and --connections (beyond them the run would not finish, or not start). */
const MAX_REQUESTS = 10_000_000;
const MAX_CONNECTIONS = 1024;
const requests = Number(values.requests);
const connections = Number(values.connections);
if (!Number.isInteger(requests) || requests < 1 || requests > MAX_REQUESTS) {
  usageError(
    'bench:probe',
    `--requests: expected an integer in 1..${MAX_REQUESTS}, received ${values.requests}`,
  );
}
if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
  usageError(
    'bench:probe',
    `--connections: expected an integer in 1..${MAX_CONNECTIONS}, received ${values.connections}`,
  );
}
if (values.store !== 'memory' && values.store !== 'redis') {
  usageError('bench:probe', `--store: expected memory or redis, received ${values.store}`);
}
environmentOrExit('bench:probe');
const benchDir = benchDirOrExit('bench:probe', resolve(REPO_ROOT, values.dir));
const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);

const profileSince = Date.now();
const catalog = await catalogOrExit('bench:probe', values.catalog, benchDir);
const ids = sampleIds(catalog, 256);
const scenario = benchScenarios(ids.users, ids.items).find((s) => s.name === scenarioName)!;
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const redisPrefix = `recgate-probe-${process.pid}:`;
let redis: Redis | null = null;
if (values.store === 'redis') {
  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    usageError('bench:probe', `--store redis: Redis does not answer at ${redisUrl} (${String(error)})`);
  }
}
/** CPU seconds (user + system, all threads) of the Redis server so far, from `INFO cpu`. */
const redisCpuSeconds = async (): Promise<number> => {
  const info = await redis!.info('cpu');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
};
const server = await startBenchServer({
  ...serverFor(catalog, benchDir, 'probe'),
  nodeFlags,
  ...(profileDir === undefined ? {} : { cpuProfileDir: profileDir }),
  ...(redis === null
    ? {}
    : {
        env: {
          RECGATE_FEATURE_STORE: 'redis',
          RECGATE_EVENT_LOG: 'redis',
          RECGATE_REDIS_PREFIX: redisPrefix,
          RECGATE_EVENT_STREAM: `${redisPrefix}events`,
          REDIS_URL: redisUrl,
        },
      }),
}).catch(async (error: unknown) => {
  if (redis !== null) {
    await deleteKeysByPrefix(redis, redisPrefix);
    redis.disconnect();
  }
  throw error;
});
// Read before any request: the model, index and stores alone (issue #6's "when ready").
const atReady = server.memory();
// The server's own reading at the same moment: where the RSS when ready is (V8 heap against buffers).
const readyMemory = (await server.stats()).memory;
try {
  const send = (i: number): Promise<void> => sendScenarioRequest(server.url, scenario, i);
  for (let i = 0; i < 50; i++) await send(i);
  await server.reset();
  const before = await server.stats();
  const redisBefore = redis === null ? 0 : await redisCpuSeconds();
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < requests) await send(next++);
    }),
  );
  const wallMs = performance.now() - began;
  const after = await server.stats();
  const redisCpuMs = redis === null ? 0 : ((await redisCpuSeconds()) - redisBefore) * 1000;
  const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
  const line = (label: string, value: string): void =>
    void process.stdout.write(`${label.padEnd(30)} ${value}\n`);
  line(
    'catalog / scenario / store',
    `${catalog.name} (${catalog.items} items) / ${scenario.name} / ${values.store}`,
  );
  line('index / item vectors', `${server.index} / ${server.vectorPrecision}`);
  line('requests, connections', `${requests}, ${connections}`);
  line('requests/s', ((requests / wallMs) * 1000).toFixed(1));
  line('wall ms per request', (wallMs / requests).toFixed(2));
  line('server CPU ms per request', (cpuMs / requests).toFixed(2));
  line(
    '  user / system',
    `${((after.cpu.user - before.cpu.user) / 1000 / requests).toFixed(2)} / ${((after.cpu.system - before.cpu.system) / 1000 / requests).toFixed(2)}`,
  );
  if (after.pageFaults !== undefined && before.pageFaults !== undefined)
    line(
      'server page faults per request',
      ((after.pageFaults.minor - before.pageFaults.minor) / requests).toFixed(1),
    );
  if (redis !== null) line('redis CPU ms per request', (redisCpuMs / requests).toFixed(2));
  line(
    'event-loop delay p50 / p99 ms',
    `${after.eventLoopDelay.p50.toFixed(1)} / ${after.eventLoopDelay.p99.toFixed(1)}`,
  );
  const mb = (bytes: number | undefined): string =>
    bytes === undefined ? 'n/a' : String(Math.round(bytes / 1e6));
  line(
    'ready s',
    `${server.readySeconds.toFixed(1)} in process, ${server.spawnToReadySeconds.toFixed(1)} from spawn`,
  );
  line('RSS when ready MB', `${mb(atReady?.rss)} (start-up peak ${mb(atReady?.peakRss)})`);
  line('peak RSS MB', mb(server.memory()?.peakRss));
  const memoryLine = (m: NodeJS.MemoryUsage): string =>
    `${mb(m.rss)} / ${mb(m.heapUsed)} used of ${mb(m.heapTotal)} / ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`;
  line('ready: RSS / heap / external MB', memoryLine(readyMemory));
  line('after: RSS / heap / external MB', memoryLine(after.memory));
  const paging = after.pagingCache ?? null;
  if (paging !== null)
    line(
      'paging cache lists / MB',
      `${paging.lists} / ${mb(paging.bytes)}${paging.lists > 0 ? ` (${(paging.bytes / paging.lists / 1e3).toFixed(1)} KB per list)` : ''}`,
    );
  for (const s of after.stages) {
    line(
      `  ${s.surface} ${s.stage}`,
      `mean ${s.mean.toFixed(3)}  p50 ${s.p50.toFixed(3)}  (${s.meanIn.toFixed(0)} → ${s.meanOut.toFixed(0)})`,
    );
  }
} finally {
  await server.stop();
  if (redis !== null) {
    await deleteKeysByPrefix(redis, redisPrefix);
    redis.disconnect();
  }
}
if (profileDir !== undefined) {
  // The server's main thread writes the largest profile; older runs' files in the same folder are skipped.
  const file = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile') && statSync(join(profileDir, f)).mtimeMs >= profileSince)
    .sort((a, b) => statSync(join(profileDir, b)).size - statSync(join(profileDir, a)).size)[0];
  if (file !== undefined) {
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    process.stdout.write(`\nCPU profile ${join(profileDir, file)}: top self time\n`);
    for (const f of summarizeCpuProfile(profile, 25, REPO_ROOT)) {
      process.stdout.write(
        `${(f.share * 100).toFixed(1).padStart(5)} %  ${f.ms.toFixed(0).padStart(6)} ms  ${f.function}\n`,
      );
    }
  }
}
