import type { SourceHit } from './candidate.js';
import type { PipelineQuery } from './pipelineQuery.js';
import type { SourceKey } from './surfaceParams.js';

/**
 * Proposes candidates. Returns at most `limit` hits, best first, without
 * duplicate ids. May reject or be slow: the orchestrator gives it
 * `query.sourceBudgetMs` and then applies the surface's fail-open policy
 * (skip it and report its `name` in `degraded`, or fail the request). It
 * should stop work when `signal` aborts (the budget ran out, or the client
 * went away).
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
  /**
   * `false` for a source that never reads `signal` (all built-in ones): the
   * pipeline then makes no AbortSignal for its call (an EventTarget per source
   * per request, ~1 % of a `recommendations` call's CPU in the issue #6
   * profile) and passes one shared signal that never aborts; do not add
   * listeners to it. Its budget still applies. @default true
   */
  readonly usesSignal?: boolean;
  fetch(query: Q, limit: number, signal: AbortSignal): Promise<readonly SourceHit[]>;
}
