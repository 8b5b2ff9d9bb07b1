/** Why a dependency of a stage failed (conventions.md §6). */
export type FailureCategory = 'timeout' | 'unavailable' | 'misconfigured';

/**
 * A fail-closed component failed, so the whole run failed. Names the
 * component and the category; `cause` holds the original error. The service
 * layer maps it to a public `UNAVAILABLE` error (the message names no internals).
 */
export class PipelineStageError extends Error {
  override readonly name = 'PipelineStageError';
  constructor(
    readonly component: string,
    readonly category: FailureCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A source that did not answer within its budget. */
export class StageTimeoutError extends PipelineStageError {
  constructor(component: string, budgetMs: number) {
    super(component, 'timeout', `${component} did not answer within ${budgetMs} ms`);
  }
}
