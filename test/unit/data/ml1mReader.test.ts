import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { fixture } from './dataPaths.js';

const NOW = Date.UTC(2024, 0, 1);

describe('Data: ml1m reader', () => {
  it('reads ::-separated Latin-1 files', async () => {
    const ds = await loadDataset(fixture('ml1m'), 'ml1m', { maxBadShare: 0.5, now: NOW });
    expect(ds.ratingScale).toEqual({ min: 1, max: 5, positiveThreshold: 4 });
    expect(ds.items.get('3')?.title).toBe('Niña, La (1998)');
    expect(ds.items.get('661')).toEqual({
      id: '661',
      title: 'Jane and the Giant Plum (1996)',
      categories: ['Animation', "Children's", 'Musical'],
      attributes: { year: 1996 },
      createdAt: null,
      available: true,
    });
    expect(ds.items.get('1193')?.title).toBe("One Walked Past the Owl's Tree (1975)");
  });

  it('counts bad rows with their lines and keeps the rest sorted by time', async () => {
    const ds = await loadDataset(fixture('ml1m'), 'ml1m', { maxBadShare: 0.5, now: NOW });
    const r = ds.report;
    expect(r.rowsRead).toBe(10);
    expect(r.rowsKept).toBe(7);
    expect(r.bad).toEqual({ missingId: 0, badTimestamp: 0, valueOutOfRange: 1, duplicate: 0, malformed: 2 });
    expect(r.examples.valueOutOfRange).toEqual([{ file: 'ratings.dat', line: 6, reason: 'rating 0 outside 1..5' }]);
    expect(r.examples.malformed).toEqual([
      { file: 'ratings.dat', line: 7, reason: 'expected 4 fields, got 2' },
      { file: 'ratings.dat', line: 9, reason: 'expected 4 fields, got 5' },
    ]);
    expect(r.itemRowsRead).toBe(8);
    expect(r.itemRowsBad).toBe(0);
    const ts = ds.interactions.map((i) => i.timestamp);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ds.interactions[0]).toEqual({
      userId: '3',
      itemId: '3421',
      timestamp: 928297867000,
      type: 'RATING',
      value: 4,
    });
  });

  it('fails when 30% of the rows are bad under the default limit', async () => {
    await expect(loadDataset(fixture('ml1m'), 'ml1m', { now: NOW })).rejects.toThrow(
      'ml1m: 3 of 10 rows in ratings.dat are bad (30%, more than the 5% allowed): 1 value out of range, ' +
        '2 malformed; first: ratings.dat:6: rating 0 outside 1..5',
    );
  });
});
