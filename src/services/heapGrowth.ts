import { setFlagsFromString } from 'node:v8';

/**
 * V8's heap growing factor for a gateway serving a model of
 * `PACKED_IDS_MIN_ITEMS` (200,000) items or more, as a percentage: after each
 * major GC the old generation may grow to 1.8 times the live heap before the
 * next one, where V8's own choice on a host with more than ~2 GB for the heap
 * goes up to 4 times (issue #6: memory at 1M items). At 1M items
 * (`bench:probe -- --catalog synthetic-1m --requests 6000 --connections 4`)
 * it took the peak RSS from 815 to 723 MB, and `bench:tail -- --rate 80
 * --seconds 60` had p99 45 against 51 ms (two major GCs in the run, final
 * pauses of 7 and 12 ms). Not applied to smaller models: at 10k items it cost
 * ~5 % more CPU per call for 27 MB (three alternated pairs); BENCHMARKS.md has
 * the runs.
 */
export const LARGE_MODEL_HEAP_GROWING_PERCENT = 80;

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
 * start-up, before its start-up collection, so the first limit already
 * follows it. Node keeps V8's flags writable after start-up
 * (`--no-freeze-flags-after-init`), which `collectStartupGarbage` relies on too.
 * @param env where to look for the operator's flag (tests pass their own).
 */
export function applyHeapGrowth(
  setting: HeapGrowingSetting,
  itemCount: number,
  largeFrom: number,
  env: { readonly execArgv: readonly string[]; readonly nodeOptions: string | undefined } = {
    execArgv: process.execArgv,
    nodeOptions: process.env['NODE_OPTIONS'],
  },
): HeapGrowthResult {
  const percent = heapGrowingPercentFor(setting, itemCount, largeFrom);
  if (percent === null) return { applied: false, reason: 'small-model' };
  if (heapGrowingFlagGiven(env.execArgv, env.nodeOptions)) return { applied: false, reason: 'flag-given' };
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return { applied: true, percent };
}
