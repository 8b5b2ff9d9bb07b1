import type { Dataset, LoadOptions } from './dataset.js';
import { readDoubleColonDataset } from './readDoubleColonDataset.js';

/**
 * Sub-folders searched for `ratings.dat`, in order: the folder itself, then
 * the layout of the shared copy (`snapshots-100K/`) and of the upstream
 * repository (`snapshots/100K/`, `latest/`).
 */
export const MOVIETWEETINGS_FOLDERS = ['', 'snapshots-100K', 'snapshots/100K', 'latest'] as const;

/**
 * Reads a MovieTweetings folder (UTF-8, `::`-separated, no header):
 * - `ratings.dat`: `user_id::movie_id::rating::rating_timestamp` (Unix
 *   seconds; integer ratings 0..10) → `RATING` interactions;
 * - `movies.dat`: `movie_id::title (year)::genre|genre` (genre may be empty)
 *   → catalog, attribute `year` from the title, `createdAt` null.
 *
 * `movie_id` is the zero-padded IMDb number and stays a string (`0110912`).
 * The folder may hold the files directly or in one of
 * {@link MOVIETWEETINGS_FOLDERS}. Rating scale {min 0, max 10,
 * positiveThreshold 7}.
 *
 * @throws DatasetError when a file is missing or empty, or when too many rows
 *   are bad (see `DatasetBuilder.finish`).
 */
export function readMovieTweetings(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  return readDoubleColonDataset(
    dir,
    {
      format: 'movietweetings',
      encoding: 'utf8',
      folders: MOVIETWEETINGS_FOLDERS,
      ratingScale: { min: 0, max: 10, positiveThreshold: 7 },
      rating: { min: 0, max: 10, step: 1 },
    },
    options,
  );
}
