import type { FeedbackRecord } from '../../domain/events.js';
import { MAX_TIMER_MS } from '../../config.js';
import { isNotSent } from '../../stores/notSentError.js';
import { logger } from '../../telemetry/logger.js';
import type { PendingPart } from './feedbackRetryQueue.js';
import { FeedbackRetryQueue } from './feedbackRetryQueue.js';
import { FEEDBACK_LIMITS } from './feedbackLimits.js';

/** Why queued updates left a {@link FeedbackRetrier} without being applied by it (the `reason` label of `recgate_feedback_retry_dropped_total`). */
export type RetryDropReason = 'cap' | 'replayed' | 'failed';

/** Options of the feedback service's retry of failed feature updates (`FeedbackServiceOptions.retry`). */
export interface FeedbackRetryOptions {
  /** Most updates waiting per process, an integer ≥ 1 (`RECGATE_FEEDBACK_RETRY_MAX`); past it the oldest are dropped. @default 100000 */
  readonly maxPending?: number;
  /** Time between two retry attempts while updates wait, in ms, > 0 (the gateway: `RECGATE_BACKEND_RETRY_MS`, at least 100). @default 1000 */
  readonly intervalMs?: number;
  /**
   * Whether the store can take writes now (the gateway: the Redis client is
   * `ready`); an attempt is skipped, at no cost, while it answers false.
   * @default always true
   */
  readonly reachable?: () => boolean;
  /** Updates applied by a retry (`recgate_feedback_retried_total`). */
  readonly onRetried?: (count: number) => void;
  /** Updates dropped without being applied by a retry (`recgate_feedback_retry_dropped_total{reason}`). */
  readonly onDropped?: (count: number, reason: RetryDropReason) => void;
}

/** Default of {@link FeedbackRetryOptions.intervalMs}, ms. */
export const DEFAULT_FEEDBACK_RETRY_INTERVAL_MS = 1000;
/** The wait after consecutive failed attempts doubles up to this many intervals. */
const MAX_BACKOFF_INTERVALS = 8;

/** What a {@link FeedbackRetrier} needs from the feedback service. */
export interface RetryTarget {
  /** Applies the whole feature update of `records` (the live path's step 4), reporting failures through {@link FeedbackRetrier.failed}. */
  applyAll(records: readonly FeedbackRecord[]): Promise<void>;
  /** Applies only the item counters of `records`, in order, reporting failures through {@link FeedbackRetrier.failed}. */
  applyCounters(records: readonly FeedbackRecord[]): Promise<void>;
  /** False while updates are held (a re-seed or a model reload rebuilds the store): no attempt then. */
  mayRun(): boolean;
  /** Registers a running attempt, so a hold's `settled` waits for it. */
  track(attempt: Promise<void>): Promise<void>;
}

/**
 * Retries the feature updates of logged feedback events that failed without
 * reaching the store (docs/feedback.md, "Retried updates"):
 * - {@link failed} queues an update whose error is a not-sent error
 *   (`isNotSent`); any other error (a timeout after sending: the write may
 *   have landed) is not retried, and a retried update that fails so leaves
 *   the queue (`failed`);
 * - every `intervalMs` while updates wait (doubling after each attempt that
 *   failed again, up to 8 intervals, and at most 2³¹ − 1 ms, Node's longest timer; never a tight loop), when `reachable()`
 *   and updates are not held, one attempt applies the oldest updates in
 *   chunks of at most 1000, oldest first: the `all` ones through the live
 *   path (the per-user queue, one write per user in original order), the
 *   `counters` ones as counter increments; it stops at the first chunk in
 *   which an update failed again, so a user's later updates never overtake
 *   an earlier one;
 * - {@link replayed} drops the updates a replay of the event log applied.
 * Single-flight: one attempt at a time.
 */
export class FeedbackRetrier {
  private readonly queue: FeedbackRetryQueue;
  private readonly intervalMs: number;
  private readonly reachable: () => boolean;
  private readonly onRetried: (count: number) => void;
  private readonly onDropped: (count: number, reason: RetryDropReason) => void;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failedAttempts = 0;
  private droppedForCap = 0;
  private closed = false;

  /** @throws RangeError for a `maxPending` that is not an integer ≥ 1 or an `intervalMs` that is not > 0. */
  constructor(
    private readonly target: RetryTarget,
    options: FeedbackRetryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_FEEDBACK_RETRY_INTERVAL_MS;
    if (!(Number.isFinite(this.intervalMs) && this.intervalMs > 0)) {
      throw new RangeError(`intervalMs must be a finite number > 0 ms, got ${this.intervalMs}`);
    }
    this.reachable = options.reachable ?? (() => true);
    this.onRetried = options.onRetried ?? (() => undefined);
    this.onDropped = options.onDropped ?? (() => undefined);
    this.queue = new FeedbackRetryQueue({
      ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
      onDropped: (count) => {
        this.droppedForCap += count;
        this.onDropped(count, 'cap');
      },
    });
  }

  /** Updates waiting for a retry (`recgate_feedback_retry_pending`). */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * A feature update of `record` failed with `error`; `part` says what of it
   * did not apply. Queues it when `error` is a not-sent error; else, when it
   * was queued (this was a retry), removes it (`failed`).
   * @returns `still queued` when it was already waiting (a retry failed again
   *   without reaching the store), `queued` when it now waits, else `not retried`.
   */
  failed(
    error: unknown,
    record: FeedbackRecord,
    part: PendingPart,
  ): 'queued' | 'still queued' | 'not retried' {
    if (this.closed) return 'not retried';
    if (isNotSent(error)) {
      const waiting = this.queue.has(record.eventId);
      this.queue.add(record, part);
      this.schedule();
      return waiting ? 'still queued' : 'queued';
    }
    if (this.queue.remove(record.eventId)) this.onDropped(1, 'failed');
    return 'not retried';
  }

  /** A replay of the event log applied these events: their queued updates are dropped (`replayed`). */
  replayed(eventIds: ReadonlySet<string>): void {
    const removed = this.queue.removeAll(eventIds);
    if (removed > 0) this.onDropped(removed, 'replayed');
  }

  /**
   * Runs one attempt now (what the timer does), unless one is running (then
   * its promise). Resolves when it ended; never rejects.
   */
  retryNow(): Promise<void> {
    this.running ??= this.target.track(this.attempt()).finally(() => {
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  /** Stops the timer; queued updates are forgotten (the event log keeps them). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Arms the timer when updates wait and it is not armed. */
  private schedule(): void {
    if (this.closed || this.timer !== null || this.running !== null || this.queue.size === 0) return;
    // Capped at the longest delay a Node timer takes: past it, setTimeout fires after 1 ms (a spin;
    // RECGATE_BACKEND_RETRY_MS itself has no upper bound, attack report, session 28).
    const delay = Math.min(
      MAX_TIMER_MS,
      this.intervalMs * Math.min(2 ** this.failedAttempts, MAX_BACKOFF_INTERVALS),
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.retryNow();
    }, delay);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.droppedForCap > 0) {
      logger.warn(
        `dropped ${this.droppedForCap} pending feature-update retries (the oldest): more were waiting than RECGATE_FEEDBACK_RETRY_MAX allows; the event log keeps them`,
        { dropped: this.droppedForCap },
      );
      this.droppedForCap = 0;
    }
    if (!this.target.mayRun() || !this.reachable()) return;
    try {
      while (this.queue.size > 0 && !this.closed && this.target.mayRun()) {
        const chunk = this.queue.oldest(FEEDBACK_LIMITS.maxBatch);
        const round = this.queue.nextRound();
        const all = chunk.filter((u) => u.part === 'all').map((u) => u.record);
        const counters = chunk.filter((u) => u.part === 'counters').map((u) => u.record);
        if (all.length > 0) await this.target.applyAll(all);
        if (counters.length > 0) await this.target.applyCounters(counters);
        const { applied, failedAgain } = this.queue.settle(chunk, round);
        if (applied > 0) this.onRetried(applied);
        if (failedAgain > 0) {
          this.failedAttempts++;
          return;
        }
        this.failedAttempts = 0;
      }
    } catch (err) {
      // applyAll/applyCounters report per record; anything else is a bug: log it, try again later.
      this.failedAttempts++;
      logger.error('feature-update retry failed', { error: err });
    }
  }
}
