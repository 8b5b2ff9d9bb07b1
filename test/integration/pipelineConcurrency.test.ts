import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { homeRequest } from '../support/homeRequest.js';
import { trainedRegistry } from '../support/trainedRegistry.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';

/**
 * RECGATE_PIPELINE_CONCURRENCY (issue #6, memory under overload): at most
 * that many pipeline runs at once across all requests; 0 = no limit. Each
 * run's interval is taken from `onPipelineResult` (end = when it is called,
 * start = end − the run's own `ms`).
 */
let tmp: string;
const gateways: Gateway[] = [];

type QueueReader = () => { readonly running: number; readonly waiting: number } | null;

async function gatewayWith(pipelineConcurrency: number): Promise<{
  gateway: Gateway;
  runs: { start: number; end: number }[];
  queue: () => ReturnType<QueueReader>;
}> {
  const runs: { start: number; end: number }[] = [];
  let reader: QueueReader = () => {
    throw new Error('the gateway registered no pipeline queue reader');
  };
  const gateway = await createGateway({
    registryDir: await trainedRegistry(),
    eventLogFile: path.join(tmp, `events-${gateways.length}.jsonl`),
    eventLogFsync: 'never',
    rankingRefreshMs: 1e12,
    servedLogFlushMs: 0,
    pipelineConcurrency,
    onPipelineResult: (_surface, result) => {
      const end = performance.now();
      runs.push({ start: end - result.ms, end });
    },
    telemetry: { ...noopTelemetry, observePipelineQueue: (read) => void (reader = read) },
  });
  gateways.push(gateway);
  return { gateway, runs, queue: () => reader() };
}

/** Most runs whose intervals overlap at one instant. */
function mostAtOnce(runs: readonly { start: number; end: number }[]): number {
  const edges = runs.flatMap((r) => [
    { t: r.start, d: 1 },
    { t: r.end, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d); // an end before a start at the same instant
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

/**
 * `n` concurrent requests: half `recommendations` first pages, half `similarItems` (of an item the
 * first of them recommends, asked alone first), each in its own scope. Empties `runs` before the burst.
 */
async function burst(gateway: Gateway, runs: unknown[], n: number): Promise<void> {
  const seed = await gateway.recommendations(homeRequest(null, { first: 1 }), gateway.createRequestScope());
  const itemId = seed.items[0]!.itemId;
  runs.length = 0;
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      i % 2 === 0
        ? gateway.recommendations(homeRequest(String(2850 + i)), gateway.createRequestScope())
        : gateway.similarItems(
            { itemId, userId: null, first: 10, filter: null },
            gateway.createRequestScope(),
          ),
    ),
  );
  for (const a of answers) expect(a.items.length).toBe(10);
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-pipeline-concurrency-'));
});

afterAll(async () => {
  for (const g of gateways) await g.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('Gateway: pipeline runs at once (RECGATE_PIPELINE_CONCURRENCY)', () => {
  it('with no limit, concurrent requests run their pipelines side by side (the control)', async () => {
    const { gateway, runs, queue } = await gatewayWith(0);
    expect(queue()).toBeNull(); // no limit: the gauges report nothing
    await burst(gateway, runs, 12);
    expect(runs).toHaveLength(12);
    expect(mostAtOnce(runs)).toBeGreaterThan(2);
  }, 120_000);

  it('with a limit of 2, no more than 2 run at once and every request is answered', async () => {
    const { gateway, runs, queue } = await gatewayWith(2);
    expect(queue()).toEqual({ running: 0, waiting: 0 });
    const seen: { running: number; waiting: number }[] = [];
    const sampler = setInterval(() => seen.push({ ...queue()! }), 1);
    try {
      await burst(gateway, runs, 12);
    } finally {
      clearInterval(sampler);
    }
    // The recgate_pipeline_requests_* gauges' reader saw the queue full, with requests waiting.
    expect(Math.max(...seen.map((q) => q.running))).toBe(2);
    expect(Math.max(...seen.map((q) => q.waiting))).toBeGreaterThan(0);
    expect(queue()).toEqual({ running: 0, waiting: 0 });
    expect(runs).toHaveLength(12);
    expect(mostAtOnce(runs)).toBeLessThanOrEqual(2);
    expect(mostAtOnce(runs)).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('the lists of one request share its slot: with a limit of 1, its first page and a similar list run together', async () => {
    const { gateway, runs } = await gatewayWith(1);
    const itemId = (
      await gateway.recommendations(homeRequest(null, { first: 1 }), gateway.createRequestScope())
    ).items[0]!.itemId;
    runs.length = 0;
    const scope = gateway.createRequestScope();
    const other = gateway.createRequestScope();
    await Promise.all([
      gateway.recommendations(homeRequest('2850'), scope),
      gateway.similarItems({ itemId, userId: null, first: 10, filter: null }, scope),
      gateway.recommendations(homeRequest('2851'), other), // another request waits for the slot
    ]);
    expect(runs).toHaveLength(3);
    expect(mostAtOnce(runs)).toBe(2);
  }, 120_000);

  it('reads RECGATE_PIPELINE_CONCURRENCY, defaults to 16 and refuses a bad value by name', async () => {
    expect(configFromEnv({ RECGATE_PIPELINE_CONCURRENCY: '4' }).pipelineConcurrency).toBe(4);
    expect(configFromEnv({ RECGATE_PIPELINE_CONCURRENCY: '0' }).pipelineConcurrency).toBe(0);
    const { GATEWAY_DEFAULTS } = await import('../../src/config.js');
    expect(GATEWAY_DEFAULTS.pipelineConcurrency).toBe(16);
    for (const bad of ['-1', '1.5', 'many', '70000']) {
      expect(() => configFromEnv({ RECGATE_PIPELINE_CONCURRENCY: bad })).toThrow(
        /^RECGATE_PIPELINE_CONCURRENCY: expected an integer in 0\.\.65536/,
      );
    }
  });
});
