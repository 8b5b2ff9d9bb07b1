import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineQueue } from '../../../src/services/pipelineQueue.js';
import { ATTR_QUEUE_AHEAD, PIPELINE_QUEUE_SPAN } from '../../../src/telemetry/telemetryNames.js';

/** The `pipeline queue` span (docs/operations.md, "Spans"): one per request that waited, none otherwise. */
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('pipeline queue span', () => {
  it('is recorded for a request that waited, with the requests ahead of it, and lasts until it was admitted', async () => {
    exporter.reset();
    const queue = pipelineQueue(1);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = queue.run({}, undefined, () => held); // admitted at once: no span
    const second = queue.run({}, undefined, () => Promise.resolve()); // waits, nobody ahead
    const third = queue.run({}, undefined, () => Promise.resolve()); // waits behind the second
    await settle();
    expect(exporter.getFinishedSpans()).toHaveLength(0); // still waiting: not ended
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([first, second, third]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual([PIPELINE_QUEUE_SPAN, PIPELINE_QUEUE_SPAN]);
    expect(spans.map((s) => s.attributes[ATTR_QUEUE_AHEAD])).toEqual([0, 1]);
    const [seconds, nanos] = spans[0]!.duration;
    expect(seconds * 1e3 + nanos / 1e6).toBeGreaterThanOrEqual(15); // it covered the 20-ms hold
  });
});
