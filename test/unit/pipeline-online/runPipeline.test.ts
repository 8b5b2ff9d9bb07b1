import { describe, expect, it, vi } from 'vitest';
import type { SourceHit } from '../../../src/pipeline/candidate.js';
import type { CandidateSource } from '../../../src/pipeline/candidateSource.js';
import type { Filter } from '../../../src/pipeline/filter.js';
import type { PipelineQuery } from '../../../src/pipeline/pipelineQuery.js';
import { PipelineStageError } from '../../../src/pipeline/pipelineStageError.js';
import { logger } from '../../../src/telemetry/logger.js';
import type { Reranker } from '../../../src/pipeline/reranker.js';
import { mergeSources, runPipeline } from '../../../src/pipeline/runPipeline.js';
import type { Scorer } from '../../../src/pipeline/scorer.js';
import type { SurfaceConfig } from '../../../src/pipeline/surfaceConfig.js';
import { DEFAULT_SURFACE_PARAMS } from '../../../src/pipeline/surfaceParams.js';
import type { SurfaceParams } from '../../../src/pipeline/surfaceParams.js';

/**
 * The orchestrator on a toy surface (letters for items, no movies, no
 * stores): the pipeline core is generic. Each stage's contract from its
 * docstring is checked here.
 */

function query(params: Partial<SurfaceParams> = {}, budget = 50): PipelineQuery {
  return {
    requestId: 'r1',
    surface: 'toy',
    now: 0,
    requestedAt: 0,
    first: 3,
    params: { ...DEFAULT_SURFACE_PARAMS, ...params },
    sourceBudgetMs: budget,
    run: { degraded: [] },
  };
}

function source(
  name: string,
  param: CandidateSource['param'],
  ids: string[],
  kind = name.toUpperCase(),
): CandidateSource {
  return {
    name,
    kind,
    param,
    fetch: async (_q, limit) => ids.slice(0, limit).map((itemId, k) => ({ itemId, score: 10 - k })),
  };
}

const throwing: CandidateSource = {
  name: 'broken',
  kind: 'BROKEN',
  param: 'trending',
  fetch: async () => {
    throw new Error('backend down');
  },
};

let aborted = false;
const slow: CandidateSource = {
  name: 'slow',
  kind: 'SLOW',
  param: 'session',
  fetch: (_q, _limit, signal) =>
    new Promise<SourceHit[]>((resolve) => {
      const t = setTimeout(() => resolve([{ itemId: 'z', score: 1 }]), 500);
      signal.addEventListener('abort', () => {
        aborted = true;
        clearTimeout(t);
      });
    }),
};

/** Scores by the item's letter: a=1, b=2… (so order is reverse alphabetical). */
const letterScorer: Scorer = {
  name: 'letters',
  score: async (_q, candidates) => Float32Array.from(candidates, (c) => c.itemId.charCodeAt(0) - 96),
};

const dropB: Filter = { name: 'dropB', filter: async (_q, cs) => cs.filter((c) => c.itemId !== 'b') };
const noop = {
  name: 'noop',
  select: async () => ({ positions: [], offset: 0, hasNextPage: false, endCursor: null }),
};

function surface(over: Partial<SurfaceConfig> = {}): SurfaceConfig {
  return {
    name: 'toy',
    sources: [source('alpha', 'embedding', ['a', 'b', 'c']), source('beta', 'popular', ['c', 'd'])],
    filters: [],
    hydrators: [],
    featureWidth: 1,
    scorer: letterScorer,
    rerankers: [],
    selector: {
      name: 'top',
      select: async (q, list) => ({
        positions: list.order.slice(0, q.first),
        offset: 0,
        hasNextPage: false,
        endCursor: null,
      }),
    },
    sideEffects: [],
    failOpen: {},
    ...over,
  };
}

describe('Pipeline: merging sources', () => {
  it('merges round-robin by rank, records every source of an item in merge order and keeps the first score', () => {
    const merged = mergeSources(
      [
        {
          source: { kind: 'A' },
          hits: [
            { itemId: 'x', score: 9 },
            { itemId: 'y', score: 8 },
            { itemId: 'z', score: 7 },
          ],
        },
        {
          source: { kind: 'B' },
          hits: [
            { itemId: 'y', score: 5 },
            { itemId: 'w', score: 4 },
          ],
        },
      ],
      10,
    );
    expect(merged.map((c) => c.itemId)).toEqual(['x', 'y', 'w', 'z']);
    const y = merged[1]!;
    // Rank 0 of every source comes first: B proposed y at rank 0, A at rank 1.
    expect(y.sources).toEqual(['B', 'A']);
    expect(y.sourceScore).toBe(5);
    // RRF: 1/(60+1) from B (rank 0) + 1/(60+2) from A (rank 1).
    expect(y.fusion).toBeCloseTo(1 / 62 + 1 / 61, 12);
  });

  it('stops at totalCandidates but still records further sources of merged items', () => {
    const merged = mergeSources(
      [
        {
          source: { kind: 'A' },
          hits: [
            { itemId: 'x', score: 1 },
            { itemId: 'y', score: 1 },
          ],
        },
        {
          source: { kind: 'B' },
          hits: [
            { itemId: 'z', score: 1 },
            { itemId: 'x', score: 1 },
          ],
        },
      ],
      2,
    );
    expect(merged.map((c) => c.itemId)).toEqual(['x', 'z']);
    expect(merged[0]!.sources).toEqual(['A', 'B']);
  });

  it('keeps the first row hint of an item, takes a later one when it had none, and gives every candidate the same fields', () => {
    const merged = mergeSources(
      [
        {
          source: { kind: 'A' },
          hits: [
            { itemId: 'x', score: 1 },
            { itemId: 'y', score: 1, row: 4 },
            { itemId: 'w', score: 1 },
          ],
        },
        {
          source: { kind: 'B' },
          hits: [
            { itemId: 'x', score: 1, row: 7 },
            { itemId: 'y', score: 1, row: 9 },
            { itemId: 'z', score: 1, row: 2 },
          ],
        },
      ],
      10,
    );
    expect(merged.map((c) => [c.itemId, c.row])).toEqual([
      ['x', 7], // A's hit had no hint: B's is taken
      ['y', 4], // A's came first: kept
      ['w', -1], // no hint
      ['z', 2],
    ]);
    for (const c of merged) {
      expect(Object.keys(c)).toEqual([
        'itemId',
        'row',
        'sources',
        'via',
        'sourceScore',
        'fusion',
        'promotionId',
      ]);
    }
  });
});

describe('Pipeline: runPipeline', () => {
  it('runs sources, filters, scorer and selector in order and times every stage', async () => {
    const result = await runPipeline(surface({ filters: [dropB] }), query());
    expect(result.merged).toBe(4);
    expect(result.list.candidates.map((c) => c.itemId)).toEqual(['a', 'c', 'd']);
    expect(result.page.positions.map((p) => result.list.candidates[p]!.itemId)).toEqual(['d', 'c', 'a']);
    expect(result.degraded).toEqual([]);
    expect(result.timings.map((t) => t.stage)).toEqual([
      'source alpha',
      'source beta',
      'merge',
      'filter dropB',
      'scorer letters',
      'selector top',
    ]);
    expect(result.timings.find((t) => t.stage === 'filter dropB')).toMatchObject({ in: 4, out: 3 });
  });

  it('skips a source that throws, names it in degraded and serves the others (fail-open)', async () => {
    const q = query();
    const result = await runPipeline(
      surface({ sources: [source('alpha', 'embedding', ['a']), throwing] }),
      q,
      {
        logger: () => undefined,
      },
    );
    expect(result.degraded).toEqual(['broken']);
    expect(result.list.candidates.map((c) => c.itemId)).toEqual(['a']);
  });

  it('gives up on a source after its time budget, aborts it and reports it', async () => {
    aborted = false;
    const started = Date.now();
    const result = await runPipeline(
      surface({ sources: [source('alpha', 'embedding', ['a']), slow] }),
      query({}, 20),
      {
        logger: () => undefined,
      },
    );
    expect(Date.now() - started).toBeLessThan(400);
    expect(result.degraded).toEqual(['slow']);
    expect(aborted).toBe(true);
  });

  it('logs a timed-out source by its message only (no stack per skipped source), other failures whole', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await runPipeline(
        surface({ sources: [source('alpha', 'embedding', ['a']), slow, throwing] }),
        query({}, 20),
      );
      const byComponent = new Map(
        warn.mock.calls.map(([, fields]) => [(fields as { component: string }).component, fields]),
      );
      expect((byComponent.get('slow') as { error: unknown }).error).toMatch(
        /^slow did not answer within 20 ms/,
      );
      expect((byComponent.get('broken') as { error: unknown }).error).toBeInstanceOf(Error);
    } finally {
      warn.mockRestore();
    }
  });

  it('fails the run when a fail-closed source fails', async () => {
    const err = await runPipeline(
      surface({ sources: [throwing], failOpen: { broken: false } }),
      query(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineStageError);
    expect((err as PipelineStageError).component).toBe('broken');
  });

  it('does not call a source switched off by the parameters', async () => {
    let called = false;
    const spy: CandidateSource = {
      name: 'spy',
      kind: 'SPY',
      param: 'trending',
      fetch: async () => ((called = true), []),
    };
    await runPipeline(
      surface({ sources: [source('alpha', 'embedding', ['a']), spy] }),
      query({ sources: { ...DEFAULT_SURFACE_PARAMS.sources, trending: false } }),
    );
    expect(called).toBe(false);
  });

  it('falls back to reciprocal-rank fusion when a fail-open scorer fails', async () => {
    const broken: Scorer = { name: 'broken-scorer', score: async () => Promise.reject(new Error('onnx')) };
    const result = await runPipeline(
      surface({ scorer: broken, failOpen: { 'broken-scorer': true } }),
      query(),
      {
        logger: () => undefined,
      },
    );
    expect(result.degraded).toEqual(['broken-scorer']);
    // c is proposed by both sources, so its fused rank is best.
    expect(result.list.candidates[result.list.order[0]!]!.itemId).toBe('c');
  });

  it('keeps the previous order when a re-ranker throws or breaks the permutation contract', async () => {
    const throwingReranker: Reranker = {
      name: 'bad',
      rerank: () => {
        throw new Error('boom');
      },
    };
    const dropping: Reranker = {
      name: 'dropper',
      rerank: (_q, list) => void (list.order = list.order.slice(1)),
    };
    const result = await runPipeline(surface({ rerankers: [throwingReranker, dropping] }), query(), {
      logger: () => undefined,
    });
    expect(result.degraded).toEqual(['bad', 'dropper']);
    expect(result.list.order.map((i) => result.list.candidates[i]!.itemId)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('never runs side effects itself', async () => {
    let ran = false;
    await runPipeline(
      surface({ sideEffects: [{ name: 'log', run: async () => void (ran = true) }], selector: noop }),
      query(),
    );
    expect(ran).toBe(false);
  });
});

describe('Pipeline: event-loop turns', () => {
  it('lets I/O callbacks queued during a run (setImmediate) run before the run reaches its scorer', async () => {
    // Every stage here resolves synchronously, as over the in-memory store:
    // without yields the whole run would finish inside one task.
    const seen: string[] = [];
    const scorer: Scorer = {
      name: 'recording',
      score: async (_q, candidates) => {
        seen.push('scorer');
        return Float32Array.from(candidates, () => 1);
      },
    };
    const run = runPipeline(surface({ scorer }), query());
    setImmediate(() => seen.push('other I/O'));
    await run;
    expect(seen).toEqual(['other I/O', 'scorer']);
  });
});
