import path from 'node:path';
import { DatasetBuilder } from './datasetBuilder.js';
import { DatasetError } from './dataset.js';
import type { Dataset, LoadOptions } from './dataset.js';
import { findDatasetFile, requireDatasetFile } from './findDatasetFile.js';
import { movieCatalogItem } from './movieCatalogItem.js';
import { fixedHeader, readDelimitedFile } from './readDelimitedFile.js';
import type { DelimitedFileSpec } from './readDelimitedFile.js';
import { formatExample } from './validationReportBuilder.js';

const EXPECTS = 'ratings.csv and movies.csv, tags.csv optional';
const NO_GENRES = '(no genres listed)';

/**
 * Reads a MovieLens "latest" dataset folder (`ml-latest-small`, `ml-latest`,
 * `ml-25m`, …): comma-separated UTF-8 with a header row and RFC 4180 quoting
 * (CRLF or LF line ends).
 * - `ratings.csv` (`userId,movieId,rating,timestamp`; Unix seconds; ratings
 *   0.5..5 in steps of 0.5) → `RATING` interactions.
 * - `movies.csv` (`movieId,title,genres`; genres `|`-separated,
 *   `(no genres listed)` = none) → catalog; attribute `year` from the title.
 * - `tags.csv` (`userId,movieId,tag,timestamp`, optional) → attribute
 *   `tags: string[]` on the movie (distinct, trimmed, in file order). Tags are
 *   not interactions and are not counted in the report; unreadable tag rows,
 *   or an unusable `tags.csv`, only add a warning.
 * - `links.csv` is ignored.
 *
 * Rating scale {min 0.5, max 5, positiveThreshold 4}.
 *
 * @throws DatasetError when `ratings.csv` or `movies.csv` is missing, empty or
 *   has an unexpected header, or per `DatasetBuilder.finish`.
 */
export async function readMovieLens(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const ratingsPath = requireDatasetFile([dir], 'ratings.csv', 'movielens', EXPECTS);
  const moviesPath = requireDatasetFile([dir], 'movies.csv', 'movielens', EXPECTS);
  const tagsPath = findDatasetFile([dir], ['tags.csv']);
  const builder = new DatasetBuilder(
    {
      name: path.basename(path.resolve(dir)),
      format: 'movielens',
      ratingScale: { min: 0.5, max: 5, positiveThreshold: 4 },
      rating: { min: 0.5, max: 5, step: 0.5 },
      timestampFormat: 'unixSeconds',
    },
    options,
  );

  await readDelimitedFile(ratingsPath, csv('ratings.csv', ['userId', 'movieId', 'rating', 'timestamp']), {
    row([userId = '', itemId = '', value = '', timestamp = ''], line, file) {
      builder.addInteraction(file, line, { userId, itemId, timestamp, type: 'RATING', value });
    },
    malformed: (line, reason, file) => builder.addMalformed(file, line, reason),
  });

  const tags = tagsPath === null ? new Map<string, string[]>() : await readTags(tagsPath, builder);

  await readDelimitedFile(moviesPath, csv('movies.csv', ['movieId', 'title', 'genres']), {
    row([rawId = '', title = '', genres = ''], line, file) {
      const id = rawId.trim();
      if (id === '') {
        builder.addBadItem(file, line, 'missing item id');
        return;
      }
      const genreList = genres.trim() === NO_GENRES ? [] : genres.split('|');
      const movieTags = tags.get(id);
      builder.addItem(file, line, movieCatalogItem(id, title, genreList, movieTags ? { tags: movieTags } : {}));
    },
    malformed: (line, reason, file) => builder.addBadItem(file, line, reason),
  });

  return builder.finish();
}

function csv(file: string, header: readonly string[]): DelimitedFileSpec {
  return {
    format: 'movielens',
    encoding: 'utf8',
    delimiter: ',',
    quote: true,
    header: fixedHeader('movielens', file, header),
    columns: header.length,
  };
}

/** movieId → distinct tags. Problems only produce warnings on `builder.report`. */
async function readTags(tagsPath: string, builder: DatasetBuilder): Promise<Map<string, string[]>> {
  const tags = new Map<string, Set<string>>();
  let bad = 0;
  let firstBad = '';
  const noteBad = (file: string, line: number, reason: string): void => {
    if (bad++ === 0) firstBad = formatExample({ file, line, reason });
  };
  try {
    await readDelimitedFile(tagsPath, csv('tags.csv', ['userId', 'movieId', 'tag', 'timestamp']), {
      row([, rawId = '', rawTag = ''], line, file) {
        const id = rawId.trim();
        const tag = rawTag.trim();
        if (id === '' || tag === '') {
          noteBad(file, line, id === '' ? 'missing item id' : 'empty tag');
          return;
        }
        let set = tags.get(id);
        if (set === undefined) tags.set(id, (set = new Set()));
        set.add(tag);
      },
      malformed: (line, reason, file) => noteBad(file, line, reason),
    });
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    builder.report.warn(`tags.csv ignored: ${err.message}`);
    return new Map();
  }
  if (bad > 0) builder.report.warn(`tags.csv: ${bad} unreadable rows ignored (first: ${firstBad})`);
  return new Map([...tags].map(([id, set]) => [id, [...set]]));
}
