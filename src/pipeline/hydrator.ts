import type { Candidate } from './candidate.js';
import type { FeatureMatrix } from './featureMatrix.js';
import type { PipelineQuery } from './pipelineQuery.js';

/**
 * Fills feature rows for ALL candidates in one batch (one store read per
 * feature family, never one per candidate): row j of `features` belongs to
 * `candidates[j]`. Never drops, reorders or adds candidates. Every value it
 * writes is finite (a missing value is the feature's default). A rejection
 * fails the request unless the surface marks it fail-open.
 */
export interface Hydrator<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  hydrate(query: Q, candidates: readonly Candidate[], features: FeatureMatrix): Promise<void>;
}
