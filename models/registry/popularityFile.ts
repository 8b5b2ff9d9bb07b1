import { READ_WINDOW_BYTES, readThroughWindow } from './jsonNumberReader.js';
import type { JsonNumberReader } from './jsonNumberReader.js';

/**
 * A registry version's `popularity.json` (`{"popularity": number[], "trend":
 * number[], "counts": number[], "firstSeen": (ms | null)[]}`, one entry per
 * item row; docs/registry.md) as typed columns.
 */
export interface PopularityColumns {
  /** Time-decayed popularity per row, as float32; `nItems` long. */
  readonly popularity: Float32Array;
  /** Time-decayed trend per row, as float32; `nItems` long. */
  readonly trend: Float32Array;
  /** First-seen time per row in ms since the epoch, NaN for `null` and for rows past the file's; exactly `nItems` long. */
  readonly firstSeen: Float64Array;
  /** Plain interaction counts as float32, `nItems` long, when asked for (`keepCounts`), else null (checked only). */
  readonly counts: Float32Array | null;
}

/**
 * Reads `popularity.json` through a 1-MiB window straight into
 * {@link PopularityColumns}, without the file as one string and without
 * `JSON.parse`'s four arrays (issue #6: at 1M items those were ~90 MB for a
 * moment and set the gateway's start-up peak RSS). Values equal what
 * `Float32Array.from(JSON.parse(text).popularity)` and the like give for
 * every file publishVersion writes. Keys other than the four are skipped
 * without checking their values (by nesting and string ends only: a number
 * JSON does not allow is refused in the four arrays, not in another key's
 * value; keys are plain strings: one written with an escape is refused).
 * @param path the file.
 * @param nItems item rows of the model (sizes the columns; `firstSeen` is cut or padded with NaN to it).
 * @param options.keepCounts also return `counts` (offline evaluation and publishing; the server does not keep them).
 * @param options.windowBytes the window's size (default 1 MiB, at least 8 KiB).
 * @throws Error naming the file and byte offset when the content is not that
 *   shape: a missing key, a non-number (or `null` outside `firstSeen`) or a
 *   number JSON does not allow (`+1`, `.5`, `01`, `1.`, `1e`, …), a
 *   `popularity`, `trend` or `counts` of another length than `nItems`
 *   (the loader before 12-04 served such a file with popularity 0 or NaN
 *   for the rows it lacked), a value that is not finite as float32, a
 *   number or key longer than 4 KiB where it crosses the window's end (one of
 *   at most 4 KiB always reads), content after the object; the fs error
 *   when it cannot be read.
 * @throws RangeError for a `windowBytes` below 8 KiB or not an integer, or an `nItems` that is not an integer ≥ 0.
 */
export function readPopularityFile(
  path: string,
  nItems: number,
  options: { keepCounts?: boolean; windowBytes?: number } = {},
): PopularityColumns {
  if (!(Number.isInteger(nItems) && nItems >= 0)) {
    throw new RangeError(`nItems: expected an integer ≥ 0, got ${nItems}`);
  }
  const label = path.split(/[\\/]/).pop() ?? path;
  return readThroughWindow(path, label, options.windowBytes ?? READ_WINDOW_BYTES, (p) =>
    parsePopularity(p, nItems, options.keepCounts === true),
  );
}

/** The columns from reader `p` (see {@link readPopularityFile}). */
function parsePopularity(p: JsonNumberReader, nItems: number, keepCounts: boolean): PopularityColumns {
  const capacity = Math.max(1, nItems);
  let popularity: Float32Array | null = null;
  let trend: Float32Array | null = null;
  let counts: Float32Array | null = null;
  let sawCounts = false;
  let firstSeen: Float64Array | null = null;
  p.expect(0x7b); // {
  if (!p.tryConsume(0x7d)) {
    do {
      const key = p.string();
      p.expect(0x3a); // :
      if (key === 'popularity') popularity = rowColumn(p, key, nItems, capacity);
      else if (key === 'trend') trend = rowColumn(p, key, nItems, capacity);
      else if (key === 'counts') {
        sawCounts = true;
        // Not kept by the server: read into a column only when asked for, else checked number by number.
        if (keepCounts) counts = rowColumn(p, key, nItems, capacity);
        else {
          const n = p.countNumbers();
          if (n !== nItems) throw p.error(`"counts" has ${n} values for ${nItems} item rows`);
          counts = null;
        }
      } else if (key === 'firstSeen') {
        const read = p.numbers(new Float64Array(capacity), true);
        firstSeen = read.values.length === nItems ? read.values : read.values.slice(0, nItems);
        if (read.count < nItems) firstSeen.fill(Number.NaN, read.count);
      } else p.skipValue();
    } while (p.tryConsume(0x2c));
    p.expect(0x7d);
  }
  p.end();
  const missing = [
    popularity === null ? 'popularity' : null,
    trend === null ? 'trend' : null,
    sawCounts ? null : 'counts',
    firstSeen === null ? 'firstSeen' : null,
  ].filter((k) => k !== null);
  if (missing.length > 0)
    throw p.error(`missing ${missing.map((k) => `"${k}"`).join(', ')} (an array per item row)`);
  return { popularity: popularity!, trend: trend!, firstSeen: firstSeen!, counts };
}

/**
 * The number array `key` as a float32 column of exactly `nItems` finite values.
 * @throws Error (at the array's end) for another length, or a value beyond float32's range.
 */
function rowColumn(p: JsonNumberReader, key: string, nItems: number, capacity: number): Float32Array {
  const { values, count } = p.numbers(new Float32Array(capacity), false);
  if (count !== nItems) throw p.error(`"${key}" has ${count} values for ${nItems} item rows`);
  const column = values.length === nItems ? values : values.slice(0, nItems);
  for (let i = 0; i < column.length; i++) {
    if (!Number.isFinite(column[i]!)) throw p.error(`"${key}"[${i}] is not finite as float32`);
  }
  return column;
}
