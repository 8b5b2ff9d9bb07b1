import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineResult } from '../../../src/pipeline/pipelineResult.js';
import { initTelemetry } from '../../../src/telemetry/initTelemetry.js';
import { metricsHandler } from '../../../src/telemetry/metricsHandler.js';
import { noopTelemetry } from '../../../src/telemetry/telemetry.js';
import { getTelemetry, shutdownTelemetry } from '../../../src/telemetry/telemetryRuntime.js';

/**
 * Issue #5 §1, "Metrics": `GET /metrics` served by `metricsHandler` (the
 * OpenTelemetry Prometheus exporter, no port of its own) after a few events
 * recorded through the Telemetry facade, in a process where `initTelemetry`
 * started the SDK with the default environment (no OTEL_* variables).
 */

let server: Server;
let url: string;

beforeAll(async () => {
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
  server = createServer(metricsHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await shutdownTelemetry();
});

/** A PipelineResult with only what telemetry reads (timings). */
function fakeResult(timings: PipelineResult['timings']): PipelineResult {
  return { timings, degraded: [], merged: 0, ms: 1 } as unknown as PipelineResult;
}

describe('Telemetry: /metrics', () => {
  it('answers 404 with a reason, and the facade is the no-op one, before telemetry is started', async () => {
    expect(getTelemetry()).toBe(noopTelemetry);
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/metrics are off/);
  });

  it('after initTelemetry, serves every recgate metric in the Prometheus text format', async () => {
    const runtime = initTelemetry();
    expect(runtime.config).toMatchObject({ disabled: false, exportTraces: false, metrics: true });
    const telemetry = getTelemetry();
    expect(telemetry).not.toBe(noopTelemetry);

    telemetry.recordOperation('Home', 'query', 0.042, true);
    telemetry.recordOperation(null, 'mutation', 0.2, false);
    telemetry.recordPipelineResult(
      'home',
      fakeResult([
        { stage: 'source embedding', ms: 3, in: 0, out: 200 },
        { stage: 'source popular', ms: 0.5, in: 0, out: 50 },
        { stage: 'merge', ms: 0.2, in: 0, out: 230 },
        { stage: 'filter seenItems', ms: 0.3, in: 230, out: 180 },
        { stage: 'scorer onnxRanker', ms: 4, in: 180, out: 180 },
      ]),
    );
    telemetry.recordDegraded(['embedding', 'featureStore']);
    telemetry.recordFeedback('CLICK', true);
    telemetry.recordFeedback('CLICK', true);
    telemetry.recordFeedback('LIKE', false);
    telemetry.recordServed([{ sources: ['EMBEDDING', 'POPULAR'] }, { sources: ['EMBEDDING'] }]);
    telemetry.recordPagingCache(true);
    telemetry.recordPagingCache(false);
    telemetry.setModelVersion('v-test-1');
    telemetry.recordRequestAborted();

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const [name, type] of [
      ['recgate_operation_duration_seconds', 'histogram'],
      ['recgate_pipeline_stage_duration_seconds', 'histogram'],
      ['recgate_source_candidates', 'histogram'],
      ['recgate_degraded_total', 'counter'],
      ['recgate_feedback_events_total', 'counter'],
      ['recgate_served_items_total', 'counter'],
      ['recgate_model_info', 'gauge'],
      ['recgate_paging_cache_requests_total', 'counter'],
      ['recgate_requests_aborted_total', 'counter'],
    ] as const) {
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    const line = (name: string, ...labels: string[]): string | undefined =>
      text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((lb) => l.includes(lb)));
    expect(
      line('recgate_operation_duration_seconds_count', 'graphql_operation_name="Home"', 'outcome="ok"'),
    ).toMatch(/ 1$/);
    expect(
      line(
        'recgate_operation_duration_seconds_count',
        'graphql_operation_name="anonymous"',
        'outcome="error"',
      ),
    ).toMatch(/ 1$/);
    expect(
      line('recgate_pipeline_stage_duration_seconds_sum', 'surface="home"', 'stage="filter seenItems"'),
    ).toMatch(/ 0\.0003$/);
    expect(line('recgate_source_candidates_sum', 'source="embedding"')).toMatch(/ 200$/);
    expect(line('recgate_source_candidates_sum', 'source="popular"')).toMatch(/ 50$/);
    expect(line('recgate_degraded_total', 'part="featureStore"')).toMatch(/ 1$/);
    expect(line('recgate_feedback_events_total', 'type="CLICK"', 'accepted="true"')).toMatch(/ 2$/);
    expect(line('recgate_feedback_events_total', 'type="LIKE"', 'accepted="false"')).toMatch(/ 1$/);
    expect(line('recgate_served_items_total', 'source="EMBEDDING"')).toMatch(/ 2$/);
    expect(line('recgate_served_items_total', 'source="POPULAR"')).toMatch(/ 1$/);
    expect(line('recgate_model_info', 'version="v-test-1"')).toMatch(/ 1$/);
    expect(line('recgate_paging_cache_requests_total', 'result="hit"')).toMatch(/ 1$/);
    expect(line('recgate_paging_cache_requests_total', 'result="miss"')).toMatch(/ 1$/);
    expect(line('recgate_requests_aborted_total')).toMatch(/ 1$/);
  });

  it('initTelemetry is idempotent: a second call returns the running runtime', () => {
    expect(initTelemetry()).toBe(initTelemetry());
  });
});
