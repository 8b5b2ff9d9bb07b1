import { StageTimeoutError } from './pipelineStageError.js';
import { RequestAbortedError } from './requestAbortedError.js';

/**
 * One time budget shared by pieces of work that start together (the
 * sources of one pipeline run): one AbortController, one timer and one
 * listener on the request's signal for all of them, instead of one of each
 * per piece (issue #6: per source they were ~1 % of a `recommendations`
 * call's CPU).
 *
 * - {@link run} races a piece of work against the budget: it resolves with
 *   the work's result, or rejects with {@link StageTimeoutError} (naming
 *   the piece) once `budgetMs` have passed since the budget was created,
 *   or with {@link RequestAbortedError} as soon as `requestSignal` aborts,
 *   without waiting for the work to notice.
 * - {@link signal}, given to every piece, aborts at that moment, so the
 *   work can stop.
 * - The request signal's listener is not `AbortSignal.any`, which leaks
 *   dependent signals of a long-lived signal in Node 20–22 (nodejs/node#54614,
 *   #55351); {@link dispose} removes it and clears the timer. Call it once
 *   every piece has settled; the budget's end also does.
 */
export class StageBudget {
  /** Aborted when the budget runs out or the request aborts. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;
  /** Why the budget ended, or null while it runs. */
  private ended: 'timeout' | 'aborted' | null = null;
  /** The racers still waiting: rejected when the budget ends. */
  private waiting: { readonly component: string; readonly reject: (err: Error) => void }[] = [];

  /**
   * @param budgetMs > 0; `Infinity` means no time budget.
   * @param requestSignal the request's abort signal. @default none (never aborted)
   */
  constructor(
    private readonly budgetMs: number,
    private readonly requestSignal?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    if (requestSignal?.aborted === true) {
      this.ended = 'aborted';
      return;
    }
    if (Number.isFinite(budgetMs)) this.timer = setTimeout(() => this.end('timeout'), budgetMs);
    if (requestSignal !== undefined) {
      this.onAbort = () => this.end('aborted');
      requestSignal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /**
   * Runs `work(signal)` within the budget (see the class docs). After the
   * budget ended it rejects at once, without calling `work`.
   * @param component the piece's name, for the StageTimeoutError.
   */
  run<T>(component: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.ended !== null) return Promise.reject(this.errorFor(component, this.ended));
    let running: Promise<T>;
    try {
      running = work(this.signal);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.timer === undefined && this.onAbort === undefined) return running;
    const racer = new Promise<never>((_, reject) => this.waiting.push({ component, reject }));
    return Promise.race([running, racer]);
  }

  /** Clears the timer and removes the request listener; the signal is not aborted. Idempotent. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.onAbort !== undefined) this.requestSignal?.removeEventListener('abort', this.onAbort);
    this.onAbort = undefined;
    this.waiting = [];
  }

  private end(why: 'timeout' | 'aborted'): void {
    if (this.ended !== null) return;
    this.ended = why;
    const waiting = this.waiting;
    this.dispose();
    this.controller.abort();
    for (const w of waiting) w.reject(this.errorFor(w.component, why));
  }

  private errorFor(component: string, why: 'timeout' | 'aborted'): Error {
    return why === 'aborted' ? new RequestAbortedError() : new StageTimeoutError(component, this.budgetMs);
  }
}

/**
 * Runs `work` with a time budget of its own: a {@link StageBudget} for one
 * piece of work, disposed when it settles. Resolves with its result, or
 * rejects with {@link StageTimeoutError} after `budgetMs` and aborts the
 * signal it was given; with a `requestSignal`, rejects at once with
 * {@link RequestAbortedError} when the request aborts; an already-aborted
 * `requestSignal` rejects without calling `work`.
 * @param budgetMs > 0; `Infinity` means no budget.
 * @param requestSignal the request's abort signal. @default none (never aborted)
 */
export function withBudget<T>(
  component: string,
  budgetMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  requestSignal?: AbortSignal,
): Promise<T> {
  const budget = new StageBudget(budgetMs, requestSignal);
  const running = budget.run(component, work);
  running.then(
    () => budget.dispose(),
    () => budget.dispose(),
  );
  return running;
}
