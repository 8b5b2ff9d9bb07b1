import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { datasetError, fixture, repoRoot } from './dataPaths.js';

const NOW = Date.UTC(2024, 0, 1);
const bundled = path.join(repoRoot, 'data/movietweetings');

describe('Data: movietweetings reader', () => {
  it('keeps zero-padded ids as strings', async () => {
    const ds = await loadDataset(fixture('movietweetings'), 'movietweetings', { maxBadShare: 0.5, now: NOW });
    expect(ds.items.get('0110912')?.title).toBe('Pulp Fiction (1994)');
    expect(ds.items.get('0000001')?.title).toBe('Carmencita (1894)');
    expect(ds.items.has('110912')).toBe(false);
    expect(ds.interactions.filter((i) => i.itemId === '0110912').map((i) => i.userId)).toEqual(['2', '1']);
  });

  it('finds the files in a snapshots-100K/ subfolder', async () => {
    const ds = await loadDataset(fixture('movietweetings'), 'movietweetings', { maxBadShare: 0.5, now: NOW });
    expect(ds.name).toBe('movietweetings');
    expect(ds.ratingScale).toEqual({ min: 0, max: 10, positiveThreshold: 7 });
  });

  it('reads UTF-8 titles with quotes, and empty genre fields', async () => {
    const ds = await loadDataset(fixture('movietweetings'), 'movietweetings', { maxBadShare: 0.5, now: NOW });
    expect(ds.items.get('0002844')?.title).toBe("Fantômas - À l'ombre de la guillotine (1913)");
    expect(ds.items.get('0116483')).toMatchObject({
      title: '"Weird Al" Yankovic: The Videos (1996)',
      categories: ['Comedy', 'Music'],
    });
    expect(ds.items.get('1853728')).toMatchObject({ title: 'Django Unchained (2012)', categories: [] });
  });

  it('accepts ratings 0..10 and counts the bad rows with their lines', async () => {
    const ds = await loadDataset(fixture('movietweetings'), 'movietweetings', { maxBadShare: 0.5, now: NOW });
    const r = ds.report;
    expect(r.rowsRead).toBe(10);
    expect(r.rowsKept).toBe(5);
    expect(r.bad).toEqual({ missingId: 1, badTimestamp: 1, valueOutOfRange: 3, duplicate: 0, malformed: 0 });
    expect(r.examples.valueOutOfRange.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '5: rating 11 outside 0..10',
      '7: rating "x" is not a finite number',
      '8: rating 7.5 is not a multiple of 1',
    ]);
    expect(r.examples.missingId).toEqual([{ file: 'ratings.dat', line: 9, reason: 'missing user id' }]);
    expect(r.examples.badTimestamp).toEqual([{ file: 'ratings.dat', line: 10, reason: 'empty timestamp' }]);
    expect(ds.interactions.map((i) => i.value)).toEqual([7, 0, 8, 9, 10]);
  });

  it('throws a one-line DatasetError when every row is bad', async () => {
    const err = await datasetError(loadDataset(fixture('movietweetings/all-bad'), 'movietweetings'));
    expect(err.message).toBe(
      'movietweetings: no usable interaction in ratings.dat: all 4 rows are bad (1 missing id, ' +
        '1 value out of range, 2 malformed); first: ratings.dat:1: expected 4 fields, got 2',
    );
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('names ratings.dat and the subfolders searched when it is missing', async () => {
    const err = await datasetError(loadDataset(fixture('ml100k'), 'movietweetings'));
    expect(err.message).toContain('movietweetings: required file ratings.dat not found in');
    expect(err.message).toContain('snapshots-100K');
  });
});

describe('Data: bundled MovieTweetings 100K (data/movietweetings)', () => {
  it('holds the upstream files byte for byte, as listed in PROVENANCE.md', () => {
    const provenance = readFileSync(path.join(bundled, 'PROVENANCE.md'), 'utf8');
    for (const file of ['ratings.dat', 'movies.dat', 'LICENSE', 'README.md']) {
      const sha = createHash('sha256')
        .update(readFileSync(path.join(bundled, file)))
        .digest('hex');
      expect(provenance).toContain(`| \`${file}\` |`);
      expect(provenance).toContain(sha);
    }
  });

  it('loads to exactly 100,000 ratings by 16,554 users on 10,506 movies', async () => {
    const ds = await loadDataset(bundled, 'movietweetings');
    expect(ds.report.rowsRead).toBe(100_000);
    expect(ds.report.rowsKept).toBe(100_000);
    expect(ds.report.itemRowsRead).toBe(10_506);
    expect(ds.report.itemRowsBad).toBe(0);
    expect(ds.report.warnings).toEqual([]);
    expect(ds.interactions).toHaveLength(100_000);
    expect(new Set(ds.interactions.map((i) => i.userId)).size).toBe(16_554);
    expect(new Set(ds.interactions.map((i) => i.itemId)).size).toBe(10_506);
    expect(ds.items.size).toBe(10_506);
    expect(ds.items.get('0110912')?.title).toBe('Pulp Fiction (1994)');
    expect([...ds.items.values()].filter((i) => i.categories.length === 0)).toHaveLength(66);
    expect(new Date(ds.interactions[0]!.timestamp).toISOString()).toBe('2013-02-28T14:38:27.000Z');
    expect(new Date(ds.interactions.at(-1)!.timestamp).toISOString()).toBe('2013-09-01T20:27:45.000Z');
  });
});
