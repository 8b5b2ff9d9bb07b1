import type { Candidate } from './candidate.js';
import type { FeatureMatrix } from './featureMatrix.js';
import type { PipelineQuery } from './pipelineQuery.js';

/**
 * Scores candidates. Returns exactly one finite score per input candidate,
 * in input order (higher is better), computed in one batch. Never drops or
 * reorders: re-rankers and selectors do. A rejection fails the request unless
 * the surface marks the scorer fail-open; then candidates keep their
 * reciprocal-rank-fusion order (`Candidate.fusion`) and the scorer is reported in `degraded`.
 */
export interface Scorer<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  score(query: Q, candidates: readonly Candidate[], features: FeatureMatrix): Promise<Float32Array>;
}
