import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult, GeneratedDataset, PlantedRow } from './cliHarness.js';
import {
  FAST,
  lines,
  recgate,
  removeTempDirs,
  stackFrames,
  tempDir,
  writeDataset,
  writeInteractions,
} from './cliHarness.js';

afterAll(removeTempDirs);

/** No V8 stack frame and no `SomethingError:` header anywhere in the output. */
function expectNoStackTrace(r: CliResult): void {
  const out = r.stdout + r.stderr;
  expect(stackFrames(out)).toEqual([]);
  expect(out).not.toMatch(/^\s*\w*Error: /m);
}

/** A failure the user can fix: exactly one stderr line `recgate: error: …`, nothing on stdout. */
function expectOneLineError(r: CliResult, pattern: RegExp): string {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const errLines = lines(r.stderr);
  expect(errLines, r.stderr).toHaveLength(1);
  expect(errLines[0]).toMatch(/^recgate: error: /);
  expect(errLines[0]).toMatch(pattern);
  expectNoStackTrace(r);
  return errLines[0]!;
}

/** `1.78%` as the loader formats a share. */
function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

const n = (x: number): string => x.toLocaleString('en-US');

describe.concurrent('CLI: recgate train with bad rows', () => {
  let data: GeneratedDataset;
  let registry: string;
  let run: CliResult;
  beforeAll(async () => {
    // 72 bad rows (12 of each planted kind) at lines 51, 101, …, 3601 among ~4,000: about 2 %.
    data = writeDataset({ badEvery: 50, badCount: 72 });
    registry = tempDir();
    run = await recgate(['train', '--data', data.dir, '--format', 'generic', ...FAST], registry);
  });

  it('plants every kind of bad row at the documented lines (fixture check)', () => {
    expect(data.bad.slice(0, 6).map((b) => [b.line, b.plant])).toEqual([
      [51, 'missingUserId'],
      [101, 'unparsableTimestamp'],
      [151, 'futureTimestamp'],
      [201, 'ratingOutOfRange'],
      [251, 'duplicate'],
      [301, 'wrongColumnCount'],
    ]);
    const share = data.bad.length / data.rows;
    expect(share).toBeGreaterThan(0.015);
    expect(share).toBeLessThan(0.025);
  });

  it('skips bad rows and reports them, then publishes', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^published default\/v\d{8}-\d{6}/);
    expect(existsSync(path.join(registry, 'default', 'CURRENT'))).toBe(true);
    expectNoStackTrace(run);
  });

  it('reports the counts per kind on stderr', () => {
    expect(run.stderr).toContain(
      `Validation: read ${n(data.rows)} rows, kept ${n(data.goodRows)}; skipped 72 bad rows: ` +
        '12 missing id, 24 bad timestamp, 12 value out of range, 12 duplicate, 12 malformed',
    );
  });

  it('shows the first five examples of each kind as interactions.csv:<line>: <reason>', () => {
    const byKind = new Map<string, PlantedRow[]>();
    for (const row of data.bad) byKind.set(row.kind, [...(byKind.get(row.kind) ?? []), row]);
    expect([...byKind.keys()].sort()).toEqual(
      ['badTimestamp', 'duplicate', 'malformed', 'missingId', 'valueOutOfRange'].sort(),
    );
    for (const rows of byKind.values()) {
      for (const row of rows.slice(0, 5)) {
        expect(run.stderr).toContain(`interactions.csv:${row.line}: ${row.reason}\n`);
      }
      // Only five examples per kind.
      for (const row of rows.slice(5)) expect(run.stderr).not.toContain(`interactions.csv:${row.line}:`);
    }
  });

  it('names each planted problem precisely (spot checks)', () => {
    expect(run.stderr).toContain('interactions.csv:51: missing user id\n');
    expect(run.stderr).toContain('interactions.csv:101: unparsable timestamp "not-a-time"\n');
    expect(run.stderr).toContain('interactions.csv:151: timestamp "2999-01-01T00:00:00Z"');
    expect(run.stderr).toContain('interactions.csv:201: rating 99 outside 0..10\n');
    expect(run.stderr).toContain(
      'interactions.csv:251: duplicate of line 250 (same user, item, type, timestamp)\n',
    );
    expect(run.stderr).toContain('interactions.csv:301: expected 5 fields, got 3\n');
  });

  it('fails when the bad share exceeds --max-bad-share, with one line naming the share and the limit', async () => {
    const reg = tempDir();
    const r = await recgate(
      ['train', '--data', data.dir, '--format', 'generic', '--max-bad-share', '0.001', ...FAST],
      reg,
    );
    const line = expectOneLineError(r, /are bad/);
    expect(line).toContain(
      `generic: 72 of ${data.rows} rows in interactions.csv are bad (${percent(72 / data.rows)}, more than the 0.1% allowed)`,
    );
    expect(line).toContain('first: interactions.csv:51: missing user id');
    expect(existsSync(path.join(reg, 'default'))).toBe(false);
  });
});

describe.concurrent('CLI: recgate train with unusable input', () => {
  let registry: string;
  beforeAll(() => {
    registry = tempDir();
  });

  it('fails with one line when every row is bad, naming the reason and publishing nothing', async () => {
    const dir = writeInteractions([
      ',i1,2024-01-02,CLICK,',
      'u1,i1,not-a-time,CLICK,',
      'u1,i2,2024-01-02,RATING,99',
      'u1,i3',
    ]);
    const r = await recgate(['train', '--data', dir, '--format', 'generic', ...FAST], registry);
    const line = expectOneLineError(r, /no usable interaction/);
    expect(line).toBe(
      'recgate: error: generic: no usable interaction in interactions.csv: all 4 rows are bad ' +
        '(1 missing id, 1 bad timestamp, 1 value out of range, 1 malformed); first: interactions.csv:2: missing user id',
    );
    expect(existsSync(path.join(registry, 'default'))).toBe(false);
  });

  it('fails with one line when the data folder does not exist', async () => {
    const missing = path.join(tempDir(), 'no-such-folder');
    const r = await recgate(['train', '--data', missing, '--format', 'generic', ...FAST], registry);
    expect(expectOneLineError(r, /does not exist/)).toBe(
      `recgate: error: generic: dataset folder ${missing} does not exist`,
    );
  });

  it('rejects an unknown --format with a commander error listing the choices', async () => {
    const r = await recgate(['train', '--data', tempDir(), '--format', 'parquet'], registry);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    const first = lines(r.stderr)[0] ?? '';
    expect(first).toMatch(/^error: option '--format <format>' argument 'parquet' is invalid/);
    for (const format of ['movielens', 'ml100k', 'ml1m', 'movietweetings', 'generic']) {
      expect(first).toContain(format);
    }
    expectNoStackTrace(r);
  });

  it('rejects --split random:2 with one line naming the expected ratio range, before reading any data', async () => {
    const missing = path.join(tempDir(), 'no-such-folder');
    const r = await recgate(
      ['train', '--data', missing, '--format', 'generic', '--split', 'random:2'],
      registry,
    );
    expect(expectOneLineError(r, /random:2/)).toBe(
      'recgate: error: split "random:2": ratio must be between 0 and 1 (exclusive), got 2',
    );
  });

  it('rejects an unknown split name with one line listing the split names', async () => {
    const r = await recgate(
      ['train', '--data', tempDir(), '--format', 'generic', '--split', 'weekly'],
      registry,
    );
    const line = expectOneLineError(r, /unknown split "weekly"/);
    for (const name of ['temporal', 'random-per-user:<ratio>', 'random:<ratio>', 'leave-last-out', 'none']) {
      expect(line).toContain(name);
    }
  });

  it('rejects an out-of-range --max-bad-share as a commander error naming the range', async () => {
    const r = await recgate(
      ['train', '--data', tempDir(), '--format', 'generic', '--max-bad-share', '2'],
      registry,
    );
    expect(r.status).not.toBe(0);
    expect(lines(r.stderr)[0]).toBe(
      `error: option '--max-bad-share <x>' argument '2' is invalid. expected a number from 0 to 1, received "2"`,
    );
    expectNoStackTrace(r);
  });
});
