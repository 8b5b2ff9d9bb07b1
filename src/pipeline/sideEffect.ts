import type { PipelineResult } from './pipelineResult.js';
import type { PipelineQuery } from './pipelineQuery.js';

/**
 * Runs after the response is built (e.g. logs the served list). Its failure
 * is logged and never fails the request; it cannot change the response.
 */
export interface SideEffect<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  run(query: Q, result: PipelineResult): Promise<void>;
}
