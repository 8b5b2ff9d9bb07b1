import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { datasetError, fixture, removeTempDirs, tempDir } from './dataPaths.js';

afterAll(removeTempDirs);

const NOW = Date.UTC(2024, 0, 1);

describe('Data: generic reader (CSV)', () => {
  it('reads every timestamp form, applies the type rule and dataset.json', async () => {
    const ds = await loadDataset(fixture('generic/csv'), 'generic', { maxBadShare: 1, now: NOW });
    expect(ds.name).toBe('tiny-generic');
    expect(ds.ratingScale).toEqual({ min: 1, max: 5, positiveThreshold: 4 });
    expect(ds.interactions).toEqual([
      // `2021-03-04` = midnight UTC, no type and no value → CLICK
      { userId: 'u2', itemId: 'i3', timestamp: Date.UTC(2021, 2, 4), type: 'CLICK', value: null },
      { userId: 'u1', itemId: 'i1', timestamp: 1614834367000, type: 'RATING', value: 4 },
      // Unix seconds, lower-case type
      { userId: 'u1', itemId: 'i2', timestamp: 1614834367000, type: 'CLICK', value: null },
      // Unix ms, no type but a value → RATING
      { userId: 'u2', itemId: 'i1', timestamp: 1614834367000, type: 'RATING', value: 3.5 },
      // +01:00 offset
      { userId: 'u3', itemId: 'i2', timestamp: 1614834367000, type: 'VIEW', value: 12.5 },
      // space instead of T, fraction, no offset = UTC; value of PURCHASE dropped
      { userId: 'u3', itemId: 'i3', timestamp: 1614834367250, type: 'PURCHASE', value: null },
      // quoted fields may hold commas
      { userId: 'u5', itemId: 'i,5', timestamp: 1614834372000, type: 'LIKE', value: null },
    ]);
  });

  it('counts bad rows of every kind with their lines', async () => {
    const ds = await loadDataset(fixture('generic/csv'), 'generic', { maxBadShare: 1, now: NOW });
    const r = ds.report;
    expect(r.rowsRead).toBe(14);
    expect(r.rowsKept).toBe(7);
    expect(r.bad).toEqual({ missingId: 1, badTimestamp: 1, valueOutOfRange: 2, duplicate: 1, malformed: 2 });
    const all = Object.values(r.examples)
      .flat()
      .sort((a, b) => a.line - b.line)
      .map((e) => `${e.file}:${e.line}: ${e.reason}`);
    expect(all).toEqual([
      'interactions.csv:8: unparsable timestamp "2021-02-30"',
      'interactions.csv:9: unknown type "SWIPE"',
      'interactions.csv:10: rating 6 outside 1..5',
      'interactions.csv:11: VIEW seconds -1 is negative',
      'interactions.csv:12: missing user id',
      'interactions.csv:13: duplicate of line 3 (same user, item, type, timestamp)',
      'interactions.csv:15: expected 5 fields, got 3',
    ]);
  });

  it('reads items.csv: categories, JSON attributes, created_at, available', async () => {
    const ds = await loadDataset(fixture('generic/csv'), 'generic', { maxBadShare: 1, now: NOW });
    expect(ds.items.get('i1')).toEqual({
      id: 'i1',
      title: 'First item',
      categories: ['a', 'b'],
      attributes: { price: 9.5 },
      createdAt: Date.UTC(2020, 0, 1),
      available: true,
    });
    expect(ds.items.get('i2')).toEqual({
      id: 'i2',
      title: null,
      categories: ['b'],
      attributes: {},
      createdAt: Date.UTC(2020, 0, 1),
      available: false,
    });
    expect(ds.items.get('i4')).toMatchObject({ categories: ['c'], createdAt: null });
    // i3's row has bad attributes and is skipped: it comes back as a placeholder.
    expect(ds.items.get('i3')).toMatchObject({ title: null, categories: [] });
    expect(ds.report.itemRowsRead).toBe(6);
    expect(ds.report.itemRowsBad).toBe(3);
    expect(ds.report.warnings).toEqual([
      'items.csv: ignored unknown column(s) colour',
      'items.csv:4: attributes "not json" is not valid JSON (item row skipped)',
      'items.csv:6: missing item id (item row skipped)',
      'items.csv:7: duplicate item id "i1" (first on line 2) (item row skipped)',
      '1 unparsable created_at values were set to null (first: items.csv:5: unparsable created_at "yesterday")',
      '1 rows had a value for a type other than RATING or VIEW; the value was dropped',
      '2 interacted items are missing from items.csv; added without title or categories',
    ]);
  });

  it('passes with 1 bad row of 21 (4.8%) and reports it', async () => {
    const ds = await loadDataset(fixture('generic/share-under-limit'), 'generic', { now: NOW });
    expect(ds.report.rowsRead).toBe(21);
    expect(ds.report.rowsKept).toBe(20);
    expect(ds.report.bad).toEqual({ missingId: 1, badTimestamp: 0, valueOutOfRange: 0, duplicate: 0, malformed: 0 });
    expect(ds.report.examples.missingId).toEqual([
      { file: 'interactions.csv', line: 22, reason: 'missing user id' },
    ]);
    expect(ds.ratingScale).toBeNull();
  });

  it('fails with 2 bad rows of 20 (10%) under the default 5%', async () => {
    const err = await datasetError(loadDataset(fixture('generic/share-over-limit'), 'generic', { now: NOW }));
    expect(err.message).toBe(
      'generic: 2 of 20 rows in interactions.csv are bad (10%, more than the 5% allowed): 1 bad timestamp, ' +
        '1 malformed; first: interactions.csv:20: unparsable timestamp "not-a-time"',
    );
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('passes the same file with maxBadShare 0.1', async () => {
    const ds = await loadDataset(fixture('generic/share-over-limit'), 'generic', { maxBadShare: 0.1, now: NOW });
    expect(ds.report.rowsKept).toBe(18);
  });

  it('rejects a timestamp after now + 1 day', async () => {
    const dir = tempDir();
    const now = Date.UTC(2024, 0, 1);
    writeFileSync(
      path.join(dir, 'interactions.csv'),
      `user_id,item_id,timestamp\nu,a,${now + 86_400_000}\nu,b,${now + 86_400_001}\n`,
    );
    const ds = await loadDataset(dir, 'generic', { maxBadShare: 1, now });
    expect(ds.report.rowsKept).toBe(1);
    expect(ds.report.examples.badTimestamp[0]?.reason).toBe(
      'timestamp "1704153600001" (2024-01-02T00:00:00.001Z) is in the future',
    );
  });
});

describe('Data: generic reader (JSON Lines)', () => {
  it('reads JSON Lines, numbers as ids, and reports malformed lines', async () => {
    const ds = await loadDataset(fixture('generic/jsonl'), 'generic', { maxBadShare: 1, now: NOW });
    expect(ds.name).toBe('jsonl');
    expect(ds.ratingScale).toBeNull();
    expect(ds.interactions).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: Date.UTC(2022, 0, 1), type: 'RATING', value: 8 },
      { userId: '2', itemId: 'i1', timestamp: 1640995300000, type: 'CLICK', value: null },
      { userId: 'u3', itemId: 'i2', timestamp: 1640995400123, type: 'CLICK', value: null },
      { userId: 'u5', itemId: 'i2', timestamp: 1640995600000, type: 'RATING', value: 7 },
    ]);
    const r = ds.report;
    expect(r.rowsRead).toBe(8);
    expect(r.bad).toEqual({ missingId: 0, badTimestamp: 1, valueOutOfRange: 0, duplicate: 0, malformed: 3 });
    expect(r.examples.malformed.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '5: invalid JSON',
      '6: JSON line is not an object',
      '7: user_id must be a string or number',
    ]);
    expect(r.examples.badTimestamp).toEqual([
      { file: 'interactions.jsonl', line: 8, reason: 'unparsable timestamp "true"' },
    ]);
    expect(r.warnings).toContain('interactions.jsonl: ignored unknown key(s) extra');
    expect(r.warnings).toContain(
      '2 RATING rows but no ratingScale in dataset.json: values checked against 0..10, ratingScale left null',
    );
  });

  it('reads items.jsonl', async () => {
    const ds = await loadDataset(fixture('generic/jsonl'), 'generic', { maxBadShare: 1, now: NOW });
    expect(ds.items.get('i1')).toEqual({
      id: 'i1',
      title: 'One',
      categories: ['x', 'y'],
      attributes: { k: [1, 2] },
      createdAt: 1600000000000,
      available: true,
    });
    expect(ds.items.get('i2')).toMatchObject({ categories: ['y', 'z'], available: false });
    expect(ds.items.has('i9')).toBe(false);
    expect(ds.report.itemRowsBad).toBe(1);
  });
});

describe('Data: generic reader (files and config)', () => {
  it('requires an interactions file and names both accepted names', async () => {
    const err = await datasetError(loadDataset(tempDir(), 'generic'));
    expect(err.message).toMatch(/^generic: required file interactions\.csv or interactions\.jsonl not found in /);
  });

  it('refuses both interactions.csv and interactions.jsonl', async () => {
    const dir = tempDir();
    copyFileSync(fixture('generic/csv/interactions.csv'), path.join(dir, 'interactions.csv'));
    copyFileSync(fixture('generic/jsonl/interactions.jsonl'), path.join(dir, 'interactions.jsonl'));
    const err = await datasetError(loadDataset(dir, 'generic'));
    expect(err.message).toMatch(/both interactions\.csv and interactions\.jsonl/);
  });

  it('requires the user_id, item_id and timestamp columns', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'interactions.csv'), 'user_id,item,timestamp\nu,i,1600000000\n');
    const err = await datasetError(loadDataset(dir, 'generic'));
    expect(err.message).toBe(
      'generic: interactions.csv header lacks column item_id (found "user_id,item,timestamp"; required: user_id,item_id,timestamp)',
    );
  });

  it('rejects an invalid dataset.json', async () => {
    const dir = tempDir();
    copyFileSync(fixture('generic/share-under-limit/interactions.csv'), path.join(dir, 'interactions.csv'));
    writeFileSync(path.join(dir, 'dataset.json'), '{"ratingScale": {"min": 5, "max": 1, "positiveThreshold": 4}}');
    const err = await datasetError(loadDataset(dir, 'generic'));
    expect(err.message).toMatch(/^generic: dataset\.json: ratingScale must have min < max/);
    writeFileSync(path.join(dir, 'dataset.json'), '{not json');
    expect((await datasetError(loadDataset(dir, 'generic'))).message).toMatch(/dataset\.json .* is not valid JSON$/);
  });
});
