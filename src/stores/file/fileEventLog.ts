import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { EventRecord } from '../../domain/events.js';
import type { EventLog } from '../eventLog.js';

/** Options of {@link FileEventLog}. */
export interface FileEventLogOptions {
  /** The JSON Lines file; its folder is created on the first append. */
  readonly path: string;
  /**
   * `'always'`: `append` resolves after `fdatasync`, so an accepted record
   * survives a power loss. `'never'`: it resolves once the OS has the bytes
   * (survives a crash of the process, not of the machine); faster.
   * @default 'always'
   */
  readonly fsync?: 'always' | 'never';
}

/** What the last completed {@link FileEventLog.read} saw. */
export interface EventLogReadStats {
  readonly records: number;
  /** Lines that were not a JSON object with a string `kind` (a torn write), skipped. */
  readonly skipped: number;
}

/**
 * The embedded {@link EventLog}: one JSON object per line in a local file.
 *
 * Durability policy:
 * - `append(records)` writes all records of the call as one buffer at the end
 *   of the file (O_APPEND) and, with `fsync: 'always'` (the default), calls
 *   `fdatasync` before resolving. When it resolves, every record is on disk;
 *   when it rejects, the file is truncated back to its previous length (best
 *   effort) and none of the records may be assumed written.
 * - Appends are serialised, so records of concurrent calls never interleave
 *   within a line and appear in call order. Appends that arrive while a write
 *   is in flight are written together by the next write, with one
 *   `fdatasync` for all of them (group commit, as database logs do: Gray &
 *   Reuter, "Transaction Processing", §9.4.7); each call still resolves only
 *   once its own records are on disk, and when that write fails every call in
 *   it rejects.
 * - A crash mid-write can leave a torn last line. The next open terminates it
 *   with a newline (so new records start on a line of their own) and `read()`
 *   skips it, counting it in {@link lastRead}.
 * - One writing process per file: two processes appending to the same file is
 *   not supported (use the Redis Streams adapter for many replicas).
 * - Before each write the open handle is checked against the path (`fstat`
 *   vs `stat`): when the file was deleted, renamed or replaced, the handle is
 *   closed and the path reopened (created), so an accepted record is never
 *   written to an orphaned inode. When the path cannot be reopened (say a
 *   directory now stands there), the append rejects.
 * - When the file's length is not the one this log's last write left (another
 *   process truncated or appended to it), the write first checks the last
 *   byte and starts on a new line if the file now ends mid-line, so a record
 *   is never glued to a torn one.
 */
export class FileEventLog implements EventLog {
  readonly name = 'file';
  private readonly path: string;
  private readonly fsync: 'always' | 'never';
  private handle: Promise<FileHandle> | null = null;
  /** Settles when every write started so far has finished (successfully or not). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Appends waiting for the next write (group commit), in call order; null when none waits. */
  private waiting: PendingAppend[] | null = null;
  private closed = false;
  private stats: EventLogReadStats = { records: 0, skipped: 0 };
  /** The file's length after this log's last write or open, or null before the first. */
  private expectedSize: number | null = null;

  constructor(options: FileEventLogOptions) {
    this.path = options.path;
    this.fsync = options.fsync ?? 'always';
  }

  /** Counts of the last `read()` that ran to the end. */
  get lastRead(): EventLogReadStats {
    return this.stats;
  }

  append(records: readonly EventRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`event log ${this.path} is closed`));
    if (records.length === 0) return this.queue.then(() => undefined);
    let text: string;
    try {
      text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise<void>((resolve, reject) => {
      const pending: PendingAppend = { text, resolve, reject };
      if (this.waiting !== null) {
        this.waiting.push(pending); // joins the write that is already queued
        return;
      }
      const group = [pending];
      this.waiting = group;
      const run = this.queue.then(() => {
        this.waiting = null; // later appends start the next group
        return this.write(group.map((p) => p.text).join(''));
      });
      run.then(
        () => group.forEach((p) => p.resolve()),
        (err: unknown) => group.forEach((p) => p.reject(err)),
      );
      // The queue continues after a failed write; its callers still see the failure.
      this.queue = run.catch(() => undefined);
    });
  }

  async *read(): AsyncIterable<EventRecord> {
    await this.queue;
    let records = 0;
    let skipped = 0;
    const input = createReadStream(this.path, { encoding: 'utf8' });
    const opened = await new Promise<boolean>((resolve, reject) => {
      input.once('ready', () => resolve(true));
      input.once('error', (err: NodeJS.ErrnoException) =>
        err.code === 'ENOENT' ? resolve(false) : reject(err),
      );
    });
    if (!opened) {
      this.stats = { records: 0, skipped: 0 };
      return;
    }
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        const record = parseRecord(line);
        if (record === null) {
          skipped++;
          continue;
        }
        records++;
        yield record;
      }
    } finally {
      lines.close();
      input.destroy();
    }
    this.stats = { records, skipped };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    if (this.handle !== null) {
      const handle = await this.handle.catch(() => null);
      this.handle = null;
      await handle?.close();
    }
  }

  /** Writes `text` (whole lines) at the end of the file, then syncs per the policy. */
  private async write(text: string): Promise<void> {
    let buffer = Buffer.from(text, 'utf8');
    const { handle, size } = await this.currentHandle();
    if (this.expectedSize !== null && size !== this.expectedSize && size > 0) {
      // Changed by someone else since our last write: do not append to a line it left torn.
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) buffer = Buffer.concat([NEWLINE, buffer]);
    }
    this.expectedSize = null;
    try {
      let written = 0;
      while (written < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
        written += bytesWritten;
      }
      if (this.fsync === 'always') await handle.datasync();
      this.expectedSize = size + buffer.length;
    } catch (err) {
      await handle.truncate(size).catch(() => undefined);
      throw err;
    }
  }

  /**
   * The open handle when it still is the file at the path; otherwise (the file
   * was deleted, renamed or replaced) closes it and reopens the path.
   */
  /** The handle of the file now at the path (reopened when it moved) and the file's length in bytes. */
  private async currentHandle(): Promise<{ handle: FileHandle; size: number }> {
    const handle = await this.openHandle();
    const size = await this.sizeIfFileAtPath(handle);
    if (size !== null) return { handle, size };
    this.handle = null;
    await handle.close().catch(() => undefined);
    const reopened = await this.openHandle();
    const reopenedSize = await this.sizeIfFileAtPath(reopened);
    if (reopenedSize === null) {
      throw new Error(`event log ${this.path} is not a regular file that can be appended to`);
    }
    return { handle: reopened, size: reopenedSize };
  }

  /**
   * The length of the file `handle` refers to when it is the regular file now
   * at the path (same device and inode), else null.
   */
  private async sizeIfFileAtPath(handle: FileHandle): Promise<number | null> {
    const [opened, atPath] = await Promise.all([
      handle.stat(),
      stat(this.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
        throw err;
      }),
    ]);
    const same = atPath !== null && atPath.isFile() && atPath.dev === opened.dev && atPath.ino === opened.ino;
    return same ? opened.size : null;
  }

  /** Opens the file for appending once, creating its folder and terminating a torn last line. */
  private openHandle(): Promise<FileHandle> {
    if (this.handle === null) {
      this.handle = (async () => {
        await mkdir(dirname(this.path), { recursive: true });
        const handle = await open(this.path, 'a+');
        const { size } = await handle.stat();
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) await handle.write('\n');
        }
        this.expectedSize = null;
        return handle;
      })();
      // A failed open is retried by the next append.
      this.handle.catch(() => {
        this.handle = null;
      });
    }
    return this.handle;
  }
}

const NEWLINE = Buffer.from('\n');

/** One `append` call waiting for its group's write. */
interface PendingAppend {
  /** Its records as JSON lines, each ending in a newline. */
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** A line as an event record, or null when it is not a JSON object with a string `kind`. */
function parseRecord(line: string): EventRecord | null {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    if (typeof (value as { kind?: unknown }).kind !== 'string') return null;
    return value as EventRecord;
  } catch {
    return null;
  }
}
