import { describe, expect, it } from 'vitest';
import {
  formatReport,
  hostSpeedNote,
  RECORDED_HOST_FLOOR_MS,
  SLOW_HOST_FACTOR,
  targetRows,
} from '../../../src/bench/benchReport.js';
import type { BenchResults, CatalogResult, ScenarioResult } from '../../../src/bench/benchResults.js';
import { savedRunProblem } from '../../../src/bench/benchResults.js';

const latency = (p50: number, p99: number) => ({ count: 100, mean: p50, p50, p90: p99, p99, max: p99 });

function scenario(
  name: ScenarioResult['name'],
  rps: number,
  extra: Partial<ScenarioResult> = {},
): ScenarioResult {
  return {
    name,
    description: name,
    saturation: {
      connections: 8,
      seconds: 10,
      requestsPerSecond: rps,
      unitsPerSecond: name === 'feedbackBatch' ? rps * 100 : rps,
      latency: latency(5, 20),
      failures: 0,
      cpuMsPerRequest: 1.2,
      eventLoopDelay: { p50: 1, p99: 5, max: 9 },
    },
    rates: [],
    stages: [],
    healthz: null,
    ...extra,
  };
}

function catalog(
  name: string,
  scenarios: ScenarioResult[],
  extra: Partial<CatalogResult> = {},
): CatalogResult {
  return {
    name,
    items: 10_000,
    index: 'exact',
    version: 'v1',
    variant: '',
    origin: { how: 'cached', seconds: 0 },
    coldStart: { spawnToReadySeconds: 3, readySeconds: 1, annGraph: null },
    peakRssBytes: 300e6,
    scenarios,
    ...extra,
  };
}

const BASE: BenchResults = {
  machine: {
    cpu: 'x',
    cores: 2,
    memoryGiB: 24,
    node: 'v20',
    platform: 'Linux',
    loadAverageStart: [1, 1, 1],
    loadAverageEnd: [2, 2, 2],
  },
  command: 'npm run bench',
  quick: false,
  startedAt: '2024-01-01T00:00:00Z',
  seconds: 60,
  catalogs: [],
  ann: [],
  profile: { skipped: 'not run' },
  targets: [],
};

describe('Bench report: the target table', () => {
  it('has one row per target of issue #6, "not measured" (met null) when the run lacks it', () => {
    const rows = targetRows(BASE);
    expect(rows.map((r) => r.what)).toEqual([
      '`recommendations(first:20)`, 500 candidates, 10k items',
      'same, 1M items',
      'server CPU per `recommendations` call',
      'retrieval over 1M items',
      'feedback ingestion',
      'cold start to ready, 100k-item model',
      'memory, 1M items × 64-d',
      'event loop',
    ]);
    expect(rows.every((r) => r.met === null && r.measured === 'not measured in this run')).toBe(true);
  });

  it('judges each measured row against its threshold', () => {
    const rec = scenario('recommendations', 700, {
      rates: [{ rate: 200, achieved: 200, latency: latency(2.5, 9), failures: 0, cpuMsPerRequest: 1 }],
      healthz: latency(2, 25),
    });
    const results: BenchResults = {
      ...BASE,
      catalogs: [
        catalog('synthetic-10k', [rec, scenario('feedbackBatch', 250)]),
        catalog('synthetic-10k', [scenario('feedbackBatch', 40)], { variant: 'redis' }),
        catalog('synthetic-100k', [], {
          coldStart: { spawnToReadySeconds: 9, readySeconds: 6, annGraph: null },
        }),
        catalog(
          'synthetic-1m',
          [scenario('recommendations', 100, { rates: [{ rate: 200, skipped: 'above' }] })],
          {
            peakRssBytes: 900e6,
          },
        ),
      ],
    };
    const met = Object.fromEntries(targetRows(results).map((r) => [r.what, r.met]));
    expect(met).toEqual({
      '`recommendations(first:20)`, 500 candidates, 10k items': true,
      'same, 1M items': false,
      'server CPU per `recommendations` call': true,
      'retrieval over 1M items': null,
      'feedback ingestion': false, // 25,000/s on memory but 4,000/s on Redis
      'cold start to ready, 100k-item model': false,
      'memory, 1M items × 64-d': false,
      'event loop': false,
    });
    const report = formatReport({ ...results, targets: targetRows(results) });
    expect(report).toContain('| feedback ingestion |');
    expect(report).toContain('memory: 25,000 events/s; Redis: 4,000 events/s');
    expect(report).toContain('| **no** |');
    // A --quick run shows the same figures without a verdict (newcomer report, session 24).
    const quick = formatReport({ ...results, quick: true, targets: targetRows(results) });
    expect(quick).toContain('no measure of the targets');
    expect(quick).toContain('memory: 25,000 events/s; Redis: 4,000 events/s');
    expect(quick).not.toContain('**no**');
    expect(quick).not.toContain('| yes |');
    expect(quick.match(/\| – \(quick run\) \|/g)?.length).toBe(targetRows(results).length);
    const withReady = {
      ...results,
      catalogs: results.catalogs.map((c) =>
        'name' in c && c.name === 'synthetic-1m'
          ? { ...c, vectorPrecision: 'float16', atReady: { rssBytes: 450e6, peakRssBytes: 520e6 } }
          : c,
      ),
    };
    const row = targetRows(withReady).find((r) => r.what === 'memory, 1M items × 64-d')!;
    expect(row.measured).toContain('900 MB peak RSS');
    expect(row.measured).toContain('exact index, float16 item vectors;');
    expect(row.measured).toContain('450 MB RSS when ready (start-up peak 520 MB)');
    // A run recorded before the precision was reported names none.
    const older = targetRows(results).find((r) => r.what === 'memory, 1M items × 64-d')!;
    expect(older.measured).toContain('exact index; it includes');
    expect(row.met).toBe(false);
  });

  it('meets the 10k row only with a layout that meets both parts, one process or the replicas, and renders them', () => {
    const rec = scenario('recommendations', 250, {
      rates: [
        {
          rate: 200,
          achieved: 200,
          latency: latency(2.5, 9),
          schedulerLag: latency(0.5, 1.5),
          failures: 0,
          cpuMsPerRequest: 1,
        },
      ],
    });
    const replicas = {
      catalog: 'synthetic-10k',
      index: 'exact',
      replicas: 2,
      connectionsPerReplica: 4,
      seconds: 10,
      requestsPerSecond: 640,
      perReplica: [
        { requestsPerSecond: 330, latency: latency(10, 30) },
        { requestsPerSecond: 310, latency: latency(11, 31) },
      ],
      cpuMsPerRequest: 2.5,
      rates: [
        { rate: 200, achieved: 200, latency: latency(2.2, 8.5), failures: 0, cpuMsPerRequest: 2.1 },
        {
          rate: 300,
          achieved: 300,
          latency: latency(2.4, 9),
          schedulerLag: latency(0.4, 1.2),
          failures: 0,
          cpuMsPerRequest: 2,
        },
        { rate: 800, skipped: 'above the 640 req/s saturation throughput' },
      ],
    };
    const withReplicas: BenchResults = { ...BASE, catalogs: [catalog('synthetic-10k', [rec])], replicas };
    const row = targetRows(withReplicas)[0]!;
    expect(row.met).toBe(true);
    expect(row.measured).toContain(
      'one server process: p50 2.5 ms, p99 9.0 ms at 200 req/s; 250 req/s at saturation. 2 replicas (one per core, requests sent round robin): p50 2.2 ms, p99 8.5 ms at 200 req/s; 640 req/s at saturation',
    );
    // Either part missed on the replicas: one process's latency does not make up for it.
    const slower = { ...withReplicas, replicas: { ...replicas, requestsPerSecond: 590 } };
    expect(targetRows(slower)[0]!.met).toBe(false);
    const slowTail = {
      ...withReplicas,
      replicas: {
        ...replicas,
        rates: [{ rate: 200, achieved: 200, latency: latency(2.2, 10.5), failures: 0, cpuMsPerRequest: 2 }],
      },
    };
    expect(targetRows(slowTail)[0]!.met).toBe(false);
    // A run recorded before the replicas' latency was measured: their throughput alone is not enough.
    const { rates: _omitted, ...saturationOnly } = replicas;
    const older = { ...withReplicas, replicas: saturationOnly };
    expect(targetRows(older)[0]!.met).toBe(false);
    expect(targetRows(older)[0]!.measured).toContain('2 replicas (one per core): 640 req/s at saturation');
    // One process that meets both parts on its own.
    const fast = scenario('recommendations', 650, { rates: rec.rates });
    expect(targetRows({ ...BASE, catalogs: [catalog('synthetic-10k', [fast])] })[0]!.met).toBe(true);
    const report = formatReport({ ...withReplicas, targets: targetRows(withReplicas) });
    expect(report).toContain('## Replicas: recommendations on both cores');
    expect(report).toContain('| 2 | 310 | 11.0 / 31.0 / 31.0 |');
    expect(report).toContain('| 200 | 200 | 2.2 / 8.5 / 8.5 / 8.5 | – | 2.10 |');
    expect(report).toContain('200/s: 2.5 / 9.0 / 9.0 (200; sent late p99 1.5)');
    expect(report).toContain('| 300 | 300 | 2.4 / 9.0 / 9.0 / 9.0 | 0.40 / 1.20 | 2.00 |');
    expect(report).toContain('| 800 | skipped (above the 640 req/s saturation throughput) | – | – | – |');
    expect(formatReport({ ...BASE, replicas: { skipped: 'not run with --quick' } })).toContain(
      'not run with --quick',
    );
  });

  it('meets the 1M row with the replicas when one process cannot sustain 200 req/s, and says which', () => {
    const oneProcess = scenario('recommendations', 150, { rates: [{ rate: 200, skipped: 'above' }] });
    const replicas1m = {
      catalog: 'synthetic-1m',
      index: 'ivf',
      replicas: 2,
      connectionsPerReplica: 4,
      seconds: 10,
      requestsPerSecond: 300,
      perReplica: [
        { requestsPerSecond: 150, latency: latency(20, 40) },
        { requestsPerSecond: 150, latency: latency(20, 40) },
      ],
      cpuMsPerRequest: 5,
      rates: [{ rate: 200, achieved: 199, latency: latency(6, 14), failures: 0, cpuMsPerRequest: 5 }],
    };
    const results: BenchResults = {
      ...BASE,
      catalogs: [catalog('synthetic-1m', [oneProcess])],
      replicas1m,
    };
    const row = targetRows(results).find((r) => r.what === 'same, 1M items')!;
    expect(row.met).toBe(true);
    expect(row.measured).toBe(
      'one server process: 200 req/s not sustainable (above); 150 req/s at saturation. 2 replicas (one per core, round robin): p99 14.0 ms at 200 req/s (p50 6.0 ms); 300 req/s at saturation',
    );
    const tooSlow = {
      ...results,
      replicas1m: {
        ...replicas1m,
        rates: [{ rate: 200, achieved: 199, latency: latency(6, 16), failures: 0, cpuMsPerRequest: 5 }],
      },
    };
    expect(targetRows(tooSlow).find((r) => r.what === 'same, 1M items')!.met).toBe(false);
    expect(formatReport({ ...results, targets: targetRows(results) })).toContain(
      '## Replicas at 1M items: recommendations on both cores',
    );
  });
});

describe('Bench report: IVF-Flat beside HNSW', () => {
  const ann1m = {
    catalog: 'synthetic-1m',
    items: 1_000_000,
    dimension: 65,
    queries: 1000,
    parameters: { m: 24, efConstruction: 256, efSearch: 1024, quantization: 'i8' as const },
    graph: { source: 'cache' as const, seconds: 2 },
    recallAt100: 0.966,
    annLatency: latency(2, 3.5),
    annFilteredLatency: latency(2.5, 4.5),
    exactLatency: latency(23, 34),
    searchStats: { searches: 1000, refetches: 0, exactFallbacks: 0 },
    sweep: [],
    hnswRssGrowthBytes: 300 * 2 ** 20,
    ivf: {
      parameters: { lists: 0, probes: 16, trainingSample: 65_536, iterations: 10, seed: 42 },
      lists: 4095,
      build: { source: 'built' as const, seconds: 15.3 },
      memoryBytes: 302 * 2 ** 20,
      rssGrowthBytes: 296 * 2 ** 20,
      recallAt100: 0.972,
      annLatency: latency(0.4, 1.7),
      annFilteredLatency: latency(0.6, 2.4),
      searchStats: { searches: 1000, refetches: 0, exactFallbacks: 0 },
      sweep: [{ probes: 8, recallAt100: 0.954, latency: latency(0.3, 1.2) }],
    },
  };

  it('adds a target row judged on the IVF figures, and the comparison and probes tables', () => {
    const results: BenchResults = { ...BASE, ann: [ann1m] };
    const rows = targetRows(results);
    expect(rows.find((r) => r.what === 'retrieval over 1M items (HNSW, `ann`)')!.met).toBe(false); // HNSW p99 3.5 ms
    expect(rows.find((r) => r.what === 'retrieval over 1M items (IVF-Flat, the default)')).toMatchObject({
      met: true,
      measured: expect.stringContaining('recall@100 0.972, p99 1.70 ms (k = 100, 16 of 4095 lists'),
    });
    const report = formatReport({ ...results, targets: rows });
    expect(report).toContain(
      '| synthetic-1m | IVF-Flat 4,095 lists, 16 probes | built in 15.3 s | RSS +296 MB (index 302 MB) | 0.972 | 0.40 / 1.70 | 2.40 |',
    );
    expect(report).toContain('| synthetic-1m | 8 | 0.954 | 0.30 / 1.20 |');
    expect(report).toContain('| synthetic-1m | 16 | 0.972 | 0.40 / 1.70 |');
  });

  it('adds a row, a comparison row and probes rows for IVF over float16 vectors, judged on its own figures', () => {
    const ivfHalf = {
      ...ann1m.ivf,
      precision: 'float16' as const,
      storage: 'none' as const,
      build: { source: 'cache' as const, seconds: 0.4 },
      recallAt100: 0.948,
      itemRecallAt20: 0.951,
      annLatency: latency(0.5, 1.9),
      sweep: [{ probes: 32, recallAt100: 0.985, latency: latency(0.8, 2.6) }],
    };
    const results: BenchResults = {
      ...BASE,
      command: 'RECGATE_VECTOR_PRECISION=float16 npm run bench -- --catalogs synthetic-1m',
      ann: [{ ...ann1m, ivfHalf }],
    };
    const rows = targetRows(results);
    expect(
      rows.find((r) => r.what.startsWith('retrieval over 1M items (IVF-Flat over float16 vectors')),
    ).toMatchObject({
      met: false, // recall 0.948 < 0.95
      measured: expect.stringMatching(
        /recall@100 0\.948 against exact search over the float32 vectors, p99 1\.90 ms.*item-vector queries \(similar items\): recall@20 0\.951$/,
      ),
    });
    const report = formatReport({ ...results, targets: rows });
    expect(report).toContain(
      '| synthetic-1m | IVF-Flat 4,095 lists, 16 probes, none storage, float16 rows | cache in 0.4 s |',
    );
    expect(report).toContain(
      'Command: `RECGATE_VECTOR_PRECISION=float16 npm run bench -- --catalogs synthetic-1m`',
    );
    expect(report).toContain('| synthetic-1m (float16) | 32 | 0.985 | 0.80 / 2.60 |');
    expect(report).toContain('| synthetic-1m (float16) | 16 | 0.948 | 0.50 / 1.90 |');
    expect(report).toContain('| synthetic-1m | 16 | 0.972 | 0.40 / 1.70 |');
  });

  it('leaves runs without IVF figures as they were (no IVF row, no IVF table)', () => {
    const { ivf: _ivf, ...hnswOnly } = ann1m;
    const results: BenchResults = { ...BASE, ann: [hnswOnly] };
    expect(targetRows(results).map((r) => r.what)).not.toContain(
      'retrieval over 1M items (IVF-Flat, the default)',
    );
    expect(formatReport({ ...results, targets: [] })).not.toContain('IVF-Flat');
  });
});

describe('Bench report: host speed', () => {
  const withFloor = (cpuMs: number, catalogName = 'synthetic-10k'): BenchResults => {
    const typename = scenario('typename', 5000);
    return {
      ...BASE,
      catalogs: [
        catalog(catalogName, [
          scenario('recommendations', 700),
          { ...typename, saturation: { ...typename.saturation, cpuMsPerRequest: cpuMs } },
        ]),
      ],
    };
  };

  it("compares the run's { __typename } floor with the recorded host's and warns at 1.5× or more", () => {
    // 0.66 ms was this host's floor on 12-06; 0.66 / 0.15 = 4.4.
    const slow = hostSpeedNote(withFloor(0.66))!;
    expect(slow).toContain('was 0.66 ms in this run, against 0.15 ms');
    expect(slow).toContain('about 4.4× slower');
    expect(slow).toContain('measure the host, not the targets');
    const fast = hostSpeedNote(withFloor(0.16))!;
    expect(fast).toContain('was 0.16 ms in this run');
    expect(fast).toContain('(1.1×), so its rows compare');
    expect(fast).not.toContain('slower');
    // The boundary: exactly 1.5× warns, just under does not.
    expect(hostSpeedNote(withFloor(RECORDED_HOST_FLOOR_MS * SLOW_HOST_FACTOR))).toContain('slower');
    expect(hostSpeedNote(withFloor(RECORDED_HOST_FLOOR_MS * SLOW_HOST_FACTOR * 0.99))).not.toContain(
      'slower',
    );
  });

  it('is printed above the target table, and left out when the run has no floor on synthetic-10k', () => {
    const report = formatReport({ ...withFloor(0.66), targets: [] });
    expect(report.indexOf('Host speed:')).toBeGreaterThan(report.indexOf('Command:'));
    expect(report.indexOf('Host speed:')).toBeLessThan(report.indexOf('## Targets'));
    expect(hostSpeedNote(withFloor(0.66, 'synthetic-100k'))).toBeNull();
    expect(hostSpeedNote(BASE)).toBeNull();
    expect(formatReport({ ...BASE, targets: [] })).not.toContain('Host speed:');
  });
});

describe('Bench report: what --render accepts', () => {
  it("accepts a run's JSON and names each top-level field another JSON value lacks", () => {
    const saved: unknown = JSON.parse(JSON.stringify({ ...BASE, targets: targetRows(BASE) }));
    expect(savedRunProblem(saved)).toBeNull();
    expect(() => formatReport(saved as BenchResults)).not.toThrow();
    expect(savedRunProblem({})).toBe(
      'missing or of the wrong type: machine, profile, catalogs, ann, targets, startedAt, command, seconds',
    );
    expect(savedRunProblem({ ...BASE, catalogs: {}, seconds: '60' })).toBe(
      'missing or of the wrong type: catalogs, seconds',
    );
    expect(savedRunProblem({ ...BASE, machine: [] })).toBe('missing or of the wrong type: machine');
    for (const notObject of [null, [], [BASE], 'run', 3])
      expect(savedRunProblem(notObject)).toBe('not a JSON object');
  });
});
