import { loopTurnScheduler } from './loopTurnScheduler.js';

/**
 * Resolves on a later check phase of the event loop (`setImmediate`), after
 * the I/O that is already waiting has been handled, and no sooner than the
 * process's {@link loopTurnScheduler} lets this turn's pipeline work go on.
 *
 * A pipeline run over an in-memory store resolves every `await` as a
 * microtask, so without this a whole request (tens of milliseconds of
 * JavaScript on a big list) would run as one uninterrupted task, and a
 * health check or a cheap query arriving meanwhile would wait for all of it.
 * `runPipeline` yields before its sources and between its phases (after
 * merging, after filtering, after scoring, after re-ranking), so other
 * requests' I/O is served between a request's phases; the scheduler caps how
 * many of those phases run in one loop turn (about 4 ms of work, see
 * `DEFAULT_TURN_BUDGET_MS`): the `/healthz` latency under load in
 * BENCHMARKS.md. Cost: one immediate per phase, a few microseconds.
 */
export function yieldToEventLoop(): Promise<void> {
  return loopTurnScheduler.yield();
}
