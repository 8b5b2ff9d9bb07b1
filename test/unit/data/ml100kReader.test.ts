import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { ML100K_GENRES } from '../../../models/data/readMl100k.js';
import { datasetError, fixture } from './dataPaths.js';

const NOW = Date.UTC(2024, 0, 1);

describe('Data: ml100k reader', () => {
  it('decodes u.item as Latin-1', async () => {
    // The fixture really holds the single byte 0xE9 for "é".
    const bytes = readFileSync(fixture('ml100k/u.item'));
    expect(bytes.includes(Buffer.from([0x44, 0xe9, 0x6d]))).toBe(true);
    const ds = await loadDataset(fixture('ml100k'), 'ml100k', { maxBadShare: 1, now: NOW });
    expect(ds.items.get('1306')?.title).toBe('Démarreur, Le (1999)');
  });

  it('maps the 19 genre flags to categories, leaving out "unknown"', async () => {
    expect(ML100K_GENRES).toHaveLength(19);
    const ds = await loadDataset(fixture('ml100k'), 'ml100k', { maxBadShare: 1, now: NOW });
    expect(ds.items.get('302')?.categories).toEqual(['Crime', 'Film-Noir', 'Mystery', 'Thriller']);
    expect(ds.items.get('377')?.categories).toEqual(["Children's", 'Comedy']);
    expect(ds.items.get('1306')?.categories).toEqual([]);
    expect(ds.items.get('242')).toEqual({
      id: '242',
      title: 'Vasya (1996)',
      categories: ['Comedy'],
      attributes: { year: 1996, releaseDate: '1997-01-24', imdbUrl: 'http://example.org/film/91999' },
      createdAt: null,
      available: true,
    });
  });

  it('counts bad rows of u.data and u.item with their lines', async () => {
    const ds = await loadDataset(fixture('ml100k'), 'ml100k', { maxBadShare: 1, now: NOW });
    const r = ds.report;
    expect(ds.ratingScale).toEqual({ min: 1, max: 5, positiveThreshold: 4 });
    expect(r.rowsRead).toBe(12);
    expect(r.rowsKept).toBe(6);
    expect(r.bad).toEqual({ missingId: 1, badTimestamp: 1, valueOutOfRange: 2, duplicate: 1, malformed: 1 });
    expect(r.examples.missingId).toEqual([{ file: 'u.data', line: 9, reason: 'missing user id' }]);
    expect(r.examples.badTimestamp).toEqual([{ file: 'u.data', line: 11, reason: 'empty timestamp' }]);
    expect(r.examples.valueOutOfRange.map((e) => [e.line, e.reason])).toEqual([
      [5, 'rating 6 outside 1..5'],
      [6, 'rating 4.5 is not a multiple of 1'],
    ]);
    expect(r.examples.duplicate).toEqual([
      { file: 'u.data', line: 10, reason: 'duplicate of line 1 (same user, item, type, timestamp)' },
    ]);
    expect(r.examples.malformed).toEqual([{ file: 'u.data', line: 7, reason: 'expected 4 fields, got 3' }]);
    expect(r.itemRowsRead).toBe(8);
    expect(r.itemRowsBad).toBe(1);
    expect(r.warnings).toEqual(['u.item:8: expected 24 fields, got 25 (item row skipped)']);
  });

  it('sorts interactions by time and keeps the tab-separated ids as strings', async () => {
    const ds = await loadDataset(fixture('ml100k'), 'ml100k', { maxBadShare: 1, now: NOW });
    expect(ds.interactions[0]).toEqual({
      userId: '22',
      itemId: '377',
      timestamp: 828887116000,
      type: 'RATING',
      value: 1,
    });
    expect(ds.interactions.map((i) => i.itemId)).toEqual(['377', '51', '242', '1306', '465', '302']);
  });

  it('fails under the default limit with a one-line message', async () => {
    const err = await datasetError(loadDataset(fixture('ml100k'), 'ml100k', { now: NOW }));
    expect(err.message).toBe(
      'ml100k: 6 of 12 rows in u.data are bad (50%, more than the 5% allowed): 1 missing id, 1 bad timestamp, ' +
        '2 value out of range, 1 duplicate, 1 malformed; first: u.data:5: rating 6 outside 1..5',
    );
  });

  it('names u.item when it is missing', async () => {
    const err = await datasetError(loadDataset(fixture('ml1m'), 'ml100k'));
    expect(err.message).toMatch(/^ml100k: required file u\.data not found in .*ml1m \(ml100k expects u\.data and u\.item\)$/);
  });
});
