import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { readEventExport } from '../../../models/data/readEventExport.js';
import { datasetError, removeTempDirs, tempDir } from './dataPaths.js';

afterAll(removeTempDirs);

/** 2024-01-01T00:00:00Z, the `now` of every load (timestamps after now + 1 day are bad). */
const NOW = Date.UTC(2024, 0, 1);
/** 2023-06-01T00:00:00Z in Unix ms. */
const T = Date.UTC(2023, 5, 1);
const MINUTE = 60_000;

/**
 * A generic base dataset (`shop`, rating scale 1..5, positive ≥ 4):
 * u1 rated i1 4 at T, u2 clicked i2 at T + 1 min, u1 clicked i2 at T + 2 min.
 */
function writeBase(): string {
  const dir = path.join(tempDir(), 'shop');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'interactions.csv'),
    [
      'user_id,item_id,timestamp,type,value',
      `u1,i1,${T},RATING,4`,
      `u2,i2,${T + MINUTE},CLICK,`,
      `u1,i2,${T + 2 * MINUTE},CLICK,`,
    ].join('\n') + '\n',
  );
  writeFileSync(
    path.join(dir, 'items.csv'),
    ['item_id,title,categories', 'i1,First,a|b', 'i2,Second,b', 'i3,Third,c'].join('\n') + '\n',
  );
  writeFileSync(
    path.join(dir, 'dataset.json'),
    JSON.stringify({ ratingScale: { min: 1, max: 5, positiveThreshold: 4 } }),
  );
  return dir;
}

let nextEventId = 0;

/** A feedback record as the gateway logs it; `over` replaces fields (use `undefined` values to drop them). */
function feedback(over: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = {
    kind: 'feedback',
    eventId: `e${nextEventId++}`,
    userId: 'u1',
    itemId: 'i3',
    type: 'CLICK',
    value: null,
    requestId: null,
    timestamp: T + 10 * MINUTE,
    receivedAt: T + 10 * MINUTE,
    context: null,
    ...over,
  };
  for (const [k, v] of Object.entries(record)) if (v === undefined) delete record[k];
  return record;
}

const impression = {
  kind: 'impression',
  eventId: 'imp',
  requestId: 'r1',
  userId: 'u1',
  itemIds: ['i1', 'i2'],
  timestamp: T,
};
const served = {
  kind: 'served',
  eventId: 'srv',
  requestId: 'r1',
  userId: 'u1',
  surface: 'home',
  timestamp: T,
  modelVersion: 'v1',
  variants: {},
  items: [{ itemId: 'i1', rank: 1, score: 0.5, sources: ['popular'], features: [0.1, 0.2] }],
};

/** Writes an export: objects become JSON lines, strings are written as they are. */
function writeExport(name: string, lines: readonly (object | string)[]): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

describe('Data: event-log export (recgate train --events)', () => {
  it('appends feedback records as interactions, keeping their types, and ignores impressions and served lists', async () => {
    const events = writeExport('export.jsonl', [
      served,
      feedback({ userId: 'u3', itemId: 'i1', type: 'LIKE', timestamp: T + 30 * MINUTE }),
      impression,
      feedback({ userId: 'u2', itemId: 'i1', type: 'DISMISS', timestamp: T + 90 * MINUTE }),
      feedback({ userId: 'u2', itemId: 'i3', type: 'RATING', value: 4.5, timestamp: T + 2 * MINUTE }),
      feedback({ userId: 'u1', itemId: 'i3', type: 'dislike', timestamp: T + 40 * MINUTE }),
      feedback({ userId: 'u3', itemId: 'i2', type: 'VIEW', value: 12.5, timestamp: T + 50 * MINUTE }),
    ]);
    const ds = await loadDataset(writeBase(), 'generic', { now: NOW, events: [events] });
    expect(ds.name).toBe('shop + export.jsonl');
    expect(ds.format).toBe('generic');
    expect(ds.ratingScale).toEqual({ min: 1, max: 5, positiveThreshold: 4 });
    expect(ds.interactions).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: T, type: 'RATING', value: 4 },
      { userId: 'u2', itemId: 'i2', timestamp: T + MINUTE, type: 'CLICK', value: null },
      // Equal timestamps: the base row first, then the export's.
      { userId: 'u1', itemId: 'i2', timestamp: T + 2 * MINUTE, type: 'CLICK', value: null },
      // Off the CSV step-free scale is fine: the API takes any real rating in range.
      { userId: 'u2', itemId: 'i3', timestamp: T + 2 * MINUTE, type: 'RATING', value: 4.5 },
      { userId: 'u3', itemId: 'i1', timestamp: T + 30 * MINUTE, type: 'LIKE', value: null },
      // Types are matched case-insensitively and negatives stay negatives.
      { userId: 'u1', itemId: 'i3', timestamp: T + 40 * MINUTE, type: 'DISLIKE', value: null },
      { userId: 'u3', itemId: 'i2', timestamp: T + 50 * MINUTE, type: 'VIEW', value: 12.5 },
      { userId: 'u2', itemId: 'i1', timestamp: T + 90 * MINUTE, type: 'DISMISS', value: null },
    ]);
    expect(ds.items.get('i3')?.title).toBe('Third');
    expect(ds.report.rowsRead).toBe(3 + 5);
    expect(ds.report.rowsKept).toBe(3 + 5);
    expect(ds.report.warnings).toContain(
      'export.jsonl: 5 feedback records read; 1 impression and 1 served-list records ignored (not interactions)',
    );
  });

  it('records the latest receivedAt of the feedback read, over every export, for the replay cut-off', async () => {
    const first = writeExport('first.jsonl', [
      feedback({ itemId: 'i1', receivedAt: T + 5 * MINUTE }),
      // A late arrival: its receivedAt counts, not its timestamp.
      feedback({ itemId: 'i2', receivedAt: T + 70 * MINUTE, timestamp: T + MINUTE }),
      served,
    ]);
    const second = writeExport('second.jsonl', [
      feedback({ userId: 'u2', itemId: 'i1', receivedAt: T + 20 * MINUTE }),
      feedback({ userId: 'u3', itemId: 'i1', receivedAt: undefined }), // none: not counted
    ]);
    const ds = await loadDataset(writeBase(), 'generic', { now: NOW, events: [first, second] });
    expect(ds.eventsReceivedThrough).toBe(T + 70 * MINUTE);
    expect((await loadDataset(writeBase(), 'generic', { now: NOW })).eventsReceivedThrough).toBeUndefined();
    const onlyServed = writeExport('served.jsonl', [served]);
    const none = await loadDataset(writeBase(), 'generic', { now: NOW, events: [onlyServed] });
    expect(none.eventsReceivedThrough).toBeUndefined();
  });

  it('reports bad lines with file and line, per kind, and never throws for them', async () => {
    const base = writeBase();
    const good = Array.from({ length: 40 }, (_, i) =>
      feedback({ userId: `g${i}`, itemId: 'i1', timestamp: T + (100 + i) * MINUTE }),
    );
    const repeated = feedback({ userId: 'u9', itemId: 'i2', timestamp: T + 5 * MINUTE });
    const events = writeExport('bad.jsonl', [
      ...good, // lines 1..40
      '{"kind":"feedback", not json', // 41
      '[1, 2]', // 42
      { kind: 'purchase-order', eventId: 'x' }, // 43
      feedback({ type: 'SWIPE' }), // 44
      feedback({ value: 'five' }), // 45
      feedback({ userId: { id: 1 } }), // 46
      feedback({ timestamp: undefined }), // 47
      feedback({ timestamp: Date.UTC(2030, 0, 1) }), // 48
      feedback({ type: 'RATING', value: 9 }), // 49
      feedback({ userId: '  ' }), // 50
      repeated, // 51
      repeated, // 52: same eventId
      feedback({ userId: 'u1', itemId: 'i1', type: 'RATING', value: 4, timestamp: T }), // 53: equals the base's first row
      feedback({ userId: 'u9', itemId: 'i2', timestamp: T + 5 * MINUTE }), // 54: equals line 51, new eventId
      '', // blank lines are not rows
    ]);
    const ds = await loadDataset(base, 'generic', { now: NOW, maxBadShare: 0.5, events: [events] });
    const r = ds.report;
    expect(r.rowsRead).toBe(3 + 54);
    expect(r.rowsKept).toBe(3 + 41);
    expect(r.bad).toEqual({ missingId: 1, badTimestamp: 2, valueOutOfRange: 1, duplicate: 3, malformed: 6 });
    const examples = Object.values(r.examples)
      .flat()
      .sort((a, b) => a.line - b.line)
      .map((e) => `${e.file}:${e.line}: ${e.reason}`);
    expect(examples).toEqual([
      'bad.jsonl:41: invalid JSON',
      'bad.jsonl:42: JSON line is not an object',
      'bad.jsonl:43: unknown record kind "purchase-order"',
      'bad.jsonl:44: unknown feedback type "SWIPE"',
      'bad.jsonl:45: value "five" must be a number or null',
      // line 46 (userId {"id":1}) is the 6th malformed row: only the first 5 per kind are kept as examples
      'bad.jsonl:47: empty timestamp',
      'bad.jsonl:48: timestamp 1893456000000 (2030-01-01T00:00:00.000Z) is in the future',
      'bad.jsonl:49: rating 9 outside 1..5',
      'bad.jsonl:50: missing user id',
      `bad.jsonl:52: repeats eventId ${String(repeated.eventId)} of bad.jsonl:51`,
      'bad.jsonl:53: duplicate of a row of the base dataset (same user, item, type, timestamp)',
      'bad.jsonl:54: duplicate of bad.jsonl:51 (same user, item, type, timestamp)',
    ]);
    expect(ds.interactions).toHaveLength(3 + 41);
    expect(r.warnings).toContain(
      'bad.jsonl: 48 feedback records read, 6 malformed lines; 0 impression and 0 served-list records ignored (not interactions)',
    );
  });

  it('fails with one line when more than maxBadShare of the feedback records are bad, counting the export on its own', async () => {
    const events = writeExport('mostly-bad.jsonl', [
      feedback({}),
      'garbage',
      feedback({ type: 'RATING', value: 99 }),
      feedback({ timestamp: 'yesterday' }),
    ]);
    const err = await datasetError(loadDataset(writeBase(), 'generic', { now: NOW, events: [events] }));
    expect(err.message).toBe(
      'events: 3 of 4 feedback records in mostly-bad.jsonl are bad (75%, more than the 5% allowed): ' +
        '1 bad timestamp, 1 value out of range, 1 malformed; first: mostly-bad.jsonl:2: invalid JSON',
    );
    expect(err.message).not.toContain('\n');
  });

  it('fails when every feedback record is bad, even with maxBadShare 1', async () => {
    const events = writeExport('garbage.jsonl', ['\u0000\u0001binary', 'still not json']);
    const err = await datasetError(
      loadDataset(writeBase(), 'generic', { now: NOW, maxBadShare: 1, events: [events] }),
    );
    expect(err.message).toBe(
      'events: no usable feedback record in garbage.jsonl: all 2 are bad (2 malformed); first: garbage.jsonl:1: invalid JSON',
    );
  });

  it('names a missing export or a folder given as one', async () => {
    const missing = path.join(tempDir(), 'nope.jsonl');
    expect((await datasetError(loadDataset(writeBase(), 'generic', { events: [missing] }))).message).toBe(
      `events: event-log export ${missing} does not exist`,
    );
    const folder = tempDir();
    expect((await datasetError(loadDataset(writeBase(), 'generic', { events: [folder] }))).message).toBe(
      `events: ${folder} is not a file (expected a JSON Lines event-log export)`,
    );
  });

  it('adds nothing, and keeps the dataset name, for an export without feedback (an empty stream)', async () => {
    const empty = writeExport('empty.jsonl', []);
    const onlyServed = writeExport('served.jsonl', [served, impression, served]);
    const ds = await loadDataset(writeBase(), 'generic', { now: NOW, events: [empty, onlyServed] });
    expect(ds.name).toBe('shop');
    expect(ds.interactions).toHaveLength(3);
    expect(ds.report.rowsRead).toBe(3);
    expect(ds.report.warnings).toEqual(
      expect.arrayContaining([
        'empty.jsonl: no feedback records, nothing added; 0 impression and 0 served-list records ignored (not interactions)',
        'served.jsonl: no feedback records, nothing added; 1 impression and 2 served-list records ignored (not interactions)',
      ]),
    );
  });

  it('adds items the catalog lacks without title or categories, with a warning', async () => {
    const events = writeExport('new-items.jsonl', [
      feedback({ itemId: 'i9' }),
      feedback({ itemId: 'i8', userId: 'u2' }),
    ]);
    const ds = await loadDataset(writeBase(), 'generic', { now: NOW, events: [events] });
    expect(ds.items.get('i9')).toEqual({
      id: 'i9',
      title: null,
      categories: [],
      attributes: {},
      createdAt: null,
      available: true,
    });
    expect(ds.items.size).toBe(5);
    expect(ds.report.warnings).toContain(
      '2 items in the feedback of new-items.jsonl are not in the shop catalog; added without title or categories',
    );
  });

  it('reads overlapping exports once: a record repeated in a later export is a duplicate by eventId', async () => {
    const a = feedback({ userId: 'u5', itemId: 'i1' });
    const b = feedback({ userId: 'u5', itemId: 'i2' });
    const monday = writeExport('monday.jsonl', [a]);
    const tuesday = writeExport('tuesday.jsonl', [a, b]);
    const ds = await loadDataset(writeBase(), 'generic', {
      now: NOW,
      maxBadShare: 0.5,
      events: [monday, tuesday],
    });
    expect(ds.name).toBe('shop + monday.jsonl + tuesday.jsonl');
    expect(ds.interactions.filter((i) => i.userId === 'u5').map((i) => i.itemId)).toEqual(['i1', 'i2']);
    expect(ds.report.examples.duplicate).toEqual([
      { file: 'tuesday.jsonl', line: 1, reason: `repeats eventId ${String(a.eventId)} of monday.jsonl:1` },
    ]);
  });

  it('accepts CRLF line ends and a byte-order mark, as the file event log may be edited on Windows', async () => {
    const file = path.join(tempDir(), 'crlf.jsonl');
    writeFileSync(
      file,
      '\uFEFF' + [feedback({ userId: 'w1' }), impression].map((r) => JSON.stringify(r)).join('\r\n') + '\r\n',
    );
    const seen: string[] = [];
    const counts = await readEventExport(file, {
      feedback: (raw, line, name, eventId) => seen.push(`${name}:${line}:${raw.userId}:${eventId}`),
      malformed: (line, reason) => seen.push(`bad ${line} ${reason}`),
    });
    expect(seen).toEqual([expect.stringMatching(/^crlf\.jsonl:1:w1:e\d+$/)]);
    expect(counts).toEqual({ feedback: 1, impressions: 1, served: 0, malformed: 0 });
  });
});
