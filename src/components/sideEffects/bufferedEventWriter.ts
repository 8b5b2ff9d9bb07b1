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
 */
export class BufferedEventWriter {
  private batch: EventRecord[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly maxDelayMs: number;
  private readonly maxRecords: number;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: BufferedEventWriterOptions) {
    this.maxDelayMs = options.maxDelayMs ?? 100;
    this.maxRecords = options.maxRecords ?? 256;
  }

  /** Queues a record; resolves when it was appended. */
  write(record: EventRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.batch.push(record);
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
      const records = this.batch;
      const waiters = this.waiters;
      this.batch = [];
      this.waiters = [];
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
