import { setImmediate as nextLoopTurn } from 'node:timers/promises';

/**
 * Resolves on the event loop's next check phase (`setImmediate`), after the
 * I/O that is already waiting has been handled.
 *
 * A pipeline run over an in-memory store resolves every `await` as a
 * microtask, so without this a whole request (tens of milliseconds of
 * JavaScript on a big list) would run as one uninterrupted task, and a
 * health check or a cheap query arriving meanwhile would wait for all of it.
 * `runPipeline` yields between its phases (after merging, after filtering,
 * after scoring, after re-ranking), so other requests' I/O is served between
 * a request's phases: the `/healthz` latency under load in BENCHMARKS.md.
 * Cost: one immediate per phase, a few microseconds.
 */
export function yieldToEventLoop(): Promise<void> {
  return nextLoopTurn();
}
