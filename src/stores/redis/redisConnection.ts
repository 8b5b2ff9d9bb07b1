import { Cluster, Redis } from 'ioredis';

/**
 * A connected ioredis client: `Redis` for one server (`{ url }`), `Cluster`
 * for a Redis Cluster (`{ clusterNodes }`). Both come from
 * {@link createRedisClient} with the same hardening; code that pipelines
 * across hash slots must tell them apart (`client instanceof Cluster`).
 */
export type RedisClient = Redis | Cluster;

/** One Redis Cluster node, as in `REDIS_CLUSTER_NODES` (`host:port`). */
export interface RedisNodeAddress {
  /** Host name or IP (IPv6 without brackets). */
  readonly host: string;
  /** TCP port, 1..65535. */
  readonly port: number;
}

/**
 * Where Redis is: a single server by URL (`redis://[user:pass@]host:port[/db]`,
 * `rediss://` for TLS), or a Redis Cluster by some of its nodes (the client
 * discovers the rest with `CLUSTER SLOTS`).
 */
export type RedisTarget = { readonly url: string } | { readonly clusterNodes: readonly RedisNodeAddress[] };

/** The URL used when neither `REDIS_CLUSTER_NODES` nor `REDIS_URL` is set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Default of {@link RedisClientOptions.connectTimeoutMs}, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** Default of {@link RedisClientOptions.commandTimeoutMs}, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
/** Default of {@link RedisClientOptions.maxReconnectDelayMs}, in ms. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2000;
/** First reconnect delay, in ms; doubled on every failed attempt up to the cap. */
const FIRST_RECONNECT_DELAY_MS = 50;

/**
 * Hardening of {@link createRedisClient}. Every option has a default tuned for
 * a gateway that must degrade (fail fast, fail open) rather than hang.
 */
export interface RedisClientOptions {
  /**
   * Timeout of each TCP connect (the first one and every reconnect), in ms
   * (ioredis `connectTimeout`; per node on Cluster). @default 2000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Timeout of each command, in ms (ioredis `commandTimeout`; per node on
   * Cluster): a command without a reply by then rejects with ioredis's
   * `Error('Command timed out')`. In a pipeline or MULTI each command has
   * its own timeout; the adapters also give a whole pipeline at most twice
   * this (`execWithDeadline`). @default 1000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Cap of the reconnect backoff, in ms: after a lost connection the client
   * retries forever, waiting min(50·2^(n−1), cap) ms before attempt n
   * (50, 100, 200, … ms). @default 2000
   */
  readonly maxReconnectDelayMs?: number;
  /** Who uses the connection, at the start of every log line. @default 'redis' */
  readonly name?: string;
  /**
   * Receives one line (no newline) per connection state change: lost,
   * reconnected, a Cluster node unreachable or back. Never one per retry.
   * @default writes the line and a newline to stderr
   */
  readonly log?: (line: string) => void;
}

/**
 * Connects to Redis eagerly and verifies the connection with a PING, then
 * returns the client with this policy (the one the gateway's degradation
 * relies on; docs/redis.md):
 * - The first connect is tried once (no retry): an unreachable server fails
 *   start-up at once, with a clear message.
 * - Once connected, the offline queue is off (`enableOfflineQueue = false`,
 *   which ioredis reads at send time on both `Redis` and `Cluster`): while
 *   disconnected, a command rejects immediately (`Stream isn't writeable and
 *   enableOfflineQueue options is false` / `Cluster isn't ready and
 *   enableOfflineQueue options is false`) instead of piling up in memory.
 *   On Cluster, ioredis forces the offline queue on for its per-node
 *   connections, so a command routed to a node that is down waits at most
 *   `commandTimeoutMs` there.
 * - `maxRetriesPerRequest: 1`: a command in flight when the connection drops
 *   is resent at most once after a reconnect, else rejected.
 * - `commandTimeout` bounds every command (see
 *   {@link RedisClientOptions.commandTimeoutMs}).
 * - Lost connections are retried forever with capped exponential backoff
 *   ({@link reconnectDelayMs}), so the same client recovers when Redis
 *   returns, without a restart. On Cluster the client retries the whole
 *   cluster the same way when every node is lost; a single lost node is
 *   reconnected on the next slot refresh (ioredis refreshes on errors).
 * - An `error` listener (also `node error` on Cluster) logs one line per
 *   state change through {@link RedisClientOptions.log}, never one per retry,
 *   and keeps ioredis from printing "Unhandled error event".
 *
 * Close with {@link closeRedisClient} (or `quit()`/`disconnect()`).
 * @throws RangeError for a non-positive or non-finite timeout or delay, or an
 *   empty `clusterNodes`; Error `cannot connect to Redis at <url>: <reason>`
 *   (or `cannot connect to Redis Cluster at nodes <host:port, …>: <reason>`)
 *   when the server cannot be reached or does not answer the PING; the
 *   password of a URL is masked in messages.
 */
export async function createRedisClient(
  target: RedisTarget,
  options: RedisClientOptions = {},
): Promise<RedisClient> {
  const connectTimeout = positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const commandTimeout = positive('commandTimeoutMs', options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const maxDelay = positive(
    'maxReconnectDelayMs',
    options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
  );
  const where = describeRedisTarget(target);
  // Until the first connect succeeded, never retry: connect() must fail fast.
  let connected = false;
  const retry = (attempt: number): number | null => (connected ? reconnectDelayMs(attempt, maxDelay) : null);
  const common = { connectTimeout, commandTimeout, maxRetriesPerRequest: 1 };

  let client: RedisClient;
  if ('clusterNodes' in target) {
    if (target.clusterNodes.length === 0) throw new RangeError('clusterNodes must list at least one node');
    client = new Cluster(
      target.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
      {
        lazyConnect: true,
        enableOfflineQueue: true,
        clusterRetryStrategy: retry,
        redisOptions: common,
      },
    );
  } else {
    client = new Redis(target.url, {
      ...common,
      // Auto-pipelining: the commands issued in one tick (a feedback batch's per-user scripts, the
      // loaders' reads) leave in one socket write, each still its own command, reply and timeout.
      // Not on Cluster: ioredis retries a Cluster pipeline without re-arming command timeouts, so a
      // call to a master that died would hang (test/unit/stores/redisCluster.test.ts).
      enableAutoPipelining: true,
      lazyConnect: true,
      enableOfflineQueue: true,
      retryStrategy: retry,
    });
  }

  // ioredis's own rejection says little ("Connection is closed.", "None of
  // startup nodes is available"); the first socket error says why.
  let firstError: Error | null = null;
  const remember = (error: Error): void => {
    firstError ??= error;
  };
  client.on('error', remember);
  client.on('node error', remember);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    // Keep a listener: errors emitted while the socket closes must not reach
    // ioredis's "Unhandled error event" console line.
    client.disconnect();
    const reason = reasonOf(firstError ?? error);
    throw new Error(`cannot connect to ${where}: ${reason}`, { cause: error });
  }
  client.off('error', remember);
  client.off('node error', remember);
  connected = true;
  client.options.enableOfflineQueue = false;
  watchState(client, where, options, maxDelay);
  return client;
}

/**
 * The Redis target configured by the environment:
 * - `REDIS_CLUSTER_NODES="host:port,host:port"` (Cluster) wins when set and
 *   not blank; spaces around entries are ignored; IPv6 as `[::1]:7000`;
 * - else `REDIS_URL` when set and not blank;
 * - else `redis://127.0.0.1:6379`.
 * @param env the variables to read. @default process.env
 * @throws RangeError naming the variable and the bad entry when
 *   `REDIS_CLUSTER_NODES` has an empty entry, no `:port`, or a port outside 1..65535.
 */
export function redisTargetFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RedisTarget {
  const nodes = env['REDIS_CLUSTER_NODES'];
  if (nodes !== undefined && nodes.trim() !== '') return { clusterNodes: parseClusterNodes(nodes) };
  const url = env['REDIS_URL'];
  return { url: url !== undefined && url.trim() !== '' ? url.trim() : DEFAULT_REDIS_URL };
}

/**
 * Parses `host:port,host:port` (the `REDIS_CLUSTER_NODES` format): a host is
 * a name or IPv4 address (letters, digits, `.`, `-`, `_`; at most 253
 * characters, each dot-separated label at most 63: RFC 1035 §2.3.4) or an
 * IPv6 address in brackets (`[::1]:7000`).
 * @returns the nodes in order, at least one.
 * @throws RangeError naming the bad entry (empty, no port, port not an
 *   integer in 1..65535, other characters in the host).
 */
export function parseClusterNodes(list: string): RedisNodeAddress[] {
  return list.split(',').map((raw) => {
    const entry = raw.trim();
    const colon = entry.lastIndexOf(':');
    const hostText = colon > 0 ? entry.slice(0, colon) : '';
    const ipv6 = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]$/.exec(hostText);
    const host = ipv6 !== null ? ipv6[1]! : isHostName(hostText) ? hostText : '';
    const portText = colon > 0 ? entry.slice(colon + 1) : '';
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (host === '' || !(port >= 1 && port <= 65_535)) {
      throw new RangeError(
        `REDIS_CLUSTER_NODES must be a comma-separated list of host:port (port 1..65535), e.g. "10.0.0.1:7000,10.0.0.2:7000"; got entry "${entry}" in "${list}"`,
      );
    }
    return { host, port };
  });
}

/**
 * Resolves adapter options to a target: `url` or `clusterNodes` when given,
 * else {@link redisTargetFromEnv}.
 * @throws RangeError when both are given.
 */
export function resolveRedisTarget(options: {
  readonly url?: string | undefined;
  readonly clusterNodes?: readonly RedisNodeAddress[] | undefined;
}): RedisTarget {
  if (options.url !== undefined && options.clusterNodes !== undefined) {
    throw new RangeError(`give either url or clusterNodes, not both (url ${redactUrl(options.url)})`);
  }
  if (options.clusterNodes !== undefined) return { clusterNodes: options.clusterNodes };
  if (options.url !== undefined) return { url: options.url };
  return redisTargetFromEnv();
}

/**
 * How messages name a target: `Redis at redis://host:6379` (password masked
 * as `***`) or `Redis Cluster at nodes host:7000, host:7001`.
 */
export function describeRedisTarget(target: RedisTarget): string {
  if ('clusterNodes' in target) {
    const nodes = target.clusterNodes.map(
      (n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`,
    );
    return `Redis Cluster at nodes ${nodes.join(', ')}`;
  }
  return `Redis at ${redactUrl(target.url)}`;
}

/**
 * The reconnect backoff: min(50·2^(attempt−1), maxMs) ms before attempt
 * `attempt` (1-based): 50, 100, 200, 400, 800, 1600, then `maxMs`.
 * @param maxMs the cap, in ms. @default 2000
 */
export function reconnectDelayMs(attempt: number, maxMs = DEFAULT_MAX_RECONNECT_DELAY_MS): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** exponent, maxMs);
}

/**
 * Closes a client gracefully (`QUIT`), or at once when it is disconnected
 * (with the offline queue off, `QUIT` cannot be sent then). Never rejects.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status !== 'ready') throw new Error('not connected');
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/**
 * Logs one line per state change: lost → reconnected for the client, and
 * unreachable → back per Cluster node. Errors between changes (every failed
 * retry) are only remembered for the next "lost" line.
 */
function watchState(client: RedisClient, where: string, options: RedisClientOptions, maxDelay: number): void {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const name = options.name ?? 'redis';
  let up = true;
  let lastError: string | null = null;
  client.on('error', (error: Error) => {
    lastError = reasonOf(error);
  });
  client.on('reconnecting', () => {
    if (!up) return;
    up = false;
    log(
      `${name}: lost ${where} (${lastError ?? 'connection closed'}); commands fail fast while reconnecting (backoff up to ${maxDelay} ms)`,
    );
  });
  client.on('ready', () => {
    lastError = null;
    if (up) return;
    up = true;
    log(`${name}: reconnected to ${where}`);
  });
  if (!(client instanceof Cluster)) return;
  const downNodes = new Set<string>();
  client.on('node error', (error: Error, node: string) => {
    if (downNodes.has(node)) return;
    downNodes.add(node);
    log(
      `${name}: Redis Cluster node ${node} unreachable (${reasonOf(error)}); commands on its slots fail until it is back`,
    );
  });
  client.on('+node', (node: Redis) => {
    node.on('ready', () => {
      const key = `${node.options.host}:${node.options.port}`;
      if (downNodes.delete(key)) log(`${name}: Redis Cluster node ${key} reachable again`);
    });
  });
}

/** The message of an error, with the first node error of a ClusterAllFailedError. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const last = (error as { lastNodeError?: unknown }).lastNodeError;
  return last instanceof Error ? `${error.message} ${last.message}` : error.message;
}

/** The URL with its password replaced by `***` (unparsable URLs are returned as given). */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a finite number > 0 ms, got ${value}`);
  return value;
}

/** A host name or IPv4 address as {@link parseClusterNodes} accepts it: `[\w.-]`, ≤ 253 characters, labels ≤ 63. */
function isHostName(text: string): boolean {
  return text.length <= 253 && /^[\w.-]+$/.test(text) && text.split('.').every((label) => label.length <= 63);
}
