import type { EventRecord } from '../../domain/events.js';
import type { EventLog } from '../../stores/eventLog.js';

/** Options of {@link BufferedEventWriter}. */
export interface BufferedEventWriterOptions {
  readonly eventLog: EventLog;
  /** Longest a record waits before its batch is appended, in ms. @default 100 */
  readonly maxDelayMs?: number;
  /** A batch is appended at once when it holds this many records. @default 256 */
  readonly maxRecords?: number;
}

/**
 * Coalesces records into one `EventLog.append` per batch (at most every
 * `maxDelayMs`, or sooner when `maxRecords` are waiting). Serving appends a
 * served-list record per list; one append per request (a stat and a write on
 * the file log, each a thread-pool round trip) measurably delays the next
 * requests, one append per batch does not. A record's promise resolves when
 * its batch is durable per the log's policy, and rejects if that append does.
 *
 * A record written with a `signal` (its HTTP request's) is dropped, not
 * appended, if the signal aborted before its batch is taken: a list whose
 * client disconnected while the record waited was never served. Its promise
 * then resolves too (a drop is not a failure).
 */
export class BufferedEventWriter {
  private batch: { record: EventRecord; signal: AbortSignal | undefined }[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly maxDelayMs: number;
  private readonly maxRecords: number;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: BufferedEventWriterOptions) {
    this.maxDelayMs = options.maxDelayMs ?? 100;
    this.maxRecords = options.maxRecords ?? 256;
  }

  /**
   * Queues a record; resolves when it was appended (or dropped because
   * `options.signal` aborted first).
   * @param options.signal the request's abort signal. @default none (always appended)
   */
  write(record: EventRecord, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.batch.push({ record, signal: options.signal });
      this.waiters.push({ resolve, reject });
      if (this.batch.length >= this.maxRecords) void this.flush();
      else if (this.timer === null) this.timer = setTimeout(() => void this.flush(), this.maxDelayMs);
    });
  }

  /** Appends whatever is waiting now; resolves when every batch so far is appended (never rejects). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batch.length > 0) {
      const records = this.batch.filter((b) => b.signal?.aborted !== true).map((b) => b.record);
      const waiters = this.waiters;
      this.batch = [];
      this.waiters = [];
      if (records.length === 0) {
        waiters.forEach((w) => w.resolve());
        return this.inFlight;
      }
      this.inFlight = this.inFlight.then(() =>
        this.options.eventLog.append(records).then(
          () => waiters.forEach((w) => w.resolve()),
          (err: unknown) => waiters.forEach((w) => w.reject(err)),
        ),
      );
    }
    return this.inFlight;
  }
}
