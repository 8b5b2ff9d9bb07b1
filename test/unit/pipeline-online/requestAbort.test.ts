import { describe, expect, it } from 'vitest';
import { BufferedEventWriter } from '../../../src/components/sideEffects/bufferedEventWriter.js';
import type { EventRecord } from '../../../src/domain/events.js';
import type { SourceHit } from '../../../src/pipeline/candidate.js';
import type { CandidateSource } from '../../../src/pipeline/candidateSource.js';
import type { PipelineQuery } from '../../../src/pipeline/pipelineQuery.js';
import type { PipelineResult } from '../../../src/pipeline/pipelineResult.js';
import { RequestAbortedError } from '../../../src/pipeline/requestAbortedError.js';
import { runPipeline, runSideEffects } from '../../../src/pipeline/runPipeline.js';
import type { SurfaceConfig } from '../../../src/pipeline/surfaceConfig.js';
import { DEFAULT_SURFACE_PARAMS } from '../../../src/pipeline/surfaceParams.js';
import { StageTimeoutError } from '../../../src/pipeline/pipelineStageError.js';
import { withBudget } from '../../../src/pipeline/withBudget.js';
import type { EventLog } from '../../../src/stores/eventLog.js';

/**
 * Regression (fault-injection report: cut-off heavy queries kept computing and
 * were logged as served): a run whose request signal aborts stops at the next
 * stage with RequestAbortedError, and its side effects never run.
 */

function query(signal?: AbortSignal, budget = 50): PipelineQuery {
  return {
    requestId: 'list-1',
    httpRequestId: 'req-1',
    surface: 'toy',
    now: 0,
    requestedAt: 0,
    first: 2,
    params: DEFAULT_SURFACE_PARAMS,
    sourceBudgetMs: budget,
    ...(signal === undefined ? {} : { signal }),
    run: { degraded: [] },
  };
}

/** A toy surface whose every component appends its name to `calls`. */
function recordingSurface(
  calls: string[],
  sources: readonly CandidateSource[] = [listSource(calls, 'alpha', ['a', 'b', 'c'])],
): SurfaceConfig {
  return {
    name: 'toy',
    sources,
    filters: [{ name: 'keepAll', filter: async (_q, cs) => (calls.push('filter'), cs) }],
    hydrators: [{ name: 'none', hydrate: async () => void calls.push('hydrator') }],
    featureWidth: 1,
    scorer: {
      name: 'ones',
      score: async (_q, cs) => (calls.push('scorer'), Float32Array.from(cs, () => 1)),
    },
    rerankers: [{ name: 'same', rerank: () => void calls.push('reranker') }],
    selector: {
      name: 'top',
      select: async (q, list) => (
        calls.push('selector'),
        { positions: list.order.slice(0, q.first), offset: 0, hasNextPage: false, endCursor: null }
      ),
    },
    sideEffects: [{ name: 'servedLog', run: async () => void calls.push('sideEffect') }],
    failOpen: {},
  };
}

function listSource(calls: string[], name: string, ids: string[]): CandidateSource {
  return {
    name,
    kind: name.toUpperCase(),
    param: 'embedding',
    fetch: async (_q, limit) => (
      calls.push(`source ${name}`),
      ids.slice(0, limit).map((itemId) => ({ itemId, score: 1 }))
    ),
  };
}

describe('Pipeline: a request whose client disconnected', () => {
  it('runs no stage and rejects with RequestAbortedError (CLIENT_CLOSED_REQUEST) when the signal is already aborted', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    controller.abort();
    const err = await runPipeline(recordingSurface(calls), query(controller.signal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestAbortedError);
    expect((err as RequestAbortedError).code).toBe('CLIENT_CLOSED_REQUEST');
    expect(calls).toEqual([]);
  });

  it('stops after the candidate stage when the signal aborts during it: no scoring, re-ranking, selection or side effect', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const aborting: CandidateSource = {
      name: 'aborting',
      kind: 'ABORTING',
      param: 'popular',
      fetch: async () => {
        calls.push('source aborting');
        controller.abort();
        return [{ itemId: 'z', score: 1 }];
      },
    };
    const surface = recordingSurface(calls, [listSource(calls, 'alpha', ['a', 'b']), aborting]);
    const q = query(controller.signal);
    const err = await runPipeline(surface, q, { logger: () => calls.push('logged') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestAbortedError);
    // What the service would do next (it never gets here on an abort, but even so):
    await runSideEffects(surface, q, {} as PipelineResult);
    expect(calls.sort()).toEqual(['source aborting', 'source alpha']);
    // An abort is not a component failure: nothing was named degraded.
    expect(q.run.degraded).toEqual([]);
  });

  it('does not wait for a source that ignores the abort, and hands it a signal that aborts with the request', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    let sourceSignal: AbortSignal | undefined;
    let release: (hits: SourceHit[]) => void = () => undefined;
    let entered: () => void = () => undefined;
    const inSource = new Promise<void>((resolve) => (entered = resolve));
    const stuck: CandidateSource = {
      name: 'stuck',
      kind: 'STUCK',
      param: 'popular',
      fetch: (_q, _limit, signal) => {
        sourceSignal = signal;
        entered();
        return new Promise<SourceHit[]>((resolve) => (release = resolve));
      },
    };
    // No time budget: only the request's abort can end the source stage.
    const run = runPipeline(recordingSurface(calls, [stuck]), query(controller.signal, Infinity));
    await inSource;
    expect(sourceSignal!.aborted).toBe(false);
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(RequestAbortedError);
    expect(sourceSignal!.aborted).toBe(true);
    release([{ itemId: 'late', score: 1 }]);
    expect(calls).toEqual([]);
    // Without the abort the run would wait for the source forever: fail fast instead of at vitest's 60 s.
  }, 10_000);

  it('stops before the re-rankers when the signal aborts during scoring', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const surface = recordingSurface(calls);
    const aborting: SurfaceConfig = {
      ...surface,
      scorer: {
        name: 'aborting',
        score: async (_q, cs) => {
          calls.push('scorer');
          controller.abort();
          return Float32Array.from(cs, () => 1);
        },
      },
    };
    await expect(runPipeline(aborting, query(controller.signal))).rejects.toBeInstanceOf(RequestAbortedError);
    expect(calls).toEqual(['source alpha', 'filter', 'hydrator', 'scorer']);
  });

  it('runs every stage and its side effects when the signal never aborts', async () => {
    const calls: string[] = [];
    const surface = recordingSurface(calls);
    const q = query(new AbortController().signal);
    const result = await runPipeline(surface, q);
    await runSideEffects(surface, q, result);
    expect(calls).toEqual([
      'source alpha',
      'filter',
      'hydrator',
      'scorer',
      'reranker',
      'selector',
      'sideEffect',
    ]);
    expect(result.page.positions).toHaveLength(2);
  });

  it('runs no side effect for a request aborted after its run finished', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const surface = recordingSurface(calls);
    const q = query(controller.signal);
    const result = await runPipeline(surface, q);
    controller.abort();
    await runSideEffects(surface, q, result);
    expect(calls).not.toContain('sideEffect');
  });
});

describe('Pipeline: withBudget and the request signal', () => {
  it('rejects with RequestAbortedError without calling work when the request is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let called = false;
    const err = await withBudget('s', 50, async () => ((called = true), 1), controller.signal).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestAbortedError);
    expect(called).toBe(false);
  });

  it('still resolves with the work result when the request is not aborted', async () => {
    await expect(withBudget('s', 50, async () => 7, new AbortController().signal)).resolves.toBe(7);
  });

  it('work declared without a parameter gets no signal, and still times out or stops with the request', async () => {
    const never = new Promise<number>(() => {});
    let args = -1;
    const timedOut = await withBudget('slow', 5, function (this: unknown) {
      args = arguments.length;
      return never;
    }).catch((e: unknown) => e);
    expect(args).toBe(0);
    expect(timedOut).toBeInstanceOf(StageTimeoutError);
    const request = new AbortController();
    const stopped = withBudget('slow', 60_000, () => never, request.signal).catch((e: unknown) => e);
    request.abort();
    expect(await stopped).toBeInstanceOf(RequestAbortedError);
  });

  it('gives work that takes a parameter a signal that aborts at its budget', async () => {
    let seen: AbortSignal | undefined;
    const err = await withBudget('slow', 5, (signal) => {
      seen = signal;
      return new Promise<number>(() => {});
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageTimeoutError);
    expect(seen?.aborted).toBe(true);
  });

  it('runPipeline gives every source its own signal unless it says it never reads one (usesSignal: false)', async () => {
    const signals: Record<string, AbortSignal> = {};
    const recordSignal =
      (name: string) =>
      async (...args: unknown[]): Promise<readonly SourceHit[]> => {
        signals[name] = args[2] as AbortSignal;
        return [{ itemId: name, score: 1 }];
      };
    // A rest-parameter fetch (length 0) that reads the signal, and one with a defaulted signal (length 2).
    const rest: CandidateSource = {
      name: 'rest',
      kind: 'REST',
      param: 'embedding',
      fetch: recordSignal('rest'),
    };
    const defaulted: CandidateSource = {
      name: 'defaulted',
      kind: 'DEFAULTED',
      param: 'itemToItem',
      fetch: async (q, limit, signal = new AbortController().signal) =>
        recordSignal('defaulted')(q, limit, signal),
    };
    const optedOut: CandidateSource = {
      name: 'optedOut',
      kind: 'OPTED_OUT',
      param: 'popular',
      usesSignal: false,
      fetch: recordSignal('optedOut'),
    };
    const result = await runPipeline(recordingSurface([], [rest, defaulted, optedOut]), query());
    expect(result.list.candidates.map((c) => c.itemId).sort()).toEqual(['defaulted', 'optedOut', 'rest']);
    for (const name of ['rest', 'defaulted', 'optedOut']) expect(signals[name]).toBeInstanceOf(AbortSignal);
    expect(new Set(Object.values(signals)).size).toBe(3);
    expect(signals['optedOut']!.aborted).toBe(false);
  });

  it("a source's own signal aborts at its budget", async () => {
    let seen: AbortSignal | undefined;
    const slow: CandidateSource = {
      name: 'slow',
      kind: 'SLOW',
      param: 'embedding',
      fetch: (_q, _limit, signal) => ((seen = signal), new Promise<readonly SourceHit[]>(() => {})),
    };
    const result = await runPipeline(recordingSurface([], [slow]), query(undefined, 5));
    expect(result.degraded).toContain('slow');
    expect(seen?.aborted).toBe(true);
  });
});

describe('BufferedEventWriter: records of aborted requests', () => {
  it('drops a record whose signal aborted before its batch was appended, and appends the others', async () => {
    const appended: EventRecord[][] = [];
    const eventLog = { append: async (records: readonly EventRecord[]) => void appended.push([...records]) };
    const writer = new BufferedEventWriter({ eventLog: eventLog as unknown as EventLog, maxDelayMs: 60_000 });
    const record = (id: string): EventRecord => ({ kind: 'served', requestId: id }) as unknown as EventRecord;
    const gone = new AbortController();
    const kept = writer.write(record('kept'), { signal: new AbortController().signal });
    const dropped = writer.write(record('dropped'), { signal: gone.signal });
    const plain = writer.write(record('plain'));
    gone.abort();
    await writer.flush();
    await Promise.all([kept, dropped, plain]);
    expect(appended.map((batch) => batch.map((r) => (r as { requestId: string }).requestId))).toEqual([
      ['kept', 'plain'],
    ]);
  });

  it('appends nothing when every waiting record was aborted', async () => {
    let appends = 0;
    const eventLog = { append: async () => void appends++ };
    const writer = new BufferedEventWriter({ eventLog: eventLog as unknown as EventLog, maxDelayMs: 60_000 });
    const gone = new AbortController();
    const p = writer.write({ kind: 'served' } as unknown as EventRecord, { signal: gone.signal });
    gone.abort();
    await writer.flush();
    await p;
    expect(appends).toBe(0);
  });
});
