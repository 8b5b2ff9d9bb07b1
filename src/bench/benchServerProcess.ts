import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { sep } from 'node:path';
import { buildDistOnce } from '../build/buildDist.js';
import { PACKAGE_ROOT } from '../paths/packageRoot.js';
import type { StageSummary } from './stageStats.js';
import type { ProcMemory } from './procStatus.js';
import { readProcMemory } from './procStatus.js';

/**
 * The V8 flags every start command of `recgate serve` passes (package.json,
 * bin/recgate.js, docker/Dockerfile), in this order; docs/operations.md says why.
 */
export const SERVER_V8_FLAGS: readonly string[] = [
  '--max-semi-space-size=16',
  '--no-allocation-site-pretenuring',
];

/**
 * The Node (not V8) flags every start command of `recgate serve` passes
 * before {@link SERVER_V8_FLAGS}: `--enable-source-maps`, so stack traces of
 * the compiled dist/ name the `.ts` files and lines (measured at no CPU per
 * request the runs could show, ~5 MB RSS; docs/operations.md, "Running the build").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--enable-source-maps'];

/**
 * The environment every start command of `recgate serve` sets unless the
 * caller set it (package.json, bin/recgate.js, docker/Dockerfile):
 * `MALLOC_MMAP_THRESHOLD_` 4 MiB, glibc malloc's mmap threshold fixed
 * (mallopt(3) M_MMAP_THRESHOLD; glibc's default starts at 128 KiB and rises
 * with every larger block freed, up to 32 MiB). Blocks of 4 MiB or more (the
 * model's columns, the loader's growing and trimmed arrays) then live in
 * their own mappings and go back to the OS when freed, instead of leaving
 * holes in the main heap that RSS keeps (issue #6: at 1M items, RSS when
 * ready 511–514 → 471–474 MB, peak 613 → 578 MB in `bench:probe`;
 * docs/operations.md, "Starting it"). No effect where the C library is not glibc.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '4194304',
});

/**
 * This process's environment with {@link SERVER_ENV} for every variable it
 * leaves unset or empty (an empty `MALLOC_MMAP_THRESHOLD_` would be read by
 * glibc as 0: every allocation its own mapping, a start of ~17 s), as the
 * npm scripts' `${VAR:-default}` and bin/recgate.js do.
 */
export function serverEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(SERVER_ENV)) if (!out[name]) out[name] = value;
  return out;
}

/** Repository root ({@link PACKAGE_ROOT}), with a trailing separator. */
export const REPO_ROOT = PACKAGE_ROOT + sep;

/**
 * The bench server script the bench runs, relative to {@link REPO_ROOT}: the
 * compiled build of `src/bench/benchServer.ts`, run by plain `node` as
 * `npm start` runs `dist/src/cli.js`, so the bench measures what production
 * runs (no tsx loader thread: ~45 MB RSS less when ready, docs/operations.md).
 */
export const BENCH_SERVER_SCRIPT = 'dist/src/bench/benchServer.js';

/** Options of {@link startBenchServer}. */
export interface BenchServerOptions {
  readonly registry: string;
  readonly modelName: string;
  /** `exact` (the gateway's ExactVectorIndex), `ann` (UsearchVectorIndex) or `ivf` (IvfVectorIndex). */
  readonly index: 'exact' | 'ann' | 'ivf';
  /** Cache file of the `ann` graph or the `ivf` lists (see the indexes' `cacheFile` options). @default none */
  readonly annCache?: string;
  /** The gateway's event log file (fresh per run keeps replay out of start-up). */
  readonly eventLog: string;
  /** Write a V8 CPU profile (`node --cpu-prof`) into this folder when the process exits. @default none */
  readonly cpuProfileDir?: string;
  /** Extra environment (RECGATE_* settings; the server runs with NODE_ENV=production unless this sets it). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** More Node or V8 flags for the server process (e.g. `--trace-gc`), before the script. @default [] */
  readonly nodeFlags?: readonly string[];
  /** Give up waiting for BENCH_READY after this long, in ms. @default 900000 */
  readonly timeoutMs?: number;
}

/** What the bench server's `GET /stats` answers (see benchServer.ts). */
export interface BenchServerStats {
  /** process.cpuUsage() of the server: µs of user and system CPU since it started. */
  readonly cpu: { readonly user: number; readonly system: number };
  /**
   * Page faults of the server since it started (process.resourceUsage: minor = no disk
   * read, major = read from disk), all its threads. Absent from servers built before it.
   */
  readonly pageFaults?: { readonly minor: number; readonly major: number };
  readonly memory: NodeJS.MemoryUsage;
  readonly stages: readonly StageSummary[];
  readonly ann: { searches: number; refetches: number; exactFallbacks: number } | null;
  readonly eventLoopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The memory store's paging cache (lists kept for `after`, their bytes in the ring); null on Redis. */
  readonly pagingCache?: { readonly lists: number; readonly bytes: number } | null;
}

/** A running bench server. */
export interface BenchServer {
  readonly url: string;
  readonly pid: number;
  /** Wall seconds from spawn to BENCH_READY (includes Node start-up and module loading; not the build). */
  readonly spawnToReadySeconds: number;
  /** The server's own start-up time, seconds (model load, index build, listen). */
  readonly readySeconds: number;
  readonly index: string;
  /** How the served model keeps its item vectors: `float32` or `float16` (RECGATE_VECTOR_PRECISION as resolved). */
  readonly vectorPrecision: string;
  readonly annOrigin: { source: 'built' | 'cache'; seconds: number } | null;
  stats(): Promise<BenchServerStats>;
  /** Clears the stage histograms and the event-loop delay histogram. */
  reset(): Promise<void>;
  /** VmRSS / VmHWM from /proc (null off Linux). */
  memory(): ProcMemory | null;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then resolves with the exit code once it exited (SIGKILL after 30 s). */
  stop(): Promise<number | null>;
}

/**
 * Builds `dist/` (once per process: {@link buildDistOnce}, ~0.5 s), then
 * spawns `node [--cpu-prof] <SERVER_NODE_FLAGS> <SERVER_V8_FLAGS> [nodeFlags] dist/src/bench/benchServer.js …`
 * (the flags `recgate serve` runs with) from the repository root and
 * resolves once it printed BENCH_READY.
 * @throws BuildError when the build fails.
 * @throws Error with the process output when it exits before serving or times out.
 */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  await buildDistOnce();
  const args = [
    ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir]),
    ...SERVER_NODE_FLAGS,
    ...SERVER_V8_FLAGS,
    ...(options.nodeFlags ?? []),
    BENCH_SERVER_SCRIPT,
    '--registry',
    options.registry,
    '--model-name',
    options.modelName,
    '--index',
    options.index,
    '--event-log',
    options.eventLog,
    ...(options.annCache === undefined ? [] : ['--ann-cache', options.annCache]),
  ];
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    // NODE_ENV=production as the Docker image sets it (graphql-js then skips its development-only checks).
    env: {
      ...serverEnv(),
      NODE_ENV: 'production',
      RECGATE_EVENT_LOG_FILE: options.eventLog,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timeoutMs = options.timeoutMs ?? 900_000;
  return new Promise<BenchServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (): void => {
      const line = /^BENCH_READY (.*)$/m.exec(out)?.[1];
      if (line === undefined) return;
      child.stdout!.off('data', onData);
      clearTimeout(timer);
      const ready = JSON.parse(line) as {
        url: string;
        statsUrl: string;
        readySeconds: number;
        index: string;
        vectorPrecision: string;
        annOrigin: BenchServer['annOrigin'];
      };
      const pid = child.pid!;
      resolve({
        url: ready.url,
        pid,
        spawnToReadySeconds: (performance.now() - spawnedAt) / 1000,
        readySeconds: ready.readySeconds,
        index: ready.index,
        vectorPrecision: ready.vectorPrecision,
        annOrigin: ready.annOrigin,
        stats: async () => (await (await fetch(`${ready.statsUrl}/stats`)).json()) as BenchServerStats,
        reset: async () => void (await fetch(`${ready.statsUrl}/reset`, { method: 'POST' })),
        memory: () => readProcMemory(pid),
        output: () => out,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited with ${code} before serving:\n${out}`));
    });
  });
}
