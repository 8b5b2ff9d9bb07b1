import type { EventRecord } from '../../domain/events.js';
import type { EventLog } from '../eventLog.js';
import type { EventLogReadStats } from '../file/fileEventLog.js';
import { execWithDeadline, PIPELINE_DEADLINE_FACTOR } from './execWithDeadline.js';
import {
  closeRedisClient,
  createRedisClient,
  DEFAULT_COMMAND_TIMEOUT_MS,
  resolveRedisTarget,
} from './redisConnection.js';
import type { RedisClient, RedisClientOptions, RedisNodeAddress } from './redisConnection.js';

/** Default Redis URL (`redis://127.0.0.1:6379`), re-exported for the CLI. */
export { DEFAULT_REDIS_URL } from './redisConnection.js';
/** Default stream key of {@link RedisEventLog}. */
export const DEFAULT_EVENT_STREAM = 'recgate:events';
/** Default approximate stream length cap (`XADD MAXLEN ~`). */
export const DEFAULT_EVENT_STREAM_MAX_LEN = 10_000_000;
/** Entries fetched per `XRANGE` page by `read()`. */
const PAGE_SIZE = 1000;
/** The stream entry field holding the record's JSON. */
const FIELD = 'r';

/**
 * Options of {@link RedisEventLog.connect}. The connection options
 * (`connectTimeoutMs` 2000 ms, `commandTimeoutMs` 1000 ms,
 * `maxReconnectDelayMs` 2000 ms, `name`, `log`) are those of
 * {@link createRedisClient}; `name` defaults to `'RedisEventLog'` here.
 */
export interface RedisEventLogOptions extends RedisClientOptions {
  /**
   * Redis URL of a single server. Give either `url` or `clusterNodes`.
   * @default the target of `redisTargetFromEnv()`: `REDIS_CLUSTER_NODES`, else
   *   `REDIS_URL`, else 'redis://127.0.0.1:6379'
   */
  readonly url?: string;
  /**
   * Some nodes of a Redis Cluster. The stream is one key, so it lives on one
   * node (one slot); every command of the log touches that key only.
   */
  readonly clusterNodes?: readonly RedisNodeAddress[];
  /** The stream key. @default 'recgate:events' */
  readonly stream?: string;
  /**
   * Approximate cap on the stream's length, passed to every `XADD` as
   * `MAXLEN ~ <n>`: Redis trims the oldest entries in whole macro-nodes, so
   * the stream may hold somewhat more than `n` entries, never fewer when it
   * was longer. Trimmed records are gone: export them (`recgate
   * export-events`) before they age out. `0` disables trimming (unbounded
   * stream; watch Redis memory). At roughly 0.3-1 KB per record the default
   * keeps a few GB.
   * @default 10_000_000
   */
  readonly maxLen?: number;
}

/**
 * The {@link EventLog} on a Redis Stream, shared by every gateway replica.
 * Each record is one stream entry with a single field `r` holding the
 * record's JSON (the same JSON as one line of the `FileEventLog`).
 *
 * Durability policy:
 * - `append(records)` sends all records of the call in one pipeline wrapped
 *   in `MULTI`/`EXEC`, one `XADD <stream> MAXLEN ~ <n> * r <json>` per record.
 *   `MULTI` keeps a call's records contiguous in the stream even when other
 *   replicas append at the same time. It resolves after Redis acknowledged
 *   every `XADD` (the records are in Redis memory; surviving a Redis restart
 *   depends on the server's AOF/RDB settings). It rejects on any error
 *   (connection, timeout, a failed command), and then none of the records
 *   may be assumed written: `EXEC` does not roll back, so a failure after
 *   some `XADD`s succeeded can leave them in the stream.
 * - Appends of one process use one connection, so they reach the stream in
 *   call order.
 * - `read()` pages through the stream with `XRANGE … COUNT 1000`, from the
 *   oldest entry to the last entry that existed when the read began (records
 *   appended during a read are not waited for, so a read always ends).
 *   Entries trimmed by `MAXLEN` while reading are simply not seen. Entries
 *   without a parsable record are skipped and counted in {@link lastRead}.
 * - Works on a single server and on Redis Cluster alike: the stream is one
 *   key, so every command and the MULTI touch one slot.
 * - While Redis is unreachable `append` and `read` reject at once (no offline
 *   queue); a command without a reply rejects after `commandTimeoutMs`
 *   (`Command timed out`), and an append's MULTI gives up after
 *   2 × `commandTimeoutMs` in all ({@link execWithDeadline}); the connection
 *   recovers by itself (see {@link createRedisClient}). Either way the
 *   records of a rejected `append` may or may not be in the stream.
 */
export class RedisEventLog implements EventLog {
  readonly name = 'redis';
  private closed = false;
  private stats: EventLogReadStats = { records: 0, skipped: 0 };

  private constructor(
    private readonly redis: RedisClient,
    /** The stream key. */
    readonly stream: string,
    private readonly maxLen: number,
    /** Backstop on one append's MULTI, in ms (see {@link execWithDeadline}). */
    private readonly appendDeadlineMs: number,
  ) {}

  /**
   * Connects (single server or Cluster, see {@link createRedisClient}) and
   * resolves once Redis answered a PING.
   * @throws RangeError for a negative or fractional `maxLen`, a non-positive
   *   timeout, both `url` and `clusterNodes`, or a malformed
   *   `REDIS_CLUSTER_NODES`; Error `cannot connect to Redis at <url>: <reason>`
   *   (or `… Redis Cluster at nodes <host:port, …>`) when Redis cannot be reached.
   */
  static async connect(options: RedisEventLogOptions = {}): Promise<RedisEventLog> {
    const maxLen = options.maxLen ?? DEFAULT_EVENT_STREAM_MAX_LEN;
    if (!Number.isSafeInteger(maxLen) || maxLen < 0) {
      throw new RangeError(`maxLen must be a non-negative integer (0 = unbounded); received ${maxLen}`);
    }
    const target = resolveRedisTarget(options);
    const redis = await createRedisClient(target, { name: 'RedisEventLog', ...options });
    const deadline = PIPELINE_DEADLINE_FACTOR * (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    return new RedisEventLog(redis, options.stream ?? DEFAULT_EVENT_STREAM, maxLen, deadline);
  }

  /** Counts of the last `read()` that ran to the end. */
  get lastRead(): EventLogReadStats {
    return this.stats;
  }

  async append(records: readonly EventRecord[]): Promise<void> {
    if (this.closed) throw new Error(`event log ${this.stream} is closed`);
    if (records.length === 0) return;
    const trim: (string | number)[] = this.maxLen > 0 ? ['MAXLEN', '~', this.maxLen] : [];
    const multi = this.redis.multi();
    for (const record of records) multi.xadd(this.stream, ...trim, '*', FIELD, JSON.stringify(record));
    const results = await execWithDeadline(multi, this.appendDeadlineMs);
    if (results === null) throw new Error(`appending to ${this.stream}: the transaction was aborted`);
    for (const [err] of results) {
      if (err) throw new Error(`appending to ${this.stream}: ${err.message}`);
    }
  }

  async *read(): AsyncIterable<EventRecord> {
    let records = 0;
    let skipped = 0;
    const last = await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    if (last.length > 0) {
      const end = last[0]![0];
      let start = '-';
      for (;;) {
        const page = await this.redis.xrange(this.stream, start, end, 'COUNT', PAGE_SIZE);
        for (const [, fields] of page) {
          const record = parseEntry(fields);
          if (record === null) {
            skipped++;
            continue;
          }
          records++;
          yield record;
        }
        if (page.length < PAGE_SIZE) break;
        start = `(${page[page.length - 1]![0]}`;
      }
    }
    this.stats = { records, skipped };
  }

  /** Sends PING (readiness checks). @throws the connection's error when Redis does not answer. */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeRedisClient(this.redis);
  }
}

/** The record in an entry's `r` field, or null when absent or not a JSON object with a string `kind`. */
function parseEntry(fields: readonly string[]): EventRecord | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== FIELD) continue;
    try {
      const value: unknown = JSON.parse(fields[i + 1]!);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
      if (typeof (value as { kind?: unknown }).kind !== 'string') return null;
      return value as EventRecord;
    } catch {
      return null;
    }
  }
  return null;
}
