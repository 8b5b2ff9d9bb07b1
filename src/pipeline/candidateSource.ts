import type { SourceHit } from './candidate.js';
import type { PipelineQuery } from './pipelineQuery.js';
import type { SourceKey } from './surfaceParams.js';

/**
 * Proposes candidates. Returns at most `limit` hits, best first, without
 * duplicate ids. May reject or be slow: the orchestrator gives it
 * `query.sourceBudgetMs` and then applies the surface's fail-open policy
 * (skip it and report its `name` in `degraded`, or fail the request). It
 * should stop work when `signal` aborts (the budget ran out, or the client
 * went away). A `fetch` that does not use the signal may leave the parameter
 * out of its declaration (`fetch(q, limit)`): the pipeline then makes no
 * signal for it (`fetch.length < 3`: it is passed one shared signal that never
 * aborts), and its budget still applies.
 *
 * - `name`: stable component name (spans, metrics, `degraded`, fail-open keys).
 * - `kind`: the source kind recorded on candidates (the API's `CandidateSource`).
 * - `param`: the {@link SourceKey} whose `sources` switch and
 *   `candidatesPerSource` count apply to it.
 */
export interface CandidateSource<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  readonly kind: string;
  readonly param: SourceKey;
  fetch(query: Q, limit: number, signal: AbortSignal): Promise<readonly SourceHit[]>;
}
