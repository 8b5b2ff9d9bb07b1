import path from 'node:path';
import type { RatingScale } from '../../src/domain/interaction.js';
import { DatasetBuilder } from './datasetBuilder.js';
import type { Dataset, LoadOptions } from './dataset.js';
import { requireDatasetFile } from './findDatasetFile.js';
import { movieCatalogItem } from './movieCatalogItem.js';
import { readDelimitedFile } from './readDelimitedFile.js';
import type { TextEncoding } from './readTextFile.js';
import type { InteractionRules } from './validateInteraction.js';

/**
 * A MovieLens-1M-style dataset: `ratings.dat` (`user::item::rating::timestamp`,
 * Unix seconds) and `movies.dat` (`item::title::genre|genre`), no header,
 * fields separated by `::`, quotes are ordinary characters.
 * - `folders`: sub-folders of the dataset dir to try, in order (`''` = the
 *   dir itself); `movies.dat` must sit next to the `ratings.dat` found.
 * - `ratingScale` / `rating`: as in `DatasetBuilderConfig`.
 */
export interface DoubleColonDatasetSpec {
  readonly format: 'ml1m' | 'movietweetings';
  readonly encoding: TextEncoding;
  readonly folders: readonly string[];
  readonly ratingScale: RatingScale;
  readonly rating: InteractionRules['rating'];
}

/**
 * Reads a `::`-separated dataset per `spec` (shared by `readMl1m` and
 * `readMovieTweetings`). Ids are kept exactly as written (trimmed), so
 * zero-padded ids stay zero-padded. The genre field may be empty.
 *
 * @throws DatasetError when a file is missing or empty, or per
 *   `DatasetBuilder.finish`.
 */
export async function readDoubleColonDataset(
  dir: string,
  spec: DoubleColonDatasetSpec,
  options: LoadOptions = {},
): Promise<Dataset> {
  const { format, encoding } = spec;
  const subfolders = spec.folders.filter((f) => f !== '');
  const where = subfolders.length > 0 ? ` (directly or in ${subfolders.join(', ')})` : '';
  const expects = `ratings.dat and movies.dat${where}`;
  const dirs = spec.folders.map((f) => path.join(dir, f));
  const ratingsPath = requireDatasetFile(dirs, 'ratings.dat', format, expects);
  const moviesPath = requireDatasetFile([path.dirname(ratingsPath)], 'movies.dat', format, expects);
  const builder = new DatasetBuilder(
    {
      name: path.basename(path.resolve(dir)),
      format,
      ratingScale: spec.ratingScale,
      rating: spec.rating,
      timestampFormat: 'unixSeconds',
    },
    options,
  );

  await readDelimitedFile(
    ratingsPath,
    { format, encoding, delimiter: '::', quote: false, header: null, columns: 4 },
    {
      row([userId = '', itemId = '', value = '', timestamp = ''], line, file) {
        builder.addInteraction(file, line, { userId, itemId, timestamp, type: 'RATING', value });
      },
      malformed: (line, reason, file) => builder.addMalformed(file, line, reason),
    },
  );

  await readDelimitedFile(
    moviesPath,
    { format, encoding, delimiter: '::', quote: false, header: null, columns: 3 },
    {
      row([rawId = '', title = '', genres = ''], line, file) {
        const id = rawId.trim();
        if (id === '') {
          builder.addBadItem(file, line, 'missing item id');
          return;
        }
        builder.addItem(file, line, movieCatalogItem(id, title, genres.split('|')));
      },
      malformed: (line, reason, file) => builder.addBadItem(file, line, reason),
    },
  );

  return builder.finish();
}
