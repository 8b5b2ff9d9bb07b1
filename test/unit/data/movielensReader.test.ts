import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../../models/data/dataset.js';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { datasetError, fixture } from './dataPaths.js';

const NOW = Date.UTC(2024, 0, 1);

describe('Data: movielens reader', () => {
  it('reads the CRLF fixture and counts every kind of bad row with its line', async () => {
    const ds = await loadDataset(fixture('ml-latest-format'), 'movielens', { maxBadShare: 1, now: NOW });
    const r = ds.report;
    expect(ds.name).toBe('ml-latest-format');
    expect(ds.format).toBe('movielens');
    expect(ds.ratingScale).toEqual({ min: 0.5, max: 5, positiveThreshold: 4 });
    expect(r.rowsRead).toBe(21);
    expect(r.rowsKept).toBe(7);
    expect(r.bad).toEqual({ missingId: 2, badTimestamp: 3, valueOutOfRange: 3, duplicate: 1, malformed: 5 });
    const lines = (kind: keyof typeof r.examples): string[] =>
      r.examples[kind].map((e) => `${e.file}:${e.line}: ${e.reason}`);
    expect(lines('missingId')).toEqual(['ratings.csv:4: missing user id', 'ratings.csv:5: missing item id']);
    expect(lines('badTimestamp')).toEqual([
      'ratings.csv:6: unparsable timestamp "notatime"',
      'ratings.csv:7: timestamp "12" (1970-01-01T00:00:12.000Z) is before 1990-01-01',
      'ratings.csv:8: timestamp "99999999999" (5138-11-16T09:46:39.000Z) is in the future',
    ]);
    expect(lines('valueOutOfRange')).toEqual([
      'ratings.csv:9: rating 5.5 outside 0.5..5',
      'ratings.csv:10: rating 4.2 is not a multiple of 0.5',
      'ratings.csv:11: rating "abc" is not a finite number',
    ]);
    expect(lines('duplicate')).toEqual(['ratings.csv:12: duplicate of line 2 (same user, item, type, timestamp)']);
    // Line 16 is blank (ignored); line 17 is a valid fully quoted row.
    expect(lines('malformed')).toEqual([
      'ratings.csv:14: expected 4 fields, got 3',
      'ratings.csv:15: expected 4 fields, got 5',
      'ratings.csv:18: quoted field not followed by a delimiter',
      'ratings.csv:19: quote inside an unquoted field',
      'ratings.csv:22: unterminated quoted field',
    ]);
  });

  it('returns interactions sorted by timestamp in Unix ms with the rating as value', async () => {
    const ds = await loadDataset(fixture('ml-latest-format'), 'movielens', { maxBadShare: 1, now: NOW });
    const ts = ds.interactions.map((i) => i.timestamp);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ds.interactions[0]).toEqual({
      userId: '1',
      itemId: '3',
      timestamp: 1000000100000,
      type: 'RATING',
      value: 4,
    });
    expect(ds.interactions.map((i) => `${i.userId}/${i.itemId}`)).toEqual([
      '1/3',
      '1/1',
      '3/1',
      '3/3',
      '2/1',
      '2/47',
      '2/999',
    ]);
  });

  it('builds the catalog with genres, year, tags and placeholders for unknown items', async () => {
    const ds = await loadDataset(fixture('ml-latest-format'), 'movielens', { maxBadShare: 1, now: NOW });
    expect(ds.items.get('1')).toEqual({
      id: '1',
      title: 'Paper Kites (1995)',
      categories: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
      attributes: { year: 1995, tags: ['animated', 'fun'] },
      createdAt: null,
      available: true,
    });
    expect(ds.items.get('50')?.title).toBe('Unusual Guests, The (1995)');
    expect(ds.items.get('50')?.attributes).toEqual({ year: 1995, tags: ['twist ending'] });
    // A quoted title spanning two lines; `(no genres listed)` means none.
    expect(ds.items.get('70')).toMatchObject({ title: 'Two\nLines (1996)', categories: [] });
    expect(ds.items.get('999')).toEqual({
      id: '999',
      title: null,
      categories: [],
      attributes: {},
      createdAt: null,
      available: true,
    });
    expect(ds.items.has('110')).toBe(false);
    expect(ds.report.itemRowsRead).toBe(10);
    expect(ds.report.itemRowsBad).toBe(2);
    // Line numbers after the two-line title are still exact.
    expect(ds.report.warnings).toEqual([
      'tags.csv: 1 unreadable rows ignored (first: tags.csv:6: expected 4 fields, got 2)',
      'movies.csv:10: expected 3 fields, got 2 (item row skipped)',
      'movies.csv:11: missing item id (item row skipped)',
      '1 interacted items are missing from movies.csv; added without title or categories',
    ]);
  });

  it('fails with the default 5% limit, naming counts, share and the first bad row on one line', async () => {
    const err = await datasetError(loadDataset(fixture('ml-latest-format'), 'movielens', { now: NOW }));
    expect(err.message).toBe(
      'movielens: 14 of 21 rows in ratings.csv are bad (66.7%, more than the 5% allowed): 2 missing id, ' +
        '3 bad timestamp, 3 value out of range, 1 duplicate, 5 malformed; first: ratings.csv:4: missing user id',
    );
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('skips one row for an unterminated quote and keeps reading the following lines', async () => {
    const ds = await loadDataset(fixture('broken/unterminated-quote'), 'movielens', { now: NOW });
    expect(ds.report.rowsRead).toBe(39);
    expect(ds.report.rowsKept).toBe(38);
    expect(ds.report.examples.malformed).toEqual([
      { file: 'ratings.csv', line: 3, reason: 'unterminated quoted field' },
    ]);
  });

  it('names the missing file and the format when movies.csv is absent', async () => {
    const err = await datasetError(loadDataset(fixture('broken/no-movies'), 'movielens'));
    expect(err.message).toMatch(/^movielens: required file movies\.csv not found in .*no-movies \(movielens expects/);
  });

  it('rejects an empty ratings.csv and an unexpected header', async () => {
    await expect(loadDataset(fixture('broken/empty'), 'movielens')).rejects.toThrow(
      new DatasetError('movielens: ratings.csv is empty'),
    );
    await expect(loadDataset(fixture('broken/bad-header'), 'movielens')).rejects.toThrow(
      'movielens: unexpected header in ratings.csv: "user,item,rating,time" (expected "userId,movieId,rating,timestamp")',
    );
  });

  it('rejects a folder that does not exist', async () => {
    const err = await datasetError(loadDataset(fixture('no-such-folder'), 'movielens'));
    expect(err.message).toMatch(/^movielens: dataset folder .*no-such-folder does not exist$/);
  });
});
