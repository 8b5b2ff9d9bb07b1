import type { EventRecord } from '../domain/events.js';

/**
 * Append-only log of feedback, impressions and served lists (port).
 * Adapters: `FileEventLog` (JSON Lines, embedded default), Redis Streams (later).
 *
 * Contract:
 * - `append` resolves only after the records are durable per the adapter's
 *   documented policy; a rejected promise means none of them may be assumed written.
 * - `read` yields records in append order.
 */
export interface EventLog {
  readonly name: string;
  append(records: readonly EventRecord[]): Promise<void>;
  read(): AsyncIterable<EventRecord>;
  /** Flushes buffers and releases handles. */
  close(): Promise<void>;
}
