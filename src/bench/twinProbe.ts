/**
 * `npm run bench:twin -- --baseline <checkout>`: the server CPU per
 * `recommendations` call of this checkout against another one (say the
 * commit before a change), measured in ONE server process
 * (src/bench/twinServer.ts) that serves both builds over the same catalog.
 * Requests go to one build at a time, in alternating batches (the order
 * swapped every round), and the process's CPU time (`process.cpuUsage`, all
 * threads) over each batch is that build's. On a shared 2-core host two
 * separate `bench:probe` runs differ by ±10 % between minutes; alternating
 * batches in one process puts that drift on both builds alike (BENCHMARKS.md
 * shows an A/A run: one checkout against itself).
 *
 * Builds this checkout's `dist/` first; the baseline must have been built
 * (`npm ci && npm run build` there). Sends 200 warm-up requests to each
 * build, then `--rounds` rounds of `--batch` requests per build on
 * `--connections` keep-alive connections, and prints the mean CPU ms per
 * call of each build, the ratio of the means (this / baseline), and the
 * median and quartiles of the per-round ratios. Catalogs are prepared as
 * `npm run bench` prepares them; `RECGATE_*` settings in the environment
 * reach both gateways (e.g. `RECGATE_VECTOR_PRECISION=float16`; at 1M items
 * each builds or loads its IVF lists from `RECGATE_ANN_CACHE_DIR`).
 *
 * Options: `--baseline` (required), `--catalog` (default synthetic-10k),
 * `--rounds` (default 30), `--batch` (default 300), `--connections`
 * (default 4), `--dir` (default var/bench). A non-200 answer or a GraphQL
 * error stops the run with that body.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDistOnce } from '../build/buildDist.js';
import { sampleIds } from './benchCatalogs.js';
import { benchDirOrExit, environmentOrExit, helpOrContinue, parseOrExit, usageError } from './benchCli.js';
import { benchScenarios } from './benchScenarios.js';
import { REPO_ROOT, SERVER_NODE_FLAGS, SERVER_V8_FLAGS, serverEnv } from './benchServerProcess.js';
import { catalogOrExit, sendScenarioRequest, serverFor } from './probeTarget.js';

const COMMAND = 'bench:twin';
const USAGE = `npm run ${COMMAND} -- --baseline <checkout> [options]   CPU per call, this build against another, in one process
  --baseline dir       another checkout of recgate, built (npm ci && npm run build there)
  --catalog name       ml-latest-small, synthetic-10k (default), synthetic-100k, synthetic-1m
  --rounds n           rounds of one batch per build, the order swapped every round (default 30)
  --batch n            recommendations requests per batch (default 300)
  --connections n      keep-alive connections, each waiting for its answer (default 4)
  --dir folder         catalogs and event logs, as npm run bench (default var/bench)
  --help               this text`;
helpOrContinue(USAGE);
const { values } = parseOrExit(COMMAND, () =>
  parseArgs({
    options: {
      baseline: { type: 'string' },
      catalog: { type: 'string', default: 'synthetic-10k' },
      rounds: { type: 'string', default: '30' },
      batch: { type: 'string', default: '300' },
      connections: { type: 'string', default: '4' },
      dir: { type: 'string', default: 'var/bench' },
    },
  }),
);

/** `raw` as an integer in 1..max, else a usage error naming `option`. */
function intOption(option: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    usageError(COMMAND, `--${option}: expected an integer in 1..${max}, received ${raw}`);
  }
  return n;
}
const rounds = intOption('rounds', values.rounds, 10_000);
const batch = intOption('batch', values.batch, 1_000_000);
const connections = intOption('connections', values.connections, 1024);
if (values.baseline === undefined) usageError(COMMAND, '--baseline: the other checkout is required');
const baseline = resolve(values.baseline);
if (resolve(baseline) === resolve(REPO_ROOT)) {
  // One module graph would serve both gateways: not two builds, and not even an A/A control.
  usageError(
    COMMAND,
    `--baseline: ${baseline} is this checkout; for an A/A run (the noise of the measurement) make a second clone (git clone . ../recgate-aa, then npm ci && npm run build there) and pass that`,
  );
}
if (!existsSync(join(baseline, 'dist', 'src', 'services', 'createGateway.js'))) {
  usageError(
    COMMAND,
    `--baseline: ${baseline} has no built gateway (dist/src/services/createGateway.js); run npm ci && npm run build there`,
  );
}
environmentOrExit(COMMAND);
const benchDir = benchDirOrExit(COMMAND, resolve(REPO_ROOT, values.dir));
const catalog = await catalogOrExit(COMMAND, values.catalog, benchDir);
await buildDistOnce();
const target = serverFor(catalog, benchDir, 'twin');
const ids = sampleIds(catalog, 256);
const scenario = benchScenarios(ids.users, ids.items).find((s) => s.name === 'recommendations')!;

/** The load average, 1/5/15 minutes, for the report. */
const loadAverage = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
const loadAtStart = loadAverage();

/** The short commit a checkout is at (with `+` when its work tree has changes), or `unknown` without git. */
function commitOf(dir: string): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', dir, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain').length > 0 ? '+' : '');
  } catch {
    return 'unknown commit';
  }
}

const child = spawn(
  process.execPath,
  [
    ...SERVER_NODE_FLAGS,
    ...SERVER_V8_FLAGS,
    'dist/src/bench/twinServer.js',
    '--registry',
    target.registry,
    '--model-name',
    target.modelName,
    '--tree',
    baseline,
    '--tree',
    REPO_ROOT,
    '--event-log-prefix',
    target.eventLog.replace(/\.jsonl$/, ''),
  ],
  {
    cwd: REPO_ROOT,
    env: { ...serverEnv(), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let output = '';
child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
const ready = await new Promise<{ urls: [string, string]; cpuUrl: string }>((resolveReady, reject) => {
  const onData = (): void => {
    const line = /^TWIN_READY (.*)$/m.exec(output)?.[1];
    if (line === undefined) return;
    child.stdout.off('data', onData);
    resolveReady(JSON.parse(line) as { urls: [string, string]; cpuUrl: string });
  };
  child.stdout.on('data', onData);
  child.once('close', (code) =>
    reject(new Error(`twin server exited with ${code} before serving:\n${output}`)),
  );
});

try {
  const cpuMicros = async (): Promise<number> =>
    ((await (await fetch(ready.cpuUrl)).json()) as { cpu: number }).cpu;
  let sent = 0;
  /** `n` requests to `url` on the connections; resolves when all are answered. */
  const send = async (url: string, n: number): Promise<void> => {
    let left = n;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (left > 0) {
          left--;
          await sendScenarioRequest(url, scenario, sent++);
        }
      }),
    );
  };
  for (const url of ready.urls) await send(url, 200);
  const perCall: [number[], number[]] = [[], []];
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const before = await cpuMicros();
      await send(ready.urls[k]!, batch);
      perCall[k]!.push((await cpuMicros()) - before);
    }
    process.stderr.write(`\rround ${r + 1}/${rounds}`);
  }
  process.stderr.write('\n');
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length / batch / 1000;
  const ratios = perCall[1].map((b, r) => b / perCall[0][r]!).sort((a, b) => a - b);
  const quantile = (q: number): number => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))]!;
  const line = (label: string, value: string): void =>
    void process.stdout.write(`${label.padEnd(34)} ${value}\n`);
  line('catalog', `${catalog.name} (${catalog.items} items)`);
  line('rounds × batch, connections', `${rounds} × ${batch}, ${connections}`);
  line('load average at start / end', `${loadAtStart} / ${loadAverage()} (1/5/15 min)`);
  line('baseline CPU ms per call', `${mean(perCall[0]).toFixed(3)}  (${baseline}, ${commitOf(baseline)})`);
  line(
    'this checkout CPU ms per call',
    `${mean(perCall[1]).toFixed(3)}  (${REPO_ROOT}, ${commitOf(REPO_ROOT)})`,
  );
  line(
    'this / baseline, ratio of means',
    `${(mean(perCall[1]) / mean(perCall[0])).toFixed(3)}  (below 1: this checkout uses less CPU per call)`,
  );
  line(
    'per-round ratio, median (25–75 %)',
    `${quantile(0.5).toFixed(3)} (${quantile(0.25).toFixed(3)}–${quantile(0.75).toFixed(3)})`,
  );
} finally {
  child.kill('SIGTERM');
}
