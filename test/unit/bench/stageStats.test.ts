import { describe, expect, it } from 'vitest';
import { StageStats } from '../../../src/bench/stageStats.js';
import type { PipelineResult } from '../../../src/pipeline/pipelineResult.js';

function run(ms: number, scorerMs: number, merged: number): PipelineResult {
  return {
    timings: [
      { stage: 'source embedding', ms: ms - scorerMs, in: 0, out: 200 },
      { stage: 'scorer onnxRanker', ms: scorerMs, in: merged, out: merged },
    ],
    ms,
    merged,
    degraded: [],
  } as unknown as PipelineResult;
}

describe('StageStats', () => {
  it('summarises each stage of each surface and adds a total row per surface', () => {
    const stats = new StageStats();
    stats.record('home', run(10, 4, 500));
    stats.record('home', run(20, 6, 300));
    stats.record('similar', run(5, 1, 100));
    const rows = stats.snapshot();
    expect(rows.map((r) => `${r.surface} ${r.stage}`)).toEqual([
      'home source embedding',
      'home scorer onnxRanker',
      'home total',
      'similar source embedding',
      'similar scorer onnxRanker',
      'similar total',
    ]);
    const scorer = rows.find((r) => r.surface === 'home' && r.stage === 'scorer onnxRanker')!;
    expect(scorer).toMatchObject({ count: 2, mean: 5, max: 6, meanIn: 400, meanOut: 400 });
    expect(rows.find((r) => r.surface === 'home' && r.stage === 'total')).toMatchObject({
      mean: 15,
      meanOut: 400,
    });
  });

  it('forgets everything on reset', () => {
    const stats = new StageStats();
    stats.record('home', run(10, 4, 500));
    stats.reset();
    expect(stats.snapshot()).toEqual([]);
  });
});
