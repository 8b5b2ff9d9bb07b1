import { performance } from 'node:perf_hooks';

/**
 * How long, in milliseconds of wall time, the pipeline continuations resumed
 * in one check phase of the event loop may run before the rest wait for the
 * next loop turn (`/healthz` under load: BENCHMARKS.md). Four milliseconds
 * keeps a loop turn well under the 20 ms `/healthz` target while costing one
 * extra `epoll` wait per four milliseconds of pipeline work.
 */
export const DEFAULT_TURN_BUDGET_MS = 4;

/**
 * Bounds the pipeline work the event loop runs in one loop turn, so I/O that
 * arrives under load (a health check, a cheap query, the next request's
 * bytes) waits for at most about one budget before it is polled.
 *
 * Node runs, in one check phase, every `setImmediate` callback queued before
 * the phase began (Node's `processImmediate`, lib/internal/timers.js), with
 * the microtasks of each drained before the next. A plain
 * `setImmediate`-per-yield therefore resumes EVERY waiting request's next
 * phase in one turn: with 8 requests in flight that was up to 20 ms without
 * polling. Here tasks (continuations and store-batch dispatches) wait in one
 * first-in first-out queue, and each `setImmediate` callback runs the task at
 * its head. Each turn opens with a marker callback that notes the time; once
 * the turn has spent `budgetMs`, the remaining callbacks of the turn move to
 * the next one and the queue keeps its order. At least one task runs per
 * turn, so the queue always drains.
 *
 * Because the order is kept across turns, a store-batch dispatch
 * ({@link afterPending}) runs only after every task queued before it:
 * continuations resumed together still share one store read even when the
 * budget spreads them over several turns (the `similar` pipelines of one
 * request, src/loaders/loopTurnBatching.ts).
 */
export class LoopTurnScheduler {
  /** Tasks not yet run, from `head` on (a deque over an array, compacted now and then). */
  private tasks: ((() => void) | undefined)[] = [];
  private head = 0;
  private turnStart = Number.NEGATIVE_INFINITY;
  private ranThisTurn = 0;
  private openerQueued = false;
  private turnsOpened = 0;

  /**
   * @param budgetMs work per loop turn, ms (> 0; default {@link DEFAULT_TURN_BUDGET_MS}).
   * @param now a monotonic clock in ms (default `performance.now`; tests pass a fake).
   * @throws RangeError when `budgetMs` is not a positive finite number.
   */
  constructor(
    private readonly budgetMs: number = DEFAULT_TURN_BUDGET_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(budgetMs > 0) || !Number.isFinite(budgetMs)) {
      throw new RangeError(
        `LoopTurnScheduler: budgetMs must be a positive finite number, received ${budgetMs}`,
      );
    }
  }

  /** Loop turns that ran a task so far (a diagnostic for tests). */
  get turns(): number {
    return this.turnsOpened;
  }

  /**
   * Resolves on a later check phase of the event loop, after the I/O already
   * waiting has been polled, once every task queued before it has run and
   * this turn's budget allows.
   */
  yield(): Promise<void> {
    return new Promise<void>((resolve) => this.enqueue(resolve));
  }

  /**
   * Runs `dispatch` on a later check phase, once every task queued before
   * this call has run (a store-batch dispatch: loads made until then join it).
   */
  afterPending(dispatch: () => void): void {
    this.enqueue(dispatch);
  }

  private enqueue(task: () => void): void {
    this.tasks.push(task);
    this.schedule();
  }

  /** Queues one `step` callback (after this turn's opener, or the next turn's when in a check phase). */
  private schedule(): void {
    if (!this.openerQueued) {
      this.openerQueued = true;
      setImmediate(this.openTurn);
    }
    setImmediate(this.step);
  }

  private readonly openTurn = (): void => {
    this.openerQueued = false;
    this.turnStart = this.now();
    this.ranThisTurn = 0;
    this.turnsOpened++;
  };

  private readonly step = (): void => {
    if (this.ranThisTurn > 0 && this.now() - this.turnStart > this.budgetMs) {
      this.schedule();
      return;
    }
    const task = this.tasks[this.head]!;
    this.tasks[this.head++] = undefined;
    if (this.head === this.tasks.length) {
      this.tasks = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.tasks.length) {
      this.tasks = this.tasks.slice(this.head);
      this.head = 0;
    }
    this.ranThisTurn++;
    task();
  };
}

/** The process's scheduler, used by {@link yieldToEventLoop} and the store loaders' batch schedule. */
export const loopTurnScheduler = new LoopTurnScheduler();
