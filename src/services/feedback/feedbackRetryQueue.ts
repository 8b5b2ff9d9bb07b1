import type { FeedbackRecord } from '../../domain/events.js';

/**
 * What of a logged event's feature update is still to apply:
 * - `all`: nothing of it reached the store (history, seen, counts, vector and
 *   item counters are all to apply, as for a live event);
 * - `counters`: the user's part was written, only the item counters are left.
 */
export type PendingPart = 'all' | 'counters';

/** One feature update waiting in a {@link FeedbackRetryQueue}. */
export interface PendingUpdate {
  readonly record: FeedbackRecord;
  /** What is left to apply; lowered from `all` to `counters` when a retry wrote the user's part only. */
  part: PendingPart;
  /** The retry round ({@link FeedbackRetryQueue.nextRound}) in which it last failed with a not-sent error; 0: never retried. */
  failedInRound: number;
}

/** Default of {@link FeedbackRetryQueueOptions.maxPending}: the gateway's `RECGATE_FEEDBACK_RETRY_MAX`. */
export const DEFAULT_FEEDBACK_RETRY_MAX = 100_000;

/** Options of {@link FeedbackRetryQueue}. */
export interface FeedbackRetryQueueOptions {
  /** Most updates kept, an integer ≥ 1; past it the oldest are dropped. @default 100000 */
  readonly maxPending?: number;
  /** Called with the number of updates {@link FeedbackRetryQueue.add} dropped for the cap (≥ 1), at once. */
  readonly onDropped?: (count: number) => void;
}

/**
 * The feature updates of logged feedback events that failed without reaching
 * the store (a not-sent error, stores/notSentError.ts), oldest first, one per
 * event id, at most `maxPending` (past it the OLDEST are dropped: the newest
 * feedback says the most about a user now, and the event log keeps every
 * dropped event for the next replay). Pure bookkeeping: the feedback service
 * decides when and how to apply them. Memory: the records themselves
 * with their queue entries: ~1 KB each, measured for events without
 * `context` (so ~100 MB at the default cap).
 */
export class FeedbackRetryQueue {
  /** By event id, in insertion order (a Map iterates in insertion order): the first entry is the oldest. */
  private readonly pending = new Map<string, PendingUpdate>();
  private readonly maxPending: number;
  private readonly onDropped: (count: number) => void;
  private round = 0;

  /** @throws RangeError when `maxPending` is not an integer ≥ 1. */
  constructor(options: FeedbackRetryQueueOptions = {}) {
    const max = options.maxPending ?? DEFAULT_FEEDBACK_RETRY_MAX;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxPending must be an integer ≥ 1, got ${max}`);
    }
    this.maxPending = max;
    this.onDropped = options.onDropped ?? (() => undefined);
  }

  /** Updates waiting. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Queues `record`'s update, or, when its event id is already queued (a
   * retry that failed again), keeps its place, sets `part` and marks it
   * failed in the current round. Drops the oldest updates past the cap.
   */
  add(record: FeedbackRecord, part: PendingPart): void {
    const queued = this.pending.get(record.eventId);
    if (queued !== undefined) {
      queued.part = part;
      queued.failedInRound = this.round;
      return;
    }
    this.pending.set(record.eventId, { record, part, failedInRound: this.round });
    let dropped = 0;
    for (const id of this.pending.keys()) {
      if (this.pending.size <= this.maxPending) break;
      this.pending.delete(id);
      dropped++;
    }
    if (dropped > 0) this.onDropped(dropped);
  }

  /** The `max` oldest updates, oldest first (they stay queued until {@link settle} or {@link remove}). */
  oldest(max: number): PendingUpdate[] {
    const out: PendingUpdate[] = [];
    for (const u of this.pending.values()) {
      if (out.length >= max) break;
      out.push(u);
    }
    return out;
  }

  /** Starts a retry round: failures {@link add}ed from now on are marked with the returned number. */
  nextRound(): number {
    return ++this.round;
  }

  /**
   * Ends retry round `round` over `tried`: those that did not fail again in
   * it (and are still queued) leave the queue.
   * @returns how many left (applied) and how many stay (failed again with a not-sent error).
   */
  settle(tried: readonly PendingUpdate[], round: number): { applied: number; failedAgain: number } {
    let applied = 0;
    let failedAgain = 0;
    for (const u of tried) {
      if (this.pending.get(u.record.eventId) !== u) continue; // dropped meanwhile
      if (u.failedInRound === round) failedAgain++;
      else {
        this.pending.delete(u.record.eventId);
        applied++;
      }
    }
    return { applied, failedAgain };
  }

  /** True when the update of `eventId` waits. */
  has(eventId: string): boolean {
    return this.pending.has(eventId);
  }

  /** Removes the update of `eventId`. @returns true when it was queued. */
  remove(eventId: string): boolean {
    return this.pending.delete(eventId);
  }

  /** Removes the updates of the given event ids (a replay of the event log applied them). @returns how many were queued. */
  removeAll(eventIds: ReadonlySet<string>): number {
    let removed = 0;
    if (eventIds.size < this.pending.size) {
      for (const id of eventIds) if (this.pending.delete(id)) removed++;
    } else {
      for (const id of [...this.pending.keys()]) if (eventIds.has(id) && this.pending.delete(id)) removed++;
    }
    return removed;
  }
}
