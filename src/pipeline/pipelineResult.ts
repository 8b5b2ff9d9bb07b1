import type { RankedList } from './rankedList.js';
import type { PageSelection } from './selector.js';

/** Timing and size of one stage of a run (for telemetry). */
export interface StageTiming {
  /** `source embedding`, `filter seenItems`, `scorer onnxRanker`… */
  readonly stage: string;
  readonly ms: number;
  /** Candidates in and out (sources: 0 in, hits out). */
  readonly in: number;
  readonly out: number;
}

/** What one run of a surface produced. */
export interface PipelineResult {
  readonly list: RankedList;
  readonly page: PageSelection;
  /** Components that failed and were skipped (or fell back), by name. */
  readonly degraded: readonly string[];
  readonly timings: readonly StageTiming[];
  /** Candidates after merging sources, before filters. */
  readonly merged: number;
  /** Wall time of the run, in ms. */
  readonly ms: number;
}
