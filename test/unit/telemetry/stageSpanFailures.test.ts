import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CandidateSource } from '../../../src/pipeline/candidateSource.js';
import type { PipelineQuery } from '../../../src/pipeline/pipelineQuery.js';
import { PipelineStageError } from '../../../src/pipeline/pipelineStageError.js';
import { runPipeline } from '../../../src/pipeline/runPipeline.js';
import type { SurfaceConfig } from '../../../src/pipeline/surfaceConfig.js';
import { DEFAULT_SURFACE_PARAMS } from '../../../src/pipeline/surfaceParams.js';
import {
  ATTR_DEGRADED,
  ATTR_DEGRADED_PARTS,
  ATTR_ERROR_TYPE,
} from '../../../src/telemetry/telemetryNames.js';

/** How failed stages look in traces, on a toy surface (letters for items). */

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => void provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});
beforeEach(() => exporter.reset());

const query = (): PipelineQuery => ({
  requestId: 'list-1',
  surface: 'toy',
  now: 0,
  requestedAt: 0,
  first: 2,
  params: DEFAULT_SURFACE_PARAMS,
  sourceBudgetMs: 50,
  run: { degraded: [] },
});

const letters: CandidateSource = {
  name: 'letters',
  kind: 'LETTERS',
  param: 'popular',
  fetch: async () => ['a', 'b', 'c'].map((itemId, k) => ({ itemId, score: 3 - k })),
};
const broken: CandidateSource = {
  name: 'broken',
  kind: 'BROKEN',
  param: 'trending',
  fetch: async () => {
    throw new Error('backend down');
  },
};

function surface(over: Partial<SurfaceConfig> = {}): SurfaceConfig {
  return {
    name: 'toy',
    sources: [letters, broken],
    filters: [],
    hydrators: [],
    featureWidth: 1,
    scorer: { name: 'flat', score: async (_q, c) => new Float32Array(c.length) },
    rerankers: [],
    selector: {
      name: 'top',
      select: async (q, l) => ({
        positions: l.order.slice(0, q.first),
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

const span = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

describe('Telemetry: failed pipeline stages in spans', () => {
  it('a source that fails open: its span is ERROR with an exception and recgate.degraded; the run span names it', async () => {
    const result = await runPipeline(surface(), query(), { logger: () => undefined });
    expect(result.degraded).toEqual(['broken']);
    const source = span('source broken');
    expect(source.status).toEqual({ code: SpanStatusCode.ERROR, message: 'backend down' });
    expect(source.attributes).toMatchObject({ [ATTR_DEGRADED]: true, [ATTR_ERROR_TYPE]: 'Error' });
    expect(source.events.map((e) => e.name)).toEqual(['exception']);
    expect(span('source letters').status.code).toBe(SpanStatusCode.UNSET);
    expect(span('pipeline toy').attributes[ATTR_DEGRADED_PARTS]).toEqual(['broken']);
    expect(span('pipeline toy').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a filter that fails closed: its span and the run span are ERROR, one exception event each, no degraded flag', async () => {
    const failing = {
      name: 'strict',
      filter: async () => {
        throw new PipelineStageError('strict', 'timeout', 'strict timed out');
      },
    };
    await expect(runPipeline(surface({ filters: [failing] }), query())).rejects.toThrow('strict timed out');
    const filter = span('filter strict');
    expect(filter.status.code).toBe(SpanStatusCode.ERROR);
    expect(filter.attributes[ATTR_ERROR_TYPE]).toBe('timeout');
    expect(filter.attributes[ATTR_DEGRADED]).toBeUndefined();
    expect(filter.events).toHaveLength(1);
    const run = span('pipeline toy');
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.attributes[ATTR_ERROR_TYPE]).toBe('timeout');
    expect(exporter.getFinishedSpans().some((s) => s.name.startsWith('scorer '))).toBe(false);
  });
});
