/**
 * `npm run bench:tail`: where an open-loop latency tail comes from. Starts the
 * bench server (`benchServer.ts`, as `npm run bench` does) with V8's
 * `--trace-gc` and `--trace-incremental-marking`, sends `recommendations` requests at a fixed `--rate` for
 * `--seconds` (open loop: each request is sent at its scheduled time, whether
 * or not earlier ones were answered, and its latency counts from that time),
 * and prints the latency quantiles, the requests over 100 ms, the scavenges'
 * pause quantiles (p50 / p99 / max, from the `--trace-gc` lines), and every major
 * GC (mark-compact) of the server during the run with its pause and the heap
 * before and after it; with the start times of the slow requests and of the
 * major GCs (seconds into the run) so the two can be lined up, and for each
 * major GC what V8 says started its marking (e.g. `external memory pressure`).
 *
 * Options: `--catalog` (default synthetic-1m; any of `npm run bench`'s),
 * `--rate` req/s (default 100), `--seconds` (default 30), `--dir` (default
 * var/bench), `--node-flags` (more Node/V8 flags for the server, space-separated,
 * e.g. `--heap-growing-percent=300`; default none). `RECGATE_*` settings in the environment reach the server (e.g.
 * `RECGATE_RANKING_REFRESH_MS`). Catalogs are prepared as `npm run bench` does.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleIds } from './benchCatalogs.js';
import { benchDirOrExit, environmentOrExit, helpOrContinue, parseOrExit, usageError } from './benchCli.js';
import { benchScenarios } from './benchScenarios.js';
import { REPO_ROOT, startBenchServer } from './benchServerProcess.js';
import { catalogOrExit, nodeFlagsOption, sendScenarioRequest, serverFor } from './probeTarget.js';

const USAGE = `npm run bench:tail -- [options]   open-loop latency tail against the server's major GCs
  --catalog name       ml-latest-small, synthetic-10k, synthetic-100k, synthetic-1m (default)
  --rate n             requests/s, sent on schedule (default 100)
  --seconds n          length of the run (default 30)
  --dir folder         catalogs and event logs, as npm run bench (default var/bench)
  --node-flags="…"    more Node/V8 flags for the server, space-separated (default none)
  --help               this text`;
helpOrContinue(USAGE);
const { values } = parseOrExit('bench:tail', () =>
  parseArgs({
    options: {
      catalog: { type: 'string', default: 'synthetic-1m' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '30' },
      dir: { type: 'string', default: 'var/bench' },
      'node-flags': { type: 'string', default: '' },
    },
  }),
);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (!(rate > 0 && rate <= 5000))
  usageError('bench:tail', `--rate: expected 0 < n ≤ 5000, received ${values.rate}`);
if (!(seconds > 0 && seconds <= 3600))
  usageError('bench:tail', `--seconds: expected 0 < n ≤ 3600, received ${values.seconds}`);
const extraFlags = nodeFlagsOption('bench:tail', values['node-flags']);
environmentOrExit('bench:tail');
const benchDir = benchDirOrExit('bench:tail', resolve(REPO_ROOT, values.dir));
const catalog = await catalogOrExit('bench:tail', values.catalog, benchDir);
const ids = sampleIds(catalog, 256);
const scenario = benchScenarios(ids.users, ids.items).find((s) => s.name === 'recommendations')!;
const server = await startBenchServer({
  ...serverFor(catalog, benchDir, 'tail'),
  nodeFlags: ['--trace-gc', '--trace-incremental-marking', ...extraFlags],
});
/**
 * A `--trace-gc` line: ms since the isolate started, kind, heap MB before →
 * after, pause ms, and for a major GC the main thread's incremental marking
 * steps before that pause (ms, 0 when none) and the wall time since marking began (ms).
 */
interface GcLine {
  readonly isolateMs: number;
  readonly major: boolean;
  readonly before: number;
  readonly after: number;
  readonly pauseMs: number;
  readonly stepsMs: number;
  readonly markingWallMs: number;
  /**
   * What V8 says of it: `reduce GC` for a memory reducer's GC (V8 prints `Mark-Compact (reduce)`),
   * then what started it (e.g. `finalize incremental marking via task; GC in old space requested`);
   * '' when not printed.
   */
  readonly reason: string;
}
const gcLines = (): GcLine[] =>
  [
    ...server
      .output()
      .matchAll(
        /(\d+) ms: (Scavenge|Mark-Compact|Mark-Sweep)(?: \(([^)]*)\))?[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \/[^(\n]*(?:\(\+ ([\d.]+) ms in \d+ steps[^)]*walltime since start of marking ([\d.]+) ms\))?(?:[^\n]*current mu = [\d.]+\) ([^\n]*))?/g,
      ),
  ]
    .map((m) => ({
      isolateMs: Number(m[1]),
      major: m[2] !== 'Scavenge',
      before: Number(m[4]),
      after: Number(m[5]),
      pauseMs: Number(m[6]),
      stepsMs: Number(m[7] ?? 0),
      markingWallMs: Number(m[8] ?? 0),
      reason: [m[3] === undefined ? '' : `${m[3]} GC`, (m[9] ?? '').trim()]
        .filter((r) => r !== '')
        .join('; '),
    }))
    // The main isolate's heap, not a loader thread's small one (tsx's, when run from the sources).
    .filter((g) => g.before >= 64 || g.after >= 64);
/**
 * Why V8 began the marking that a major GC at isolate time `ms` finished: the
 * reason of the last `[IncrementalMarking] Start (<reason>)` line of the main
 * isolate (a heap of at least 64 MB) at or before `ms`, e.g. `external memory
 * pressure` or `memory reducer`; '' when there is none (a GC without incremental marking).
 */
const markingStartedBy = (ms: number): string => {
  let reason = '';
  for (const m of server
    .output()
    .matchAll(/(\d+) ms: \[IncrementalMarking\] Start \(([^)]*)\): \(size\/limit\/slack\) v8: (\d+)MB/g)) {
    if (Number(m[3]) < 64) continue; // a loader thread's isolate: its own clock
    if (Number(m[1]) > ms) break;
    reason = m[2]!;
  }
  return reason;
};
/** The p-quantile of ascending `sorted` (nearest rank below), to one decimal. */
const quantile = (sorted: readonly number[], p: number): string =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);
/** `p50 / p99 / max` of the pauses of `gcs` in ms (one decimal), or `– / – / –` when there are none. */
const pauseQuantiles = (gcs: readonly GcLine[]): string => {
  if (gcs.length === 0) return '– / – / –';
  const pauses = gcs.map((g) => g.pauseMs).sort((a, b) => a - b);
  return `${quantile(pauses, 0.5)} / ${quantile(pauses, 0.99)} / ${quantile(pauses, 1)}`;
};
/** `; marking started by: <reason>`, or '' without one. */
const startedBy = (reason: string): string => (reason === '' ? '' : `; marking started by: ${reason}`);
try {
  const send = (i: number): Promise<void> => sendScenarioRequest(server.url, scenario, i);
  for (let i = 0; i < 200; i++) await send(i);
  const seen = gcLines().length;
  const gcCountBefore = gcLines().filter((g) => g.major).length;
  const t0 = performance.now();
  // When each GC line appeared in the server's output (polled every 10 ms), in seconds into the run.
  const appeared: number[] = [];
  const poll = setInterval(() => {
    const n = gcLines().length - seen;
    while (appeared.length < n) appeared.push((performance.now() - t0) / 1000);
  }, 10);
  const latencies: { at: number; ms: number }[] = [];
  const inflight: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(send(i).then(() => void latencies.push({ at: due - t0, ms: performance.now() - due })));
    if (i % Math.max(1, Math.round(rate * 5)) === 0)
      process.stderr.write(`[${((due - t0) / 1000).toFixed(0)} s] …\n`);
  }
  await Promise.all(inflight);
  clearInterval(poll);
  const ms = latencies.map((l) => l.ms).sort((a, b) => a - b);
  const q = (p: number): string => quantile(ms, p);
  const slow = latencies.filter((l) => l.ms > 100).sort((a, b) => a.at - b.at);
  const during = gcLines()
    .slice(seen)
    .map((g, k) => ({ ...g, at: appeared[k] ?? seconds }));
  const majors = during.filter((g) => g.major);
  process.stdout.write(
    [
      `catalog / rate / length          ${catalog.name} / ${rate} req/s / ${seconds} s (open loop)`,
      `latency p50 / p90 / p99 / max ms  ${q(0.5)} / ${q(0.9)} / ${q(0.99)} / ${ms.at(-1)!.toFixed(1)}`,
      `requests over 100 ms              ${slow.length} of ${ms.length}` +
        (slow.length > 0
          ? `, sent at ${slow
              .slice(0, 40)
              .map((l) => (l.at / 1000).toFixed(2))
              .join(' ')}${slow.length > 40 ? ' …' : ''} s`
          : ''),
      `scavenges / major GCs in the run  ${during.length - majors.length} / ${majors.length} (${gcCountBefore} major before it)`,
      `scavenge pauses p50 / p99 / max   ${pauseQuantiles(during.filter((g) => !g.major))} ms`,
      `peak RSS MB                       ${((server.memory()?.peakRss ?? NaN) / 1e6).toFixed(0)}`,
      ...majors.map(
        (g) =>
          `  major GC ended at about ${g.at.toFixed(2)} s: heap ${g.before} -> ${g.after} MB, final pause ${g.pauseMs} ms, ` +
          `marking steps on the main thread ${g.stepsMs} ms over ${g.markingWallMs} ms` +
          (g.reason === '' ? '' : ` (${g.reason})`) +
          startedBy(markingStartedBy(g.isolateMs)),
      ),
    ].join('\n') + '\n',
  );
} finally {
  await server.stop();
}
