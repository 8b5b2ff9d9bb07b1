import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { PipelineQuery } from '../../../src/pipeline/pipelineQuery.js';
import type { PipelineResult } from '../../../src/pipeline/pipelineResult.js';
import { runSideEffects } from '../../../src/pipeline/runPipeline.js';
import type { SideEffect } from '../../../src/pipeline/sideEffect.js';
import type { SurfaceConfig } from '../../../src/pipeline/surfaceConfig.js';
import { DEFAULT_SURFACE_PARAMS } from '../../../src/pipeline/surfaceParams.js';

/**
 * Regression (issue #6, the 1M tail): while the served-list log's record
 * waited up to 100 ms for its batch, the promise chain of `runSideEffects`
 * kept the whole request reachable (query, candidates, hydrated rows,
 * loaders), so scavenges promoted ~130 KB per request into the old
 * generation and drove the major GCs that paused the 1M catalog. A side
 * effect that has started and only waits must not keep the query or the result alive.
 */

// A full GC on demand (vitest's workers run without --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A macrotask: WeakRef targets are kept until the end of the job that created or read them. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function toyQuery(): PipelineQuery {
  return {
    requestId: 'list-retention',
    httpRequestId: 'req-retention',
    surface: 'toy',
    now: 0,
    requestedAt: 0,
    first: 2,
    params: DEFAULT_SURFACE_PARAMS,
    sourceBudgetMs: 50,
    run: { degraded: [] },
  };
}

/** A surface with one side effect: it reads the query, then waits on `pending` (as a buffered write does). */
function waitingSurface(pending: Promise<void>): SurfaceConfig {
  const effect: SideEffect = {
    name: 'bufferedWrite',
    async run(q) {
      const id = q.requestId; // reads the query, as the served-list log does before its write
      if (id === '') throw new Error('no id');
      return pending;
    },
  };
  return { name: 'toy', sideEffects: [effect], failOpen: {} } as unknown as SurfaceConfig;
}

/** Starts the side effects of a fresh query and result; returns weak references to them and the run. */
function start(surface: SurfaceConfig): {
  query: WeakRef<object>;
  result: WeakRef<object>;
  done: Promise<void>;
} {
  const query = toyQuery();
  const result = { list: { candidates: new Array(500).fill(null) } } as unknown as PipelineResult;
  const done = runSideEffects(surface, query, result);
  return { query: new WeakRef(query), result: new WeakRef(result), done };
}

describe('runSideEffects retention', () => {
  it('lets the query and the result go while a started side effect still waits', async () => {
    let release!: () => void;
    const pending = new Promise<void>((resolve) => (release = resolve));
    const run = start(waitingSurface(pending));
    await nextMacrotask();
    gc();
    await nextMacrotask();
    gc();
    expect(run.query.deref()).toBeUndefined();
    expect(run.result.deref()).toBeUndefined();
    // And the run still ends when the effect does.
    let ended = false;
    void run.done.then(() => (ended = true));
    await nextMacrotask();
    expect(ended).toBe(false);
    release();
    await run.done;
    expect(ended).toBe(true);
  });

  it('still reports a failing effect with the list id', async () => {
    const logged: { component: string; listId: string }[] = [];
    const failing: SideEffect = {
      name: 'broken',
      run: async () => Promise.reject(new Error('disk full')),
    };
    const surface = { name: 'toy', sideEffects: [failing], failOpen: {} } as unknown as SurfaceConfig;
    await runSideEffects(surface, toyQuery(), {} as PipelineResult, {
      logger: (component, _error, q) => void logged.push({ component, listId: q.requestId }),
    });
    expect(logged).toEqual([{ component: 'broken', listId: 'list-retention' }]);
  });
});
