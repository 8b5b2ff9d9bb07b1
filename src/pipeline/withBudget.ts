import { StageTimeoutError } from './pipelineStageError.js';

/**
 * Runs `work` with a time budget: resolves with its result, or rejects with
 * {@link StageTimeoutError} after `budgetMs` and aborts the signal it was
 * given (so the work can stop). The timer is cleared either way.
 * @param budgetMs > 0; `Infinity` means no budget.
 */
export function withBudget<T>(
  component: string,
  budgetMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  if (!Number.isFinite(budgetMs)) return work(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StageTimeoutError(component, budgetMs));
    }, budgetMs);
  });
  let running: Promise<T>;
  try {
    running = work(controller.signal);
  } catch (err) {
    clearTimeout(timer);
    return Promise.reject(err);
  }
  return Promise.race([running, timeout]).finally(() => clearTimeout(timer));
}
