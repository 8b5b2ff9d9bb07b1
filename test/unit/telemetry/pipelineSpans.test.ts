import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineResult } from '../../../src/pipeline/pipelineResult.js';
import { pickExampleUserId } from '../../../src/server/pickExampleUserId.js';
import { createGateway } from '../../../src/services/createGateway.js';
import type { Gateway } from '../../../src/services/gateway.js';
import type { RecommendationList } from '../../../src/services/serviceTypes.js';
import { homeSurface } from '../../../src/surfaces/homeSurface.js';
import {
  ATTR_CANDIDATES_IN,
  ATTR_CANDIDATES_OUT,
  ATTR_LIST_ID,
  ATTR_REQUEST_ID,
  ATTR_SURFACE,
  MERGE_STAGE,
  stageName,
  TELEMETRY_SCOPE,
} from '../../../src/telemetry/telemetryNames.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../../support/trainedRegistry.js';
import { homeRequest } from '../../support/homeRequest.js';

/**
 * Issue #5 §1, "Test": an in-memory span exporter captures ONE
 * `recommendations` request through the real engine (createGateway over the
 * shared trained registry, embedded adapters) and finds the `pipeline home`
 * span and every stage span of the home surface under it, in order, with the
 * candidate counts of the run's `PipelineResult.timings`.
 */

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let tmp: string;
let gateway: Gateway;
let userId: string;
const results: { surface: string; result: PipelineResult }[] = [];
let list: RecommendationList;
let spans: ReadableSpan[];

const HTTP_REQUEST_ID = 'telemetry-test-request-1';

beforeAll(async () => {
  provider.register(); // global tracer provider + AsyncLocalStorage context manager
  const registry = await trainedRegistry();
  userId = pickExampleUserId(registry, TEST_MODEL_NAME)!;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-telemetry-'));
  gateway = await createGateway({
    registryDir: registry,
    modelName: TEST_MODEL_NAME,
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    awaitSideEffects: true,
    servedLogFlushMs: 0,
    onPipelineResult: (surface, result) => void results.push({ surface, result }),
  });
  exporter.reset();
  // Stands in for the HTTP server span the http instrumentation would start.
  list = await trace.getTracer('test').startActiveSpan('POST /graphql', async (root) => {
    try {
      return await gateway.recommendations(
        homeRequest(userId),
        gateway.createRequestScope({ requestId: HTTP_REQUEST_ID }),
      );
    } finally {
      root.end();
    }
  });
  spans = exporter.getFinishedSpans();
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await provider.shutdown();
  trace.disable();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

/**
 * Children of a span in the order they ENDED: the simple processor hands a
 * span to the exporter when it ends. (Start timestamps cannot order stages:
 * the SDK anchors each span on Date.now(), which is only ms-precise.)
 */
const childrenOf = (parent: ReadableSpan): ReadableSpan[] =>
  spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

describe('Telemetry: pipeline spans of one recommendations request', () => {
  it('the run produced one home PipelineResult and a non-empty list', () => {
    expect(results.map((r) => r.surface)).toEqual(['home']);
    expect(list.items.length).toBe(10);
  });

  it('records one `pipeline home` span under the request span, with surface, list id and request id', () => {
    const root = spans.find((s) => s.name === 'POST /graphql')!;
    const pipeline = spans.filter((s) => s.name === 'pipeline home');
    expect(pipeline).toHaveLength(1);
    expect(pipeline[0]!.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(pipeline[0]!.instrumentationScope.name).toBe(TELEMETRY_SCOPE);
    expect(pipeline[0]!.attributes).toMatchObject({
      [ATTR_SURFACE]: 'home',
      [ATTR_LIST_ID]: list.requestId,
      [ATTR_REQUEST_ID]: HTTP_REQUEST_ID,
      [ATTR_CANDIDATES_OUT]: results[0]!.result.merged,
    });
  });

  it('has one child span per stage timing, with the same name and candidate counts in and out', () => {
    const pipeline = spans.find((s) => s.name === 'pipeline home')!;
    const stages = childrenOf(pipeline);
    const timings = results[0]!.result.timings;
    expect(stages.map((s) => s.name).sort()).toEqual(timings.map((t) => t.stage).sort());
    for (const t of timings) {
      const span = stages.find((s) => s.name === t.stage)!;
      expect(span.attributes, t.stage).toMatchObject({
        [ATTR_CANDIDATES_IN]: t.in,
        [ATTR_CANDIDATES_OUT]: t.out,
      });
      expect(span.status.code, t.stage).not.toBe(SpanStatusCode.ERROR);
    }
  });

  it('covers every stage of the home surface, in order: sources (concurrent), then merge, filters, hydrators, scorer, re-rankers, selector', () => {
    const pipeline = spans.find((s) => s.name === 'pipeline home')!;
    const stages = childrenOf(pipeline);
    const sources = stages.filter((s) => s.name.startsWith('source '));
    const sequential = stages.filter((s) => !s.name.startsWith('source '));
    // Every source of the surface that the parameters switch on; they run concurrently, so no order among them.
    const sourceNames = homeSurface.sources.map((s) => stageName('source', s.name));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const s of sources) expect(sourceNames).toContain(s.name);
    expect(sources.map((s) => s.name).sort()).toEqual(
      results[0]!.result.timings
        .filter((t) => t.stage.startsWith('source '))
        .map((t) => t.stage)
        .sort(),
    );
    expect(sequential.map((s) => s.name)).toEqual([
      MERGE_STAGE,
      ...homeSurface.filters.map((f) => stageName('filter', f.name)),
      ...homeSurface.hydrators.map((h) => stageName('hydrator', h.name)),
      stageName('scorer', homeSurface.scorer.name),
      ...homeSurface.rerankers.map((r) => stageName('reranker', r.name)),
      stageName('selector', homeSurface.selector.name),
    ]);
    // Every source ended before the merge did (the merge waits for all of them).
    expect(stages.slice(0, sources.length)).toEqual(sources);
  });

  it('the counts chain: merge out = first filter in, each filter out = next in, selector out = page size', () => {
    const pipeline = spans.find((s) => s.name === 'pipeline home')!;
    const sequential = childrenOf(pipeline).filter((s) => !s.name.startsWith('source '));
    for (let k = 1; k < sequential.length; k++) {
      expect(sequential[k]!.attributes[ATTR_CANDIDATES_IN], sequential[k]!.name).toBe(
        sequential[k - 1]!.attributes[ATTR_CANDIDATES_OUT],
      );
    }
    expect(sequential[sequential.length - 1]!.attributes[ATTR_CANDIDATES_OUT]).toBe(list.items.length);
  });
});
