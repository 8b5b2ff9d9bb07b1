// Longer than ~300 lines: a standalone server and a cluster share the process
// plumbing (free ports, spawning, the RESP probe, clean-up on exit); split, it
// would be three files that only make sense together.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp, createServer } from 'node:net';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Private `redis-server` processes for tests that must stop, pause or slow a
 * server (the shared Redis on 127.0.0.1:6379 must never be disturbed) or need
 * a Redis Cluster.
 *
 * Every process listens on 127.0.0.1 only and keeps nothing on disk unless
 * asked to (`--save "" --appendonly no`, a fresh temp dir removed by
 * `stop()`; with `persist` the dir is kept for `start()`, removed by an
 * `exit` hook when there is one, else a few KB stay in the temp folder).
 * No process outlives the test process: `stop()` kills it, and it is
 * started through `setpriv --pdeathsig KILL`, so the kernel kills it when the
 * test worker dies (vitest kills its fork workers without an `exit` event;
 * the `exit` hook covers plain `node` runs).
 */

/** The `redis-server` binary used. */
export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
/** The `redis-cli` binary used for `--cluster create`. */
export const REDIS_CLI_BIN = '/usr/bin/redis-cli';
/** How long a server may take to answer its first PING, in ms. */
const START_TIMEOUT_MS = 20_000;
/** How long `stop()` waits after SIGTERM before SIGKILL, in ms. */
const STOP_GRACE_MS = 5_000;
/** How long a cluster may take to reach `cluster_state:ok` on every node, in ms. */
const CLUSTER_OK_TIMEOUT_MS = 30_000;
const SETPRIV_BIN = '/usr/bin/setpriv';

/** A standalone `redis-server` child process (see {@link startRedis}). */
export interface RedisProcess {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** The TCP port on 127.0.0.1; the same after `stop()` + `start()`. */
  readonly port: number;
  /** OS pid of the current process (a new one after `start()`); the last one while stopped. */
  readonly pid: number;
  /**
   * Stops the server: SIGTERM, then SIGKILL after 5 s; resolves once the
   * process has exited. Idempotent. Data is lost unless started with `persist`.
   */
  stop(): Promise<void>;
  /**
   * Starts the server again on the same port (and temp dir) after `stop()`,
   * empty, or with the data of before with `persist`; resolves once it
   * answers PING. A no-op while it runs.
   * @throws Error when it does not start (e.g. the port was taken meanwhile), with its log.
   */
  start(): Promise<void>;
  /**
   * Runs `CLIENT PAUSE <ms> ALL` over a separate connection; resolves once the
   * server acknowledged it (every client then waits for `ms` ms).
   * @throws Error when the server refuses or cannot be reached.
   */
  pause(ms: number): Promise<void>;
  /**
   * Sends `DEBUG SLEEP <seconds>` over a separate connection without awaiting
   * the reply; resolves once the command was written to the socket. The
   * server then blocks every client for `seconds` s (enabled by
   * `--enable-debug-command local`). The reply is read and discarded.
   */
  sleep(seconds: number): Promise<void>;
}

/** One node of a cluster started by {@link startRedisCluster}. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** A Redis Cluster of local processes (see {@link startRedisCluster}). */
export interface RedisClusterProcesses {
  /** The masters, `127.0.0.1` and their client ports. */
  readonly nodes: RedisNodeAddress[];
  /** Kills every node (SIGTERM, SIGKILL fallback), waits for them, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Every child still running, killed by the exit hook. */
const running = new Set<ChildProcess>();
/** Temp dirs of standalone servers (kept for `start()` after `stop()`), removed by the exit hook. */
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** The port to use. @default a free one chosen by the OS */
  port?: number;
  /**
   * Keep the data across `stop()` + `start()`: `--appendonly yes
   * --appendfsync always` in the server's temp dir (a SIGTERM stop flushes it).
   * @default false (`--save "" --appendonly no`: every start is empty)
   */
  persist?: boolean;
}

/**
 * Starts a standalone `redis-server` on 127.0.0.1 (`--save "" --appendonly no`,
 * debug commands allowed from loopback) in a fresh temp dir (removed when the
 * test process exits), and resolves once it answers PING.
 * @param options see {@link StartRedisOptions}.
 * @throws Error with the server's log when it exits or does not answer within 20 s.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-redis-'));
  tempDirs.add(dir);
  // A port picked as free can be taken before redis binds it (parallel test
  // files): retry with another one, unless the caller chose the port.
  const attempts = options.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const args = () => [
      '--port',
      String(port),
      ...COMMON_ARGS,
      ...(options.persist === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []),
      '--dir',
      dir,
      '--enable-debug-command',
      'local',
    ];
    try {
      const server = await spawnServer(args());
      return standalone(port, dir, options.persist === true, server, args);
    } catch (error) {
      lastError = error;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
  throw lastError;
}

/**
 * Starts a Redis Cluster of `masters` masters and no replicas on free
 * loopback ports (each port + 10000, the cluster bus, free too): one
 * `redis-server --cluster-enabled yes` per master, then
 * `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, and
 * resolves once `CLUSTER INFO` says `cluster_state:ok` on every node.
 * @param masters ≥ 3 (Redis Cluster's minimum). @default 3
 * @throws RangeError for fewer than 3 masters; Error with the output of the
 *   failing step otherwise (every started process is then killed).
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcesses> {
  if (!Number.isInteger(masters) || masters < 3) {
    throw new RangeError(`a Redis Cluster needs an integer ≥ 3 masters, got ${masters}`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-redis-cluster-'));
  const servers: Server[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    while (servers.length < masters) {
      const port = await freeClusterPort(ports);
      const args = [
        '--port',
        String(port),
        ...COMMON_ARGS,
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '5000',
      ];
      try {
        servers.push(await spawnServer(args));
        ports.push(port);
      } catch (error) {
        if (!/address already in use/i.test(String(error))) throw error;
      }
    }
    const create = await run(REDIS_CLI_BIN, [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    if (create.code !== 0) {
      throw new Error(`redis-cli --cluster create exited with ${create.code}:\n${create.output}`);
    }
    await Promise.all(ports.map((p) => waitForClusterOk(p)));
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Arguments every server gets. */
const COMMON_ARGS = [
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--daemonize',
  'no',
  '--loglevel',
  'warning',
];

/** A running (or stopped) child `redis-server`. */
interface Server {
  readonly child: ChildProcess;
  /** The last lines the process printed, for error messages. */
  log(): string;
  stop(): Promise<void>;
}

function standalone(
  port: number,
  dir: string,
  persist: boolean,
  first: Server,
  args: () => string[],
): RedisProcess {
  let server: Server | null = first;
  let pid = first.child.pid ?? -1;
  const sleepers = new Set<Socket>();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return pid;
    },
    async stop() {
      for (const socket of sleepers) socket.destroy();
      sleepers.clear();
      const s = server;
      server = null;
      await s?.stop();
      // Nothing to keep without persist: the next start() recreates the dir.
      if (!persist) rmSync(dir, { recursive: true, force: true });
    },
    async start() {
      if (server !== null) return;
      mkdirSync(dir, { recursive: true });
      server = await spawnServer(args());
      pid = server.child.pid ?? -1;
    },
    async pause(ms) {
      if (!(Number.isInteger(ms) && ms >= 0)) throw new RangeError(`pause needs integer ms ≥ 0, got ${ms}`);
      const reply = await respCommand(port, ['CLIENT', 'PAUSE', String(ms), 'ALL']);
      if (reply !== '+OK') throw new Error(`CLIENT PAUSE ${ms} ALL on port ${port} answered ${reply}`);
    },
    async sleep(seconds) {
      if (!(seconds >= 0)) throw new RangeError(`sleep needs seconds ≥ 0, got ${seconds}`);
      const socket = await openSocket(port);
      sleepers.add(socket);
      socket.on('data', () => socket.end());
      socket.on('close', () => sleepers.delete(socket));
      socket.unref();
      await new Promise<void>((resolve, reject) =>
        socket.write(resp(['DEBUG', 'SLEEP', String(seconds)]), (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    },
  };
}

/**
 * Spawns `redis-server args` (through `setpriv --pdeathsig KILL` when
 * available, which execs redis-server under the same pid) and resolves once
 * it answers PING (and `INFO server` shows its own `process_id`).
 * @throws Error with its log when it exits first or does not answer in time.
 */
async function spawnServer(args: readonly string[]): Promise<Server> {
  installExitHook();
  const port = Number(args[args.indexOf('--port') + 1]);
  const [command, argv] = existsSync(SETPRIV_BIN)
    ? [SETPRIV_BIN, ['--pdeathsig', 'KILL', '--', REDIS_SERVER_BIN, ...args]]
    : [REDIS_SERVER_BIN, [...args]];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  child.once('error', (error) => keep(Buffer.from(String(error))));
  const server: Server = {
    child,
    log: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await exited;
      throw new Error(
        `redis-server on port ${port} exited (${child.exitCode ?? child.signalCode}):\n${output}`,
      );
    }
    // The PONG must come from this child, not from another server on the port.
    if ((await respCommand(port, ['PING']).catch(() => null)) === '+PONG') {
      const info = await respCommand(port, ['INFO', 'server']).catch(() => '');
      if (info.includes(`process_id:${child.pid}\r\n`)) return server;
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms:\n${output}`,
      );
    }
    await delay(50);
  }
}

/** Polls `CLUSTER INFO` until `cluster_state:ok`. @throws Error after the timeout. */
async function waitForClusterOk(port: number): Promise<void> {
  const deadline = Date.now() + CLUSTER_OK_TIMEOUT_MS;
  for (;;) {
    const last = await respCommand(port, ['CLUSTER', 'INFO']).catch((e: unknown) => String(e));
    if (last.includes('cluster_state:ok')) return;
    if (Date.now() > deadline) {
      throw new Error(
        `node 127.0.0.1:${port} not cluster_state:ok after ${CLUSTER_OK_TIMEOUT_MS} ms:\n${last}`,
      );
    }
    await delay(100);
  }
}

/** A free TCP port on 127.0.0.1, chosen by the OS. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** True when `port` can be bound on 127.0.0.1 right now. */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port P in 20000..45534 with P + 10000 (the cluster bus) free too,
 * not in `taken`. Random rather than OS-chosen, because OS ports can exceed 55535.
 */
async function freeClusterPort(taken: readonly number[]): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 25_535);
    if (taken.includes(port) || taken.includes(port - 10_000) || taken.includes(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair (P, P + 10000) found for a cluster node');
}

/** Runs a command to completion; output is stdout and stderr together. */
function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', (error) => resolve({ code: -1, output: String(error) }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** A RESP array of bulk strings. */
function resp(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Sends one command on a fresh connection and returns its reply: a simple
 * string or error line as sent (`+PONG`, `-ERR …`), or a bulk string's
 * content. Rejects on connection errors or after 5 s.
 */
async function respCommand(port: number, args: readonly string[]): Promise<string> {
  const socket = await openSocket(port);
  try {
    return await new Promise<string>((resolve, reject) => {
      let data = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`no reply to ${args[0]} from port ${port}`)), 5000);
      socket.on('close', () => reject(new Error(`port ${port} closed the connection`)));
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        const reply = parseReply(data);
        if (reply !== null) {
          clearTimeout(timer);
          resolve(reply);
        }
      });
      socket.write(resp(args));
    });
  } finally {
    socket.destroy();
  }
}

/** The reply in `data` once complete, else null (simple, error, integer and bulk replies). */
function parseReply(data: Buffer): string | null {
  const eol = data.indexOf('\r\n');
  if (eol < 0) return null;
  const head = data.subarray(0, eol).toString('utf8');
  if (!head.startsWith('$')) return head;
  const length = Number(head.slice(1));
  if (length < 0) return '';
  if (data.length < eol + 2 + length + 2) return null;
  return data.subarray(eol + 2, eol + 2 + length).toString('utf8');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
