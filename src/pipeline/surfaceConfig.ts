import type { CandidateSource } from './candidateSource.js';
import type { Filter } from './filter.js';
import type { Hydrator } from './hydrator.js';
import type { PipelineQuery } from './pipelineQuery.js';
import type { Reranker } from './reranker.js';
import type { Scorer } from './scorer.js';
import type { Selector } from './selector.js';
import type { SideEffect } from './sideEffect.js';

/**
 * One surface (page or slot) as configuration: which components run, in
 * which order, and what happens when one fails. No logic lives here
 * (conventions.md §3): an `if` becomes a parameter or a component.
 *
 * - `sources` run concurrently; their hits are merged round-robin by rank and
 *   de-duplicated up to `params.totalCandidates`.
 * - `filters` run in order, cheap first.
 * - `hydrators` fill a `featureWidth`-column matrix for the kept candidates.
 * - `scorer` scores them in one batch; `rerankers` run in order; `selector`
 *   picks the page; `sideEffects` run after the response is built.
 * - `failOpen[name]`: `true` skips a failing component and reports it in
 *   `degraded`; `false` fails the request. Defaults when a name is absent:
 *   sources and re-rankers fail open; filters, hydrators and the scorer fail closed.
 */
export interface SurfaceConfig<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  readonly sources: readonly CandidateSource<Q>[];
  readonly filters: readonly Filter<Q>[];
  readonly hydrators: readonly Hydrator<Q>[];
  /** Columns of the feature matrix (the ranker's input width). */
  readonly featureWidth: number;
  readonly scorer: Scorer<Q>;
  readonly rerankers: readonly Reranker<Q>[];
  readonly selector: Selector<Q>;
  readonly sideEffects: readonly SideEffect<Q>[];
  readonly failOpen: Readonly<Record<string, boolean>>;
}
