import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap in use (bytes) above which {@link collectStartupGarbage} runs a full
 * collection: a 1M-item model leaves about 125 MB of start-up garbage (parsed
 * JSON files, catalog lines) on a heap of ~380 MB; a 10k-item model's whole
 * heap is below this, so small gateways (and the test suite's many) skip it.
 * The gateway collects for a model of `PACKED_IDS_MIN_ITEMS` (200,000) items
 * or more whatever its heap: with packed ids a 1M-item model's heap could end
 * start-up below this threshold, garbage included (issue #6).
 */
export const STARTUP_GC_MIN_HEAP_BYTES = 128 * 2 ** 20;

/** What {@link collectStartupGarbage} did: heap in use and committed before and after, bytes, and the pause, ms. */
export interface StartupGarbageCollection {
  readonly heapUsedBefore: number;
  readonly heapUsedAfter: number;
  /** `process.memoryUsage().heapTotal`: the heap V8 has committed (what compaction gives back). */
  readonly heapTotalBefore: number;
  readonly heapTotalAfter: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly ms: number;
}

let gc: (() => void) | null = null;

/**
 * Node's `gc`: the global one when the process runs with `--expose-gc`;
 * otherwise the flag is set just long enough to take `gc` from a new vm
 * context (the `expose-gc` package's and jest-leak-detector's way) and then
 * cleared, so later vm contexts and worker threads do not get `gc` either.
 */
function fullGc(): () => void {
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return global;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/**
 * One full (non-compacting) collection now, through Node's `gc` (see
 * `fullGc`); for {@link applyHeapGrowth}, so a growing factor it sets is
 * used for the next limit at once (V8 sets the old generation's limit at
 * the end of each major collection). Returns the pause, ms.
 */
export function collectGarbageNow(): number {
  gc ??= fullGc();
  const started = performance.now();
  gc();
  return performance.now() - started;
}

/**
 * Two full garbage collections at the end of start-up, a plain one and then a
 * compacting one, before the gateway
 * serves (issue #6: memory at 1M items), when more than
 * {@link STARTUP_GC_MIN_HEAP_BYTES} of the heap is in use. Loading a model
 * leaves garbage that V8 would otherwise keep until its first major GC, under
 * load: the RSS when ready held it (a 1M-item gateway: ~1,020 MB instead of
 * ~900), and that first major GC then ran while requests waited.
 *
 * Node exposes `gc` only with `--expose-gc`; {@link fullGc} sets that flag
 * for a moment and takes `gc` from a new context, so every way of starting
 * the gateway gets the collection and nothing else sees `gc`.
 * @returns what was collected, or null when the heap was below the threshold.
 */
export function collectStartupGarbage(
  minHeapBytes = STARTUP_GC_MIN_HEAP_BYTES,
): StartupGarbageCollection | null {
  const before = process.memoryUsage();
  if (before.heapUsed < minHeapBytes) return null;
  gc ??= fullGc();
  const started = performance.now();
  // First a plain full collection: it frees the garbage (and the pages that hold nothing else) before
  // the compacting one copies the live objects into new pages. Compacting a heap still full of garbage
  // raised the RSS by ~90 MB while it ran, the start-up peak of a 1M-item gateway on Redis (VmHWM
  // 960–964 MB with one collection, 821–855 MB with both, for ~230 ms more; issue #6).
  gc();
  // Compacting, for the second collection: loading leaves the old generation's pages sparsely used, and a
  // collection that only sweeps keeps every page that still holds a live object committed (a 1M-item
  // gateway: about 45 MB more RSS when ready). V8 reads the flag when a full collection starts.
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  const ms = performance.now() - started;
  const after = process.memoryUsage();
  return {
    heapUsedBefore: before.heapUsed,
    heapUsedAfter: after.heapUsed,
    heapTotalBefore: before.heapTotal,
    heapTotalAfter: after.heapTotal,
    rssBefore: before.rss,
    rssAfter: after.rss,
    ms,
  };
}
