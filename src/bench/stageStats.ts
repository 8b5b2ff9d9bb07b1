import type { PipelineResult } from '../pipeline/pipelineResult.js';
import { LatencyHistogram } from './latencyHistogram.js';
import type { LatencySummary } from './latencyHistogram.js';

/** One stage of one surface, summarised over the runs recorded. */
export interface StageSummary extends LatencySummary {
  readonly surface: string;
  /** `StageTiming.stage`, e.g. `source embedding`, `scorer onnxRanker`; `total` is the whole run. */
  readonly stage: string;
  /** Mean candidates the stage received (sources: 0). */
  readonly meanIn: number;
  /** Mean candidates it passed on. */
  readonly meanOut: number;
}

/**
 * Aggregates the gateway's own per-stage timings (`PipelineResult.timings`,
 * delivered through `GatewayConfig.onPipelineResult`) by surface and stage:
 * a {@link LatencyHistogram} of milliseconds plus mean candidate counts
 * in and out, and one `total` row per surface (the run's wall time, with the
 * merged candidate count as `meanOut`). O(stages) per run, constant memory.
 */
export class StageStats {
  private readonly byKey = new Map<
    string,
    { h: LatencyHistogram; inSum: number; outSum: number; surface: string; stage: string }
  >();

  /** Records one pipeline run of `surface`. */
  record(surface: string, result: PipelineResult): void {
    for (const t of result.timings) this.add(surface, t.stage, t.ms, t.in, t.out);
    this.add(surface, 'total', result.ms, 0, result.merged);
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.byKey.clear();
  }

  /** Every (surface, stage) seen, in first-seen order. */
  snapshot(): StageSummary[] {
    return [...this.byKey.values()].map((e) => ({
      surface: e.surface,
      stage: e.stage,
      ...e.h.summary(),
      meanIn: e.h.count === 0 ? 0 : e.inSum / e.h.count,
      meanOut: e.h.count === 0 ? 0 : e.outSum / e.h.count,
    }));
  }

  private add(surface: string, stage: string, ms: number, inCount: number, outCount: number): void {
    const key = `${surface}\u0000${stage}`;
    let e = this.byKey.get(key);
    if (e === undefined) {
      e = { h: new LatencyHistogram(), inSum: 0, outSum: 0, surface, stage };
      this.byKey.set(key, e);
    }
    e.h.record(ms);
    e.inSum += inCount;
    e.outSum += outCount;
  }
}
