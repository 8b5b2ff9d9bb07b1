import type { CandidateRowIndex } from './candidate.js';
import type { SurfaceParams } from './surfaceParams.js';

/**
 * What every pipeline stage receives about the request. Surfaces extend it
 * with their own fields (the user, the seed item…); the pipeline core only
 * reads these.
 *
 * `run` is the only mutable part: stages may append to `run.degraded` when they
 * fall back (e.g. the scorer could not load the requested ranker version).
 */
export interface PipelineQuery {
  /**
   * Identifies this one list: a fresh id per list (never a client value),
   * used as `RecommendationList.requestId`, the paging-cache key and the
   * served-list record's `requestId`.
   */
  readonly requestId: string;
  /** The HTTP request (`x-request-id`) the list was computed in: for logs and tracing only, never a key. */
  readonly httpRequestId?: string;
  /** Name of the surface being served (e.g. `home`). */
  readonly surface: string;
  /** Unix ms the request is evaluated at (feature ages, promotion windows): the feature clock. */
  readonly now: number;
  /** Unix ms on the server's wall clock when the request arrived (log timestamps). */
  readonly requestedAt: number;
  /** How many items the first page holds (1..100). */
  readonly first: number;
  /** The surface parameters after experiment overrides. */
  readonly params: SurfaceParams;
  /** Time budget of each candidate source, in ms. @default 50 */
  readonly sourceBudgetMs: number;
  /**
   * Aborted when the HTTP request's client closed the connection before the
   * response was sent. The orchestrator checks it before every stage and
   * stops with `RequestAbortedError`; sources get it combined with their time
   * budget's signal; side effects skip an aborted request. Absent: never aborted.
   */
  readonly signal?: AbortSignal;
  /**
   * The rows the sources' `row` hints name (the served model's ids). When
   * given, the merge keys candidates by their checked row instead of by id
   * string (see `mergeSources`) and leaves each candidate's checked row (−1:
   * not in it) as its `row`. Absent: keyed by id.
   */
  readonly rowIndex?: CandidateRowIndex;
  readonly run: PipelineRunState;
}

/** Mutable per-run state shared by the stages of one pipeline run. */
export interface PipelineRunState {
  /** Names of components that failed or fell back, in the order it happened. */
  readonly degraded: string[];
}
