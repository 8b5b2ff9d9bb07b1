import type { Dataset, LoadOptions } from './dataset.js';
import { readDoubleColonDataset } from './readDoubleColonDataset.js';

/**
 * Reads a MovieLens 1M folder (`ml-1m`), Latin-1 encoded, `::`-separated,
 * no header:
 * - `ratings.dat`: `UserID::MovieID::Rating::Timestamp` (Unix seconds;
 *   integer ratings 1..5) → `RATING` interactions;
 * - `movies.dat`: `MovieID::Title::Genres` (genres `|`-separated) → catalog,
 *   attribute `year` from the title, `createdAt` null;
 * - `users.dat` is ignored.
 *
 * Rating scale {min 1, max 5, positiveThreshold 4}.
 *
 * @throws DatasetError when a file is missing or empty, or when too many rows
 *   are bad (see `DatasetBuilder.finish`).
 */
export function readMl1m(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  return readDoubleColonDataset(
    dir,
    {
      format: 'ml1m',
      encoding: 'latin1',
      folders: [''],
      ratingScale: { min: 1, max: 5, positiveThreshold: 4 },
      rating: { min: 1, max: 5, step: 1 },
    },
    options,
  );
}
