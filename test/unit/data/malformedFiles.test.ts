import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetFormat } from '../../../models/data/dataset.js';
import { DatasetError } from '../../../models/data/dataset.js';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { datasetError, fixture, removeTempDirs, tempDir } from './dataPaths.js';

afterAll(removeTempDirs);

/** The interaction file and the catalog file of each format. */
const FILES: readonly [DatasetFormat, string, string][] = [
  ['movielens', 'ratings.csv', 'movies.csv'],
  ['ml100k', 'u.data', 'u.item'],
  ['ml1m', 'ratings.dat', 'movies.dat'],
  ['movietweetings', 'ratings.dat', 'movies.dat'],
  ['generic', 'interactions.csv', 'items.csv'],
  ['generic', 'interactions.jsonl', 'items.jsonl'],
];

const garbage = fixture('broken/garbage.bin');

describe('Data: malformed files', () => {
  it.each(FILES)('%s: binary garbage in %s and %s gives a one-line DatasetError', async (format, data, items) => {
    const dir = tempDir();
    copyFileSync(garbage, path.join(dir, data));
    copyFileSync(garbage, path.join(dir, items));
    const err = await datasetError(loadDataset(dir, format));
    expect(err.message.startsWith(`${format}: `)).toBe(true);
    expect(err.message).not.toMatch(/[\r\n\u2028\u2029]/);
  });

  it.each(FILES)('%s: an empty %s gives a DatasetError', async (format, data, items) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, data), '');
    writeFileSync(path.join(dir, items), '');
    await expect(loadDataset(dir, format)).rejects.toThrow(new DatasetError(`${format}: ${data} is empty`));
  });

  it('a valid header followed by garbage: every row malformed, still a DatasetError', async () => {
    const dir = tempDir();
    const header = Buffer.from('userId,movieId,rating,timestamp\r\n');
    writeFileSync(path.join(dir, 'ratings.csv'), Buffer.concat([header, readFileSync(garbage)]));
    copyFileSync(fixture('ml-latest-format/movies.csv'), path.join(dir, 'movies.csv'));
    const err = await datasetError(loadDataset(dir, 'movielens'));
    expect(err.message).toMatch(/^movielens: no usable interaction in ratings\.csv: all \d+ rows are bad \(/);
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('garbage in the catalog file alone fails on the bad item-row share', async () => {
    const dir = tempDir();
    copyFileSync(fixture('movietweetings/snapshots-100K/ratings.dat'), path.join(dir, 'ratings.dat'));
    copyFileSync(garbage, path.join(dir, 'movies.dat'));
    const err = await datasetError(loadDataset(dir, 'movietweetings', { maxBadShare: 0.5 }));
    expect(err.message).toMatch(/^movietweetings: \d+ of \d+ item rows in movies\.dat are bad \(/);
  });

  it('a garbage tags.csv (optional) only adds a warning', async () => {
    const dir = tempDir();
    copyFileSync(fixture('broken/unterminated-quote/ratings.csv'), path.join(dir, 'ratings.csv'));
    copyFileSync(fixture('broken/unterminated-quote/movies.csv'), path.join(dir, 'movies.csv'));
    copyFileSync(garbage, path.join(dir, 'tags.csv'));
    const ds = await loadDataset(dir, 'movielens');
    expect(ds.report.warnings[0]).toMatch(/^tags\.csv ignored: movielens: unexpected header in tags\.csv/);
  });

  it('a folder given as a file, or an unknown format, gives a DatasetError', async () => {
    await expect(loadDataset(garbage, 'movielens')).rejects.toThrow(/is not a folder$/);
    await expect(loadDataset(fixture('ml-latest-format'), 'netflix' as DatasetFormat)).rejects.toThrow(
      'unknown dataset format "netflix" (expected one of movielens, ml100k, ml1m, movietweetings, generic)',
    );
  });

  it('a required file that is a folder gives a DatasetError', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'ratings.dat'));
    writeFileSync(path.join(dir, 'movies.dat'), '1::A (2000)::Drama\n');
    await expect(loadDataset(dir, 'ml1m')).rejects.toThrow(/^ml1m: required file ratings\.dat not found/);
  });
});
