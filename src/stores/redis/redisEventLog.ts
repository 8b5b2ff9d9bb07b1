import { Redis } from 'ioredis';
import type { EventRecord } from '../../domain/events.js';
import type { EventLog } from '../eventLog.js';
import type { EventLogReadStats } from '../file/fileEventLog.js';

/** Default Redis URL of {@link RedisEventLog.connect}. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Default stream key of {@link RedisEventLog}. */
export const DEFAULT_EVENT_STREAM = 'recgate:events';
/** Default approximate stream length cap (`XADD MAXLEN ~`). */
export const DEFAULT_EVENT_STREAM_MAX_LEN = 10_000_000;
/** Entries fetched per `XRANGE` page by `read()`. */
const PAGE_SIZE = 1000;
/** The stream entry field holding the record's JSON. */
const FIELD = 'r';

/** Options of {@link RedisEventLog.connect}. */
export interface RedisEventLogOptions {
  /** @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
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
 */
export class RedisEventLog implements EventLog {
  readonly name = 'redis';
  private closed = false;
  private stats: EventLogReadStats = { records: 0, skipped: 0 };

  private constructor(
    private readonly redis: Redis,
    /** The stream key. */
    readonly stream: string,
    private readonly maxLen: number,
  ) {}

  /**
   * Connects to Redis and resolves once the connection is ready.
   * @throws when Redis cannot be reached (the message names the URL).
   */
  static async connect(options: RedisEventLogOptions = {}): Promise<RedisEventLog> {
    const url = options.url ?? DEFAULT_REDIS_URL;
    const maxLen = options.maxLen ?? DEFAULT_EVENT_STREAM_MAX_LEN;
    if (!Number.isSafeInteger(maxLen) || maxLen < 0) {
      throw new RangeError(`maxLen must be a non-negative integer (0 = unbounded); received ${maxLen}`);
    }
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    // Errors surface through the rejected commands; without a listener ioredis logs them.
    let firstError: Error | null = null;
    redis.on('error', (err: Error) => (firstError ??= err));
    // The first connection fails fast (no retries); once connected, ioredis reconnects as usual.
    const retryStrategy = redis.options.retryStrategy;
    redis.options.retryStrategy = () => null;
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      // ioredis rejects with "Connection is closed."; the first socket error says why.
      const reason = (firstError ?? (err as Error)).message;
      throw new Error(`cannot connect to Redis at ${url}: ${reason}`, { cause: err });
    }
    redis.options.retryStrategy = retryStrategy;
    return new RedisEventLog(redis, options.stream ?? DEFAULT_EVENT_STREAM, maxLen);
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
    const results = await multi.exec();
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.redis.quit().catch(() => this.redis.disconnect());
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
