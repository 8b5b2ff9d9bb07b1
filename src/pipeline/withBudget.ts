import { StageTimeoutError } from './pipelineStageError.js';
import { RequestAbortedError } from './requestAbortedError.js';

/**
 * Runs `work` with a time budget: resolves with its result, or rejects with
 * {@link StageTimeoutError} after `budgetMs` and aborts the signal it was
 * given (so the work can stop). The timer is cleared either way.
 *
 * With a `requestSignal` (the HTTP request's, see `PipelineQuery.signal`)
 * the signal `work` gets also aborts when the request does (one listener
 * on `requestSignal`, removed when the work settles; not `AbortSignal.any`,
 * which leaks dependent signals of a long-lived one in Node 20–22,
 * nodejs/node#54614, #55351), and the returned promise rejects at once with
 * {@link RequestAbortedError} without waiting for `work` to notice; an
 * already-aborted `requestSignal` rejects without calling `work`.
 *
 * A `work` function declared without a parameter (`work.length === 0`; a
 * rest parameter counts as none) gets no signal, and none is made: an AbortSignal is an EventTarget, and making
 * one per source per request was ~1 % of a `recommendations` call's CPU
 * (issue #6 profile). Its budget and the request's abort still reject the
 * returned promise.
 * @param budgetMs > 0; `Infinity` means no budget.
 * @param requestSignal the request's abort signal. @default none (never aborted)
 */
export function withBudget<T>(
  component: string,
  budgetMs: number,
  work: ((signal: AbortSignal) => Promise<T>) | (() => Promise<T>),
  requestSignal?: AbortSignal,
): Promise<T> {
  if (requestSignal?.aborted === true) return Promise.reject(new RequestAbortedError());
  const controller = work.length === 0 ? null : new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const racers: Promise<never>[] = [];
  if (Number.isFinite(budgetMs)) {
    racers.push(
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller?.abort();
          reject(new StageTimeoutError(component, budgetMs));
        }, budgetMs);
      }),
    );
  }
  if (requestSignal !== undefined) {
    racers.push(
      new Promise<never>((_, reject) => {
        onAbort = () => {
          controller?.abort();
          reject(new RequestAbortedError());
        };
        requestSignal.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
  const cleanUp = (): void => {
    clearTimeout(timer);
    if (onAbort !== undefined) requestSignal?.removeEventListener('abort', onAbort);
  };
  let running: Promise<T>;
  try {
    running = controller === null ? (work as () => Promise<T>)() : work(controller.signal);
  } catch (err) {
    cleanUp();
    return Promise.reject(err);
  }
  if (racers.length === 0) return running;
  return Promise.race([running, ...racers]).finally(cleanUp);
}
