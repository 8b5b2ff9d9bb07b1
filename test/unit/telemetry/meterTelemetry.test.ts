import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createMeterTelemetry } from '../../../src/telemetry/meterTelemetry.js';
import type { Telemetry } from '../../../src/telemetry/telemetry.js';

/** The Telemetry facade over a private MeterProvider (no globals), read back in the Prometheus format. */
function setup(maxLabelValues?: number): { telemetry: Telemetry; scrape: () => Promise<string[]> } {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const telemetry = createMeterTelemetry(
    provider.getMeter('recgate'),
    maxLabelValues === undefined ? {} : { maxLabelValues },
  );
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const scrape = async (): Promise<string[]> =>
    serializer
      .serialize((await exporter.collect()).resourceMetrics)
      .split('\n')
      .filter((l) => l.startsWith('recgate_') && !l.includes('_bucket'));
  return { telemetry, scrape };
}

describe('Telemetry: the metrics facade', () => {
  it('model info: the current version reports 1, a replaced one 0', async () => {
    const { telemetry, scrape } = setup();
    telemetry.setModelVersion('v1');
    expect(await scrape()).toEqual(['recgate_model_info{version="v1"} 1']);
    telemetry.setModelVersion('v2');
    expect(await scrape()).toEqual([
      'recgate_model_info{version="v1"} 0',
      'recgate_model_info{version="v2"} 1',
    ]);
  });

  it('paging cache gauges: read from the latest reader at each collection, none while it returns null', async () => {
    const { telemetry, scrape } = setup();
    const paging = async () => (await scrape()).filter((l) => l.startsWith('recgate_paging_cache_'));
    expect(await paging()).toEqual([]);
    let usage: { lists: number; bytes: number } | null = null; // lists kept elsewhere (Redis)
    telemetry.observePagingCache(() => usage);
    expect(await paging()).toEqual([]);
    usage = { lists: 3, bytes: 131_072 };
    expect(await paging()).toEqual(['recgate_paging_cache_lists 3', 'recgate_paging_cache_bytes 131072']);
    usage = { lists: 4, bytes: 200_000 };
    expect(await paging()).toEqual(['recgate_paging_cache_lists 4', 'recgate_paging_cache_bytes 200000']);
  });

  it('memory store users gauge: read from the latest reader at each collection, none while it returns null', async () => {
    const { telemetry, scrape } = setup();
    const gauge = async () => (await scrape()).filter((l) => l.startsWith('recgate_memory_store_users'));
    expect(await gauge()).toEqual([]);
    let users: number | null = null; // users kept elsewhere (Redis)
    telemetry.observeMemoryStoreUsers(() => users);
    expect(await gauge()).toEqual([]);
    users = 42;
    expect(await gauge()).toEqual(['recgate_memory_store_users 42']);
    users = 43;
    expect(await gauge()).toEqual(['recgate_memory_store_users 43']);
  });

  it('pipeline queue gauges: running and waiting read at each collection, none while the reader returns null', async () => {
    const { telemetry, scrape } = setup();
    const gauges = async () => (await scrape()).filter((l) => l.startsWith('recgate_pipeline_requests_'));
    expect(await gauges()).toEqual([]);
    let queue: { running: number; waiting: number } | null = null; // no limit
    telemetry.observePipelineQueue(() => queue);
    expect(await gauges()).toEqual([]);
    queue = { running: 16, waiting: 5 };
    expect(await gauges()).toEqual([
      'recgate_pipeline_requests_running 16',
      'recgate_pipeline_requests_waiting 5',
    ]);
    queue = { running: 3, waiting: 0 };
    expect(await gauges()).toEqual([
      'recgate_pipeline_requests_running 3',
      'recgate_pipeline_requests_waiting 0',
    ]);
  });

  it('feedback retry: pending read at each collection, retried and dropped (by reason) counted', async () => {
    const { telemetry, scrape } = setup();
    const retry = async () => (await scrape()).filter((l) => l.startsWith('recgate_feedback_retr'));
    let pending = 5;
    telemetry.observeFeedbackRetryPending(() => pending);
    telemetry.recordFeedbackRetried(3);
    telemetry.recordFeedbackRetryDropped(2, 'cap');
    telemetry.recordFeedbackRetryDropped(1, 'replayed');
    telemetry.recordFeedbackRetryDropped(1, 'cap');
    pending = 1;
    expect((await retry()).sort()).toEqual([
      'recgate_feedback_retried_total 3',
      'recgate_feedback_retry_dropped_total{reason="cap"} 3',
      'recgate_feedback_retry_dropped_total{reason="replayed"} 1',
      'recgate_feedback_retry_pending 1',
    ]);
  });

  it('operation names a client chooses are bounded: past maxLabelValues new names count as "other"', async () => {
    const { telemetry, scrape } = setup(2);
    for (const name of ['A', 'B', 'C', 'D', 'A']) telemetry.recordOperation(name, 'query', 0.01, true);
    const counts = (await scrape()).filter((l) => l.startsWith('recgate_operation_duration_seconds_count'));
    expect(counts.map((l) => l.replace(/,graphql_operation_type.*\}/, '}'))).toEqual([
      'recgate_operation_duration_seconds_count{graphql_operation_name="A"} 2',
      'recgate_operation_duration_seconds_count{graphql_operation_name="B"} 1',
      'recgate_operation_duration_seconds_count{graphql_operation_name="other"} 2',
    ]);
  });

  it('served items count once per item and source; an empty degraded list records nothing', async () => {
    const { telemetry, scrape } = setup();
    telemetry.recordServed([
      { sources: ['EMBEDDING', 'POPULAR'] },
      { sources: ['EMBEDDING'] },
      { sources: ['EXPLORATION'] },
    ]);
    telemetry.recordDegraded([]);
    expect(await scrape()).toEqual([
      'recgate_served_items_total{source="EMBEDDING"} 2',
      'recgate_served_items_total{source="POPULAR"} 1',
      'recgate_served_items_total{source="EXPLORATION"} 1',
    ]);
  });

  it('stage durations are recorded in seconds and source hit counts per source', async () => {
    const { telemetry, scrape } = setup();
    telemetry.recordPipelineResult('similar', {
      timings: [
        { stage: 'source seedNeighbours', ms: 2, in: 0, out: 40 },
        { stage: 'merge', ms: 0.5, in: 0, out: 40 },
      ],
    } as never);
    const lines = await scrape();
    expect(lines).toContain(
      'recgate_pipeline_stage_duration_seconds_sum{surface="similar",stage="source seedNeighbours"} 0.002',
    );
    expect(lines).toContain(
      'recgate_pipeline_stage_duration_seconds_sum{surface="similar",stage="merge"} 0.0005',
    );
    expect(lines).toContain('recgate_source_candidates_sum{source="seedNeighbours"} 40');
    expect(lines.some((l) => l.includes('source="merge"'))).toBe(false);
  });

  it('rejects a maxLabelValues that is not a positive integer', () => {
    const provider = new MeterProvider();
    expect(() => createMeterTelemetry(provider.getMeter('x'), { maxLabelValues: 0 })).toThrow(RangeError);
  });
});
