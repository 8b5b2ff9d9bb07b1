import type { Candidate } from './candidate.js';
import type { PipelineQuery } from './pipelineQuery.js';

/**
 * Drops candidates. Returns the kept candidates as a subset of the input in
 * input order: it never reorders, never adds, never changes a candidate.
 * Surfaces list filters cheap first. A rejection fails the request unless the
 * surface marks the filter fail-open (then it is skipped and reported in `degraded`).
 */
export interface Filter<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  filter(query: Q, candidates: readonly Candidate[]): Promise<readonly Candidate[]>;
}
