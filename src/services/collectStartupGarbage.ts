import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap in use (bytes) above which {@link collectStartupGarbage} runs a full
 * collection: a 1M-item model leaves about 125 MB of start-up garbage (parsed
 * JSON files, catalog lines) on a heap of ~380 MB; a 10k-item model's whole
 * heap is below this, so small gateways (and the test suite's many) skip it.
 */
export const STARTUP_GC_MIN_HEAP_BYTES = 128 * 2 ** 20;

/** What {@link collectStartupGarbage} did: heap in use before and after, bytes, and the pause, ms. */
export interface StartupGarbageCollection {
  readonly heapUsedBefore: number;
  readonly heapUsedAfter: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly ms: number;
}

let gc: (() => void) | null = null;

/**
 * One full garbage collection at the end of start-up, before the gateway
 * serves (issue #6: memory at 1M items), when more than
 * {@link STARTUP_GC_MIN_HEAP_BYTES} of the heap is in use. Loading a model
 * leaves garbage that V8 would otherwise keep until its first major GC, under
 * load: the RSS when ready held it (a 1M-item gateway: ~1,020 MB instead of
 * ~900), and that first major GC then ran while requests waited.
 *
 * Node exposes `gc` only with `--expose-gc`; this sets that flag at run time
 * and takes `gc` from a new context, as Jest's leak detector does
 * (`jest-leak-detector`), so every way of starting the gateway gets it.
 * @returns what was collected, or null when the heap was below the threshold.
 */
export function collectStartupGarbage(
  minHeapBytes = STARTUP_GC_MIN_HEAP_BYTES,
): StartupGarbageCollection | null {
  const before = process.memoryUsage();
  if (before.heapUsed < minHeapBytes) return null;
  if (gc === null) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const started = performance.now();
  gc();
  const ms = performance.now() - started;
  const after = process.memoryUsage();
  return {
    heapUsedBefore: before.heapUsed,
    heapUsedAfter: after.heapUsed,
    rssBefore: before.rss,
    rssAfter: after.rss,
    ms,
  };
}
