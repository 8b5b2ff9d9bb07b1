import { statSync } from 'node:fs';
import path from 'node:path';
import { appendEventExports } from './appendEventExports.js';
import { DATASET_FORMATS, DatasetError } from './dataset.js';
import type { Dataset, DatasetFormat, LoadOptions } from './dataset.js';
import { readGeneric } from './readGeneric.js';
import { readMl100k } from './readMl100k.js';
import { readMl1m } from './readMl1m.js';
import { readMovieLens } from './readMovieLens.js';
import { readMovieTweetings } from './readMovieTweetings.js';

/** The reader of each {@link DatasetFormat}. */
const READERS: Readonly<Record<DatasetFormat, (dir: string, options: LoadOptions) => Promise<Dataset>>> = {
  movielens: readMovieLens,
  ml100k: readMl100k,
  ml1m: readMl1m,
  movietweetings: readMovieTweetings,
  generic: readGeneric,
};

/**
 * Loads and validates the dataset in folder `dir` written in `format` (see
 * `models/data/README.md` for every format). Bad rows (missing id, bad
 * timestamp, value out of range, duplicate, malformed) are skipped and
 * counted in `Dataset.report`; interactions come back sorted by timestamp
 * (Unix ms, ties in file order) and every interacted item is in `items`.
 *
 * With `options.events`, the feedback records of those event-log exports
 * are appended as further interactions (see `appendEventExports`): the
 * dataset name gets ` + <export names>`, and the report counts their rows.
 *
 * @param options `maxBadShare` (default 0.05), `now` (Unix ms, default
 *   `Date.now()`; timestamps after `now` + 1 day are bad) and `events`
 *   (export paths, default none).
 * @throws DatasetError with a one-line message when `dir` is not a folder,
 *   `format` is unknown, a required file is missing, empty or has a wrong
 *   header, no usable interaction is left, or more than `maxBadShare` of the
 *   interaction rows (or of the item rows, or of an export's feedback
 *   records) are bad, or an export file is missing. Unreadable content
 *   (binary garbage, broken quoting) never raises anything else.
 * @throws RangeError when `options.maxBadShare` is outside [0, 1].
 */
export async function loadDataset(dir: string, format: DatasetFormat, options: LoadOptions = {}): Promise<Dataset> {
  const reader = (READERS as Partial<Record<string, (typeof READERS)[DatasetFormat]>>)[format];
  if (reader === undefined) {
    throw new DatasetError(`unknown dataset format ${JSON.stringify(format)} (expected one of ${DATASET_FORMATS.join(', ')})`);
  }
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat === undefined) throw new DatasetError(`${format}: dataset folder ${path.resolve(dir)} does not exist`);
  if (!stat.isDirectory()) throw new DatasetError(`${format}: ${path.resolve(dir)} is not a folder`);
  const dataset = await reader(dir, options);
  const events = options.events ?? [];
  return events.length === 0 ? dataset : appendEventExports(dataset, events, options);
}
