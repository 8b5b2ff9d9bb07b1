import { setFlagsFromString } from 'node:v8';
import { collectGarbageNow } from './collectStartupGarbage.js';

/**
 * V8's heap growing factor for a gateway serving a model of
 * `PACKED_IDS_MIN_ITEMS` (200,000) items or more, as a percentage: after each
 * major GC the old generation may grow to 1.3 times the live heap before the
 * next one, where V8's own choice on a host with more than ~2 GB for the heap
 * goes up to 4 times (issue #6: memory at 1M items). At 1M items
 * (`bench:probe -- --catalog synthetic-1m --requests 6000 --connections 4`)
 * 80 took the peak RSS from 815 to 723 MB, and `bench:tail -- --rate 80
 * --seconds 60` had p99 45 against 51 ms (two major GCs in the run, final
 * pauses of 7 and 12 ms). With 30 (12-03 20:57, two runs of each, one host)
 * the probe peaked at 657–659 MB against 691–697 with 80 (50: 668–673), CPU
 * per call within the runs' noise (4.50–4.56 against 4.17–4.95 ms), and the
 * tail probe had p99 52.5 and 122.8 ms against 74.0 and 79.8 with 80: six
 * major GCs in the minute instead of two, final pauses of 4–17 ms. Not
 * applied to smaller models: at 10k items 80 cost ~5 % more CPU per call for
 * 27 MB (three alternated pairs); BENCHMARKS.md has the runs.
 */
export const LARGE_MODEL_HEAP_GROWING_PERCENT = 30;

/** The `heapGrowingPercent` setting: `auto`, or a percentage in 0..1000 (0 = V8's own choice). */
export type HeapGrowingSetting = 'auto' | number;

/** What {@link applyHeapGrowth} did. */
export type HeapGrowthResult =
  | { readonly applied: true; readonly percent: number }
  | { readonly applied: false; readonly reason: 'small-model' | 'flag-given' };

/**
 * Whether Node runs with `--heap-growing-percent` from its command line or
 * `NODE_OPTIONS`: the operator's flag, which the gateway leaves as it is.
 * V8 takes its flags with one dash as well as two (`node
 * -heap-growing-percent=10` applies 10 %), and `-` or `_` between the words.
 * Node 20 refuses the flag in `NODE_OPTIONS` ("is not allowed in
 * NODE_OPTIONS"), so there it is only looked for in case a later Node allows it.
 * @param execArgv `process.execArgv`; @param nodeOptions `process.env.NODE_OPTIONS`.
 */
export function heapGrowingFlagGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const given = (arg: string): boolean => /^--?heap[-_]growing[-_]percent(=|$)/.test(arg);
  return execArgv.some(given) || (nodeOptions ?? '').split(/\s+/).some(given);
}

/**
 * The percentage {@link applyHeapGrowth} sets for `setting` and a model of
 * `itemCount` items: the number itself (0 = V8's own choice); for `auto`,
 * {@link LARGE_MODEL_HEAP_GROWING_PERCENT} from `largeFrom` items on, and
 * below that null (the flag is left as it is).
 */
export function heapGrowingPercentFor(
  setting: HeapGrowingSetting,
  itemCount: number,
  largeFrom: number,
): number | null {
  if (setting === 'auto') return itemCount >= largeFrom ? LARGE_MODEL_HEAP_GROWING_PERCENT : null;
  return setting;
}

/**
 * Sets V8's heap growing factor (`--heap-growing-percent`, read by V8 each
 * time a major GC sets the next limit) for the rest of the process, as
 * {@link heapGrowingPercentFor} picks it, unless the process was started with
 * the flag (then the operator's value stands). The gateway calls it once at
 * start-up, right after loading the model. Node keeps V8's flags writable after start-up
 * (`--no-freeze-flags-after-init`), which `collectStartupGarbage` relies on too.
 *
 * With a percentage other than 0 it then runs one full collection
 * (`collectGarbageNow`, ~0.1–0.2 s at 1M items), because V8 reads the flag
 * only when a major collection sets the next limit: the limit in force is
 * the one the model load's last collection set with V8's own factor (up to
 * 4 times the live heap), and nothing else would collect before the heap
 * reached it. At 1M items on Redis that was the first start's seeding:
 * every chunk it sends (`seedFeatureStore`: the items' JSON, keys and
 * command strings) is garbage once Redis answered, but most of it survives
 * a scavenge and moves to the old generation, and with the limit at ~550 MB
 * (146 MB live × ~3.8, `--trace-gc`) the heap grew from ~150 to 550 MB of
 * that garbage while the catalog was written, before one collection
 * brought it back to 39 MB: the start-up peak. After this collection the
 * seeding collects every ~80 MB of heap instead, and `bench:probe --
 * --catalog synthetic-1m --store redis --requests 3000 --connections 4`
 * (three runs each, alternated with the code before) had start-up peaks of
 * 720 / 837 / 842 MB against 1,031 / 776 / 1,022 (the code before depended
 * on when the load's last major GC ran), ready in 54.6 / 44.7 / 42.3 s
 * against 64.9 / 49.1 / 45.4 s, ~560 MB when ready either way; the peak
 * left is after the seeding (BENCHMARKS.md).
 * @param env where to look for the operator's flag (tests pass their own).
 * @param collect the collection (tests pass their own to count it).
 */
export function applyHeapGrowth(
  setting: HeapGrowingSetting,
  itemCount: number,
  largeFrom: number,
  env: { readonly execArgv: readonly string[]; readonly nodeOptions: string | undefined } = {
    execArgv: process.execArgv,
    nodeOptions: process.env['NODE_OPTIONS'],
  },
  collect: () => unknown = collectGarbageNow,
): HeapGrowthResult {
  const percent = heapGrowingPercentFor(setting, itemCount, largeFrom);
  if (percent === null) return { applied: false, reason: 'small-model' };
  if (heapGrowingFlagGiven(env.execArgv, env.nodeOptions)) return { applied: false, reason: 'flag-given' };
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  if (percent > 0) collect();
  return { applied: true, percent };
}
