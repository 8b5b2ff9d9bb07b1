import path from 'node:path';
import { DatasetBuilder } from './datasetBuilder.js';
import type { Dataset, LoadOptions } from './dataset.js';
import { requireDatasetFile } from './findDatasetFile.js';
import { movieCatalogItem } from './movieCatalogItem.js';
import { readDelimitedFile } from './readDelimitedFile.js';

const EXPECTS = 'u.data and u.item';

/** The 19 genre flags of `u.item`, in column order (fields 6–24). */
export const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

const MONTHS: Readonly<Record<string, string>> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/**
 * Reads a MovieLens 100K folder (`ml-100k`), Latin-1 encoded, no headers.
 * - `u.data`: tab-separated `user item rating timestamp` (Unix seconds;
 *   ratings 1..5, integers) → `RATING` interactions.
 * - `u.item`: `|`-separated, 24 fields: `id|title|release date|video release
 *   date|IMDb URL|` + 19 genre flags ({@link ML100K_GENRES}). Categories are
 *   the genres flagged `1`, except `unknown` (which means "no genre").
 *   Attributes: `year` (from the title), `releaseDate` (`01-Jan-1995` →
 *   `1995-01-01`, when readable) and `imdbUrl` (when not empty). `createdAt`
 *   stays `null`: a release date is not the date an item joined the catalog.
 * - `u.user`, `u.genre`, `u.occupation`, `u1.base` … are ignored.
 *
 * Rating scale {min 1, max 5, positiveThreshold 4}.
 *
 * @throws DatasetError when `u.data` or `u.item` is missing or empty, or per
 *   `DatasetBuilder.finish`.
 */
export async function readMl100k(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const dataPath = requireDatasetFile([dir], 'u.data', 'ml100k', EXPECTS);
  const itemPath = requireDatasetFile([dir], 'u.item', 'ml100k', EXPECTS);
  const builder = new DatasetBuilder(
    {
      name: path.basename(path.resolve(dir)),
      format: 'ml100k',
      ratingScale: { min: 1, max: 5, positiveThreshold: 4 },
      rating: { min: 1, max: 5, step: 1 },
      timestampFormat: 'unixSeconds',
    },
    options,
  );

  await readDelimitedFile(
    dataPath,
    { format: 'ml100k', encoding: 'latin1', delimiter: '\t', quote: false, header: null, columns: 4 },
    {
      row([userId = '', itemId = '', value = '', timestamp = ''], line, file) {
        builder.addInteraction(file, line, { userId, itemId, timestamp, type: 'RATING', value });
      },
      malformed: (line, reason, file) => builder.addMalformed(file, line, reason),
    },
  );

  await readDelimitedFile(
    itemPath,
    { format: 'ml100k', encoding: 'latin1', delimiter: '|', quote: false, header: null, columns: 24 },
    {
      row(fields, line, file) {
        const [rawId = '', title = '', releaseDate = '', , imdbUrl = ''] = fields;
        const id = rawId.trim();
        if (id === '') {
          builder.addBadItem(file, line, 'missing item id');
          return;
        }
        const flags = fields.slice(5);
        const badFlag = flags.find((f) => f.trim() !== '0' && f.trim() !== '1');
        if (badFlag !== undefined) {
          builder.addBadItem(file, line, `genre flag ${JSON.stringify(badFlag)} is not 0 or 1`);
          return;
        }
        const genres = ML100K_GENRES.filter((g, i) => g !== 'unknown' && flags[i]?.trim() === '1');
        const extra: Record<string, unknown> = {};
        const date = parseReleaseDate(releaseDate);
        if (date !== null) extra.releaseDate = date;
        if (imdbUrl.trim() !== '') extra.imdbUrl = imdbUrl.trim();
        builder.addItem(file, line, movieCatalogItem(id, title, genres, extra));
      },
      malformed: (line, reason, file) => builder.addBadItem(file, line, reason),
    },
  );

  return builder.finish();
}

/** `01-Jan-1995` → `1995-01-01`; anything else → `null`. */
function parseReleaseDate(text: string): string | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text.trim());
  if (m === null) return null;
  const [, day = '', mon = '', year = ''] = m;
  const month = MONTHS[mon.toLowerCase()];
  return month === undefined ? null : `${year}-${month}-${day.padStart(2, '0')}`;
}
