// About 330 lines, over the ~300 guideline: it is the one script that sequences a run (catalogs,
// ANN study, servers, scenarios, profile); each step it calls lives in its own module.
/**
 * `npm run bench`: the gateway benchmark of issue #6 (BENCHMARKS.md has the
 * results and what every number means).
 *
 * Prepares the catalogs (ml-latest-small trained from ../shared/data when it
 * exists; synthetic 10k / 100k / 1M from the seeded generator), measures the
 * ANN index against exact search, then for each catalog starts the gateway
 * in a child process (`benchServer.ts` compiled: it runs `npm run build`'s
 * dist/ with plain node, as `npm start` does, building it once per run
 * first) and drives it from this process:
 * autocannon (closed loop, in a worker thread) for requests/s at saturation,
 * an open-loop scheduler for latency at fixed offered rates, a `/healthz`
 * probe while `recommendations` saturates the server, the server's own stage
 * timings and CPU, and its peak RSS from /proc. Then a CPU profile of the
 * server under `recommendations` load (10k items), and `recommendations` on
 * two replicas at once (10k, then 1M items: saturation, and fixed rates sent
 * round robin). Prints Markdown, or JSON with `--json`.
 *
 * Options: `--quick` (10k items only, short runs: < 2 minutes, for CI smoke;
 * no thresholds), `--json`, `--catalogs a,b` (ml-latest-small, synthetic-10k,
 * synthetic-100k, synthetic-1m), `--seconds <n>` per load run (default 10;
 * quick 3), `--no-profile`, `--no-redis`, `--ann-only` (the ANN study, HNSW and
 * IVF-Flat against exact, on synthetic-100k and synthetic-1m or the catalogs
 * given, and nothing else), `--dir <folder>` (default var/bench:
 * registries, ANN graph cache, event logs, profiles, and `last-run.json`, the
 * JSON of the last full run; `last-quick-run.json` for `--quick`, `last-ann-run.json`
 * for `--ann-only`),
 * `--render <file.json>` (print a saved run as the Markdown report, and
 * nothing else), `--node-flags "…"` (more Node/V8 flags for every server). Progress goes to stderr.
 */
import { GATEWAY_DEFAULTS, configFromEnv } from '../config.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysByPrefix } from '../stores/redis/deleteKeysByPrefix.js';
import type { AnnStudyResult } from './annStudy.js';
import { annStudy } from './annStudy.js';
import { benchDirOrExit, environmentOrExit, helpOrContinue, parseOrExit, usageError } from './benchCli.js';
import type { PreparedCatalog, SkippedCatalog } from './benchCatalogs.js';
import { prepareCatalog, sampleIds } from './benchCatalogs.js';
import { formatReport, targetRows } from './benchReport.js';
import { savedRunProblem } from './benchResults.js';
import type {
  BenchResults,
  CatalogResult,
  RateResult,
  ReplicaSaturation,
  ScenarioResult,
} from './benchResults.js';
import type { BenchScenario, ScenarioName } from './benchScenarios.js';
import { benchScenarios } from './benchScenarios.js';
import type { BenchServer } from './benchServerProcess.js';
import { REPO_ROOT, startBenchServer } from './benchServerProcess.js';
import { ivfBenchCacheFile, ivfServedPrecision, nodeFlagsOption } from './probeTarget.js';
import { recgateSettings } from './recgateSettings.js';
import { summarizeCpuProfile } from './cpuProfileSummary.js';
import type { CpuProfile } from './cpuProfileSummary.js';
import { openLoop, probeLatency, saturate } from './loadDrivers.js';
import type { LoadTarget, ReplicaTarget } from './loadDrivers.js';

const USAGE = `npm run bench -- [options]   (BENCHMARKS.md explains every number)
  --quick              synthetic-10k only, short runs (< 2 minutes), for CI smoke use
  --json               print the results as JSON instead of Markdown
  --catalogs a,b       ml-latest-small, synthetic-10k, synthetic-100k, synthetic-1m (default: all)
  --seconds n          seconds per load run (default 10; 3 with --quick)
  --no-profile         skip the CPU profile
  --no-redis           skip the Redis feedback run
  --ann-only           only the ANN study (HNSW and IVF-Flat against exact search), on
                       synthetic-100k and synthetic-1m unless --catalogs says otherwise
  --dir folder         registries, ANN graph cache, event logs, profiles, JSON (default var/bench)
  --node-flags "…"     more Node/V8 flags for every server it starts, after SERVER_V8_FLAGS
                       (a later flag wins: --node-flags=--max-semi-space-size=64 to compare nurseries)
  --render file.json   print a saved run as the Markdown report, and nothing else
  --help               this text`;
helpOrContinue(USAGE);
const { values } = parseOrExit('bench', () =>
  parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      catalogs: { type: 'string' },
      seconds: { type: 'string' },
      'no-profile': { type: 'boolean', default: false },
      'no-redis': { type: 'boolean', default: false },
      'ann-only': { type: 'boolean', default: false },
      dir: { type: 'string', default: 'var/bench' },
      render: { type: 'string' },
      'node-flags': { type: 'string', default: '' },
    },
  }),
);
if (values.render !== undefined) {
  // Re-print a saved run (the JSON of --json or <dir>/last-run.json) as the Markdown report.
  if (!existsSync(values.render)) usageError('bench', `--render: no file at ${values.render}`);
  // A FIFO or device would block the read: only a regular file is read.
  if (!statSync(values.render).isFile())
    usageError('bench', `--render: ${values.render} is not a regular file`);
  let report: string;
  try {
    const saved: unknown = JSON.parse(readFileSync(values.render, 'utf8'));
    const problem = savedRunProblem(saved);
    if (problem !== null) throw new Error(problem);
    report = formatReport(saved as BenchResults);
  } catch (err) {
    usageError('bench', `--render: ${values.render} is not a saved run's JSON (${(err as Error).message})`);
  }
  process.stdout.write(report + '\n');
  process.exit(0);
}
const quick = values.quick;
const seconds = Number(values.seconds ?? (quick ? 3 : 10));
if (!(seconds > 0)) usageError('bench', `--seconds: expected a positive number, received ${values.seconds}`);
environmentOrExit('bench');
const benchDir = benchDirOrExit('bench', resolve(REPO_ROOT, values.dir));
const nodeFlags = nodeFlagsOption('bench', values['node-flags']);
const began = performance.now();
const log = (line: string): void =>
  void process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

/** Which scenarios, index and extras each catalog runs (full mode). */
const PLANS: Record<string, { scenarios: ScenarioName[]; index: 'exact' | 'ann' | 'ivf'; ann: boolean }> = {
  'ml-latest-small': {
    scenarios: ['recommendations', 'similarItems', 'feedbackBatch', 'typename'],
    index: 'exact',
    ann: false,
  },
  'synthetic-10k': {
    scenarios: ['recommendations', 'similarItems', 'feedbackBatch', 'typename'],
    index: 'exact',
    ann: quick,
  },
  'synthetic-100k': { scenarios: ['recommendations', 'similarItems'], index: 'exact', ann: true },
  // The gateway's default past RECGATE_ANN_MIN_ITEMS (IVF-Flat); the ANN study compares it with HNSW.
  'synthetic-1m': { scenarios: ['recommendations', 'similarItems'], index: 'ivf', ann: true },
};
const annOnly = values['ann-only'];
const defaultCatalogs = quick
  ? 'synthetic-10k'
  : annOnly
    ? 'synthetic-100k,synthetic-1m'
    : Object.keys(PLANS).join(',');
const catalogNames = (values.catalogs ?? defaultCatalogs).split(',');
for (const name of catalogNames)
  if (!Object.hasOwn(PLANS, name))
    usageError('bench', `--catalogs: unknown catalog ${name}; known: ${Object.keys(PLANS).join(', ')}`);

const loadAverageStart = os.loadavg();
mkdirSync(join(benchDir, 'events'), { recursive: true });
const annCache = (c: PreparedCatalog): string => join(benchDir, 'ann', `${c.modelName}-${c.version}.usearch`);
/** The IVF list cache the bench servers load: trained on the rows at the precision they keep. */
const ivfCache = (c: PreparedCatalog): string => ivfBenchCacheFile(benchDir, c, ivfServedPrecision());

const prepared: (PreparedCatalog | SkippedCatalog)[] = [];
for (const name of catalogNames) {
  const c = await prepareCatalog(name, benchDir, log);
  if ('skipped' in c) log(`${name}: skipped: ${c.skipped}`);
  prepared.push(c);
}
const ready = prepared.filter((c): c is PreparedCatalog => !('skipped' in c));

const ann: AnnStudyResult[] = [];
for (const c of ready.filter((x) => annOnly || PLANS[x.name]!.ann)) {
  const study = await annStudy(c, {
    queries: quick ? 50 : 1000,
    cacheFile: annCache(c),
    log,
    sweep: quick ? [128] : [256, 512, 768, 960, 1152, 1536, 2048],
    ivfCacheFile: ivfBenchCacheFile(benchDir, c, 'float32'),
    ivfSweep: quick ? [8] : [8, 32, 64],
    ivfStorage: configFromEnv(process.env).ivfStorage ?? GATEWAY_DEFAULTS.ivfStorage, // RECGATE_IVF_STORAGE, as the bench servers
    // The same lists trained on the rows rounded to binary16 (RECGATE_VECTOR_PRECISION=float16).
    ivfHalfCacheFile: ivfBenchCacheFile(benchDir, c, 'float16'),
  });
  log(`ANN ${c.name}: recall@100 ${study.recallAt100.toFixed(3)}, p99 ${study.annLatency.p99.toFixed(2)} ms`);
  if (study.ivfHalf !== undefined) {
    log(
      `IVF over float16 rows ${c.name}: recall@100 ${study.ivfHalf.recallAt100.toFixed(3)}, p99 ${study.ivfHalf.annLatency.p99.toFixed(2)} ms, item-vector recall@20 ${study.ivfHalf.itemRecallAt20?.toFixed(3)}`,
    );
  }
  if (study.ivf !== undefined) {
    log(
      `IVF ${c.name}: recall@100 ${study.ivf.recallAt100.toFixed(3)}, p99 ${study.ivf.annLatency.p99.toFixed(2)} ms, item-vector recall@20 ${study.ivf.itemRecallAt20?.toFixed(3)}`,
    );
  }
  ann.push(study);
}

const catalogs: (CatalogResult | SkippedCatalog)[] = prepared.filter(
  (c): c is SkippedCatalog => 'skipped' in c,
);
for (const c of annOnly ? [] : ready) {
  const plan = PLANS[c.name]!;
  catalogs.push(await runCatalog(c, plan.index, plan.scenarios, '', {}));
  if (c.name === 'synthetic-10k' && !quick && !values['no-redis']) {
    const redis = await redisVariant(c);
    if (redis !== null) catalogs.push(redis);
  }
}

let profile: BenchResults['profile'] = {
  skipped: quick
    ? 'not run with --quick'
    : annOnly
      ? 'not run with --ann-only'
      : 'disabled with --no-profile',
};
const tenK = ready.find((c) => c.name === 'synthetic-10k');
if (!quick && !annOnly && !values['no-profile']) {
  profile =
    tenK === undefined
      ? { skipped: 'synthetic-10k was not part of this run' }
      : await profileRecommendations(tenK);
}

let replicas: BenchResults['replicas'] = {
  skipped: quick
    ? 'not run with --quick'
    : annOnly
      ? 'not run with --ann-only'
      : 'synthetic-10k was not part of this run',
};
if (!quick && !annOnly && tenK !== undefined) replicas = await replicaRun(tenK, 2, 'exact');
const oneM = ready.find((c) => c.name === 'synthetic-1m');
let replicas1m: BenchResults['replicas1m'] = {
  skipped: quick
    ? 'not run with --quick'
    : annOnly
      ? 'not run with --ann-only'
      : 'synthetic-1m was not part of this run',
};
if (!quick && !annOnly && oneM !== undefined)
  replicas1m = await replicaRun(oneM, 2, PLANS['synthetic-1m']!.index);

const results: BenchResults = {
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageStart,
    loadAverageEnd: os.loadavg(),
  },
  // The RECGATE_* settings in the environment reach every server: the command names them.
  command: `${recgateSettings(process.env)}npm run bench --${process.argv.slice(2).length > 0 ? ' ' + process.argv.slice(2).join(' ') : ''}`,
  quick,
  startedAt: new Date(Date.now() - (performance.now() - began)).toISOString(),
  seconds: (performance.now() - began) / 1000,
  catalogs,
  ann,
  profile,
  targets: [],
  replicas,
  replicas1m,
};
const withTargets: BenchResults = { ...results, targets: targetRows(results) };
writeFileSync(
  join(benchDir, quick ? 'last-quick-run.json' : annOnly ? 'last-ann-run.json' : 'last-run.json'),
  JSON.stringify(withTargets, null, 2) + '\n',
);
process.stdout.write(
  values.json ? JSON.stringify(withTargets, null, 2) + '\n' : formatReport(withTargets) + '\n',
);

/** Starts a server for `c`, runs `names` and stops it. */
async function runCatalog(
  c: PreparedCatalog,
  index: 'exact' | 'ann' | 'ivf',
  names: readonly ScenarioName[],
  variant: string,
  env: Record<string, string>,
  cpuProfileDir?: string,
): Promise<CatalogResult> {
  log(`${c.name}${variant ? ` (${variant})` : ''}: starting the gateway (${index} index)`);
  const server = await startBenchServer({
    nodeFlags,
    registry: c.registry,
    modelName: c.modelName,
    index,
    ...(index === 'ann' ? { annCache: annCache(c) } : index === 'ivf' ? { annCache: ivfCache(c) } : {}),
    eventLog: join(benchDir, 'events', `${c.name}-${process.pid}-${Date.now()}.jsonl`),
    env,
    ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
  });
  log(
    `${c.name}: ready in ${server.readySeconds.toFixed(1)} s (${server.spawnToReadySeconds.toFixed(1)} s from spawn)`,
  );
  const atReady = server.memory();
  const ids = sampleIds(c, 256);
  const scenarios = benchScenarios(ids.users, ids.items).filter((s) => names.includes(s.name));
  const results: ScenarioResult[] = [];
  let memory: ReturnType<BenchServer['memory']>;
  try {
    for (const s of scenarios) results.push(await runScenario(server, s));
  } finally {
    memory = server.memory(); // VmHWM must be read before the process exits
    await server.stop();
  }
  return {
    name: c.name,
    items: c.items,
    index: server.index,
    vectorPrecision: server.vectorPrecision,
    version: c.version,
    variant,
    origin: c.origin,
    coldStart: {
      spawnToReadySeconds: server.spawnToReadySeconds,
      readySeconds: server.readySeconds,
      annGraph: server.annOrigin,
    },
    peakRssBytes: memory?.peakRss ?? null,
    atReady: atReady === null ? null : { rssBytes: atReady.rss, peakRssBytes: atReady.peakRss },
    scenarios: results,
  };
}

/** Warm-up, saturation (with the /healthz probe for recommendations), then each fixed rate. */
async function runScenario(server: BenchServer, s: BenchScenario): Promise<ScenarioResult> {
  const target = { url: server.url, bodies: s.bodies };
  const connections = 8;
  log(`  ${s.name}: warm-up, then ${seconds} s at saturation (${connections} connections)`);
  await saturate(target, { connections: 4, seconds: quick ? 1 : 3 });
  await server.reset();
  const before = (await server.stats()).cpu;
  const run = saturate(target, { connections, seconds });
  const healthz =
    s.name === 'recommendations'
      ? await probeLatency(server.url.replace(/\/graphql$/, '/healthz'), 50, run)
      : null;
  const sat = await run;
  const after = await server.stats();
  const cpuMs = (after.cpu.user + after.cpu.system - before.user - before.system) / 1000;
  // The scenario's fixed rates, plus half the saturation throughput: a load every server here sustains.
  const serverCpuMs = async (): Promise<number> => {
    const { cpu } = await server.stats();
    return (cpu.user + cpu.system) / 1000;
  };
  const rates = await fixedRates(
    target,
    quick ? s.rates.slice(0, 1) : s.rates,
    sat.requestsPerSecond,
    serverCpuMs,
    `  ${s.name}`,
  );
  log(
    `  ${s.name}: ${Math.round(sat.requestsPerSecond)} req/s, p99 ${sat.latency.p99} ms, ${(cpuMs / Math.max(1, sat.completed)).toFixed(2)} CPU ms/req`,
  );
  return {
    name: s.name,
    description: s.description,
    saturation: {
      connections,
      seconds: sat.seconds,
      requestsPerSecond: sat.requestsPerSecond,
      unitsPerSecond: sat.requestsPerSecond * s.unitsPerRequest,
      latency: sat.latency,
      failures: sat.failures,
      cpuMsPerRequest: cpuMs / Math.max(1, sat.completed),
      eventLoopDelay: after.eventLoopDelay,
    },
    rates,
    stages: after.stages,
    healthz,
  };
}

/** feedbackBatch on the Redis feature store and event log (a private key prefix, deleted afterwards), when Redis answers. */
async function redisVariant(c: PreparedCatalog): Promise<CatalogResult | null> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    log(`Redis does not answer at ${url}: the Redis feedback run is skipped`);
    redis.disconnect();
    return null;
  }
  const prefix = `recgate-bench-${process.pid}:`;
  try {
    return await runCatalog(c, 'exact', ['feedbackBatch'], 'redis', {
      RECGATE_FEATURE_STORE: 'redis',
      RECGATE_EVENT_LOG: 'redis',
      RECGATE_REDIS_PREFIX: prefix,
      RECGATE_EVENT_STREAM: `${prefix}events`,
      REDIS_URL: url,
    });
  } finally {
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  }
}

/**
 * Open-loop runs of `seconds` each at `fixed` rates and at half of
 * `saturation` (req/s), in increasing order; a rate above 1.1 × saturation is
 * skipped (its queue would only grow). `cpuMs` reads the servers' total CPU
 * (ms) before and after each run, for CPU per completed request.
 */
async function fixedRates(
  target: LoadTarget | ReplicaTarget,
  fixed: readonly number[],
  saturation: number,
  cpuMs: () => Promise<number>,
  label: string,
): Promise<RateResult[]> {
  const rates: RateResult[] = [];
  const half = Math.max(1, Math.round(saturation / 2));
  for (const rate of [...new Set([half, ...fixed])].sort((a, b) => a - b)) {
    if (rate > 1.1 * saturation) {
      rates.push({ rate, skipped: `above the ${Math.round(saturation)} req/s saturation throughput` });
      continue;
    }
    log(`${label}: ${seconds} s at ${rate} req/s (open loop${'urls' in target ? ', round robin' : ''})`);
    const c0 = await cpuMs();
    const r = await openLoop(target, { rate, seconds });
    rates.push({
      rate,
      achieved: r.requestsPerSecond,
      latency: r.latency,
      ...(r.schedulerLag === undefined ? {} : { schedulerLag: r.schedulerLag }),
      failures: r.failures,
      cpuMsPerRequest: ((await cpuMs()) - c0) / Math.max(1, r.completed),
    });
  }
  return rates;
}

/**
 * `recommendations` on `n` servers at once (one replica per core,
 * docs/operations.md). Saturation: each replica driven by its own autocannon
 * worker with 4 connections, after a warm-up; requests/s are summed and CPU is
 * the servers' total per completed request. Then latency at the scenario's
 * fixed offered rates and at half the summed saturation throughput, open
 * loop, request i sent to replica i mod n (as a round-robin balancer would),
 * each rate above 1.1 × saturation skipped as in a single-server run. The
 * servers use the memory store, as the single-server run does (read-only
 * load: their states do not diverge); `index` and its cache as for that
 * catalog's single server.
 */
async function replicaRun(
  c: PreparedCatalog,
  n: number,
  index: 'exact' | 'ann' | 'ivf',
): Promise<ReplicaSaturation> {
  log(`${c.name}: ${n} replicas (${index} index), recommendations at saturation and at fixed rates`);
  const servers: BenchServer[] = [];
  try {
    for (let i = 0; i < n; i++) {
      servers.push(
        await startBenchServer({
          nodeFlags,
          registry: c.registry,
          modelName: c.modelName,
          index,
          ...(index === 'ann' ? { annCache: annCache(c) } : index === 'ivf' ? { annCache: ivfCache(c) } : {}),
          eventLog: join(benchDir, 'events', `${c.name}-replica${i}-${process.pid}-${Date.now()}.jsonl`),
        }),
      );
    }
    const ids = sampleIds(c, 256);
    const s = benchScenarios(ids.users, ids.items).find((x) => x.name === 'recommendations')!;
    const connections = 4;
    await Promise.all(
      servers.map((sv) => saturate({ url: sv.url, bodies: s.bodies }, { connections, seconds: 3 })),
    );
    const cpuOf = async (): Promise<number> => {
      let ms = 0;
      for (const st of await Promise.all(servers.map((sv) => sv.stats())))
        ms += (st.cpu.user + st.cpu.system) / 1000;
      return ms;
    };
    const before = await cpuOf();
    const runs = await Promise.all(
      servers.map((sv) => saturate({ url: sv.url, bodies: s.bodies }, { connections, seconds })),
    );
    const cpuMs = (await cpuOf()) - before;
    const completed = runs.reduce((sum, r) => sum + r.completed, 0);
    const total = runs.reduce((sum, r) => sum + r.requestsPerSecond, 0);
    const target = { urls: servers.map((sv) => sv.url), bodies: s.bodies };
    const rates = await fixedRates(target, s.rates, total, cpuOf, `  ${n} replicas`);
    const result: ReplicaSaturation = {
      catalog: c.name,
      index,
      replicas: n,
      connectionsPerReplica: connections,
      seconds,
      requestsPerSecond: total,
      perReplica: runs.map((r) => ({ requestsPerSecond: r.requestsPerSecond, latency: r.latency })),
      cpuMsPerRequest: cpuMs / Math.max(1, completed),
      rates,
    };
    log(
      `  ${n} replicas: ${Math.round(result.requestsPerSecond)} req/s, ${result.cpuMsPerRequest.toFixed(2)} CPU ms/req`,
    );
    return result;
  } finally {
    await Promise.all(servers.map((sv) => sv.stop()));
  }
}

/** A server with --cpu-prof under recommendations saturation; summarises its profile. */
async function profileRecommendations(c: PreparedCatalog): Promise<BenchResults['profile']> {
  const dir = join(benchDir, 'profiles', `${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  log(`CPU profile: ${c.name} under recommendations load`);
  const server = await startBenchServer({
    nodeFlags,
    registry: c.registry,
    modelName: c.modelName,
    index: 'exact',
    eventLog: join(benchDir, 'events', `profile-${process.pid}.jsonl`),
    cpuProfileDir: dir,
  });
  const ids = sampleIds(c, 256);
  const s = benchScenarios(ids.users, ids.items).find((x) => x.name === 'recommendations')!;
  await saturate({ url: server.url, bodies: s.bodies }, { connections: 8, seconds });
  await server.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) return { skipped: `no .cpuprofile was written to ${dir}` };
  const top = summarizeCpuProfile(
    JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
    25,
    REPO_ROOT,
  );
  rmSync(join(benchDir, 'events', `profile-${process.pid}.jsonl`), { force: true });
  return { catalog: c.name, file: join(dir, file).replace(REPO_ROOT, ''), top };
}
