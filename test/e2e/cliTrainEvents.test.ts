import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingReport } from '../../models/pipeline/runTraining.js';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { CliResult, GeneratedDataset } from './cliHarness.js';
import { FAST, lines, recgate, removeTempDirs, stackFrames, tempDir, writeDataset } from './cliHarness.js';

afterAll(removeTempDirs);

/** 2024-03-05T00:00:00Z in Unix ms: after the synthetic dataset's 60 days. */
const AFTER = Date.UTC(2024, 2, 5);
const MINUTE = 60_000;

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A feedback record in the event-log format (src/domain/events.ts), as `recgate export-events` writes it. */
function feedback(
  n: number,
  userId: string,
  itemId: string,
  type: string,
  value: number | null = null,
): object {
  const at = AFTER + n * MINUTE;
  return {
    kind: 'feedback',
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    userId,
    itemId,
    type,
    value,
    requestId: null,
    timestamp: at,
    receivedAt: at,
    context: null,
  };
}

/** Writes `lines` (objects as JSON, strings as they are) to `<temp>/<name>`. */
function writeExport(name: string, content: readonly (object | string)[]): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, content.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

function expectNoStackTrace(r: CliResult): void {
  expect(stackFrames(r.stdout + r.stderr)).toEqual([]);
}

describe.concurrent('CLI: recgate train --events (training from an event-log export)', () => {
  let data: GeneratedDataset;
  beforeAll(() => {
    data = writeDataset();
  });

  describe('a generic dataset plus an export with feedback, impressions, served lists and one torn line', () => {
    let registry: string;
    let run: CliResult;
    let report: TrainingReport;
    let manifest: ModelManifest;
    /** 24 feedback records, one of them on a new item `i999`. */
    const records = [
      ...Array.from({ length: 20 }, (_, n) => feedback(n, `u${n}`, `i${(n * 7) % 60}`, 'CLICK')),
      feedback(20, 'u1', 'i3', 'RATING', 8),
      feedback(21, 'u2', 'i4', 'DISMISS'),
      feedback(22, 'u3', 'i5', 'DISLIKE'),
      feedback(23, 'u200', 'i999', 'PURCHASE'),
    ];
    beforeAll(async () => {
      registry = tempDir();
      const reportFile = path.join(registry, 'report.json');
      const events = writeExport('events-export.jsonl', [
        {
          kind: 'served',
          eventId: 's1',
          requestId: 'r1',
          userId: 'u1',
          surface: 'home',
          timestamp: AFTER,
          modelVersion: 'v1',
          variants: {},
          items: [{ itemId: 'i1', rank: 1, score: 0.9, sources: ['embedding'], features: [0.5] }],
        },
        ...records.slice(0, 12),
        {
          kind: 'impression',
          eventId: 'm1',
          requestId: 'r1',
          userId: 'u1',
          itemIds: ['i1'],
          timestamp: AFTER,
        },
        ...records.slice(12),
        '{"kind":"feedback","eventId":"torn","userId":"u', // line 27: a torn last write
      ]);
      run = await recgate(
        [
          'train',
          '--data',
          data.dir,
          '--format',
          'generic',
          '--events',
          events,
          '--split',
          'none',
          '--report',
          reportFile,
          ...FAST,
        ],
        registry,
      );
      expect(run.status, run.stderr).toBe(0);
      report = readJson<TrainingReport>(reportFile);
      const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
      manifest = readJson<ModelManifest>(path.join(registry, 'default', version, 'manifest.json'));
    });

    it('publishes and prints one line on stdout', () => {
      expect(lines(run.stdout)).toHaveLength(1);
      expect(run.stdout).toMatch(/^published default\/v\d{8}-\d{6}/);
      expect(report.published).toBe(true);
      expectNoStackTrace(run);
    });

    it('counts the feedback records as rows, reports the torn line with its file and line, and says what it ignored', () => {
      expect(run.stderr).toContain('Dataset synthetic + events-export.jsonl (generic)');
      const rows = data.rows + records.length + 1;
      const kept = data.goodRows + records.length;
      expect(run.stderr).toContain(
        `Validation: read ${rows.toLocaleString('en-US')} rows, kept ${kept.toLocaleString('en-US')}; skipped 1 bad rows: 1 malformed`,
      );
      expect(run.stderr).toContain('  events-export.jsonl:27: invalid JSON');
      expect(run.stderr).toContain(
        'events-export.jsonl: 24 feedback records read, 1 malformed lines; 1 impression and 1 served-list records ignored (not interactions)',
      );
      expect(run.stderr).toContain(
        '1 items in the feedback of events-export.jsonl are not in the synthetic catalog; added without title or categories',
      );
    });

    it('trains on the base rows plus the feedback: the manifest counts them, the new user and the new item', () => {
      expect(manifest.training.dataset).toBe('synthetic + events-export.jsonl');
      expect(manifest.training.format).toBe('generic');
      expect(manifest.training.interactions).toBe(data.goodRows + records.length);
      expect(manifest.training.to).toBe(new Date(AFTER + 23 * MINUTE).toISOString());
      // u200 and i999 exist only in the export.
      expect(manifest.training.users).toBe(data.users + 1);
      // The replay cut-off: the latest receivedAt of the export's feedback (record 23).
      expect(manifest.training.eventsReceivedThrough).toBe(new Date(AFTER + 23 * MINUTE).toISOString());
      expect(manifest.training.items).toBe(data.items + 1);
    });
  });

  it('exits 1 with a one-line error naming the file when the export does not exist', async () => {
    const missing = path.join(tempDir(), 'no-such-export.jsonl');
    const run = await recgate(
      ['train', '--data', data.dir, '--format', 'generic', '--events', missing, ...FAST],
      tempDir(),
    );
    expect(run.status).toBe(1);
    expect(lines(run.stderr).at(-1)).toBe(
      `recgate: error: events: event-log export ${missing} does not exist`,
    );
    expectNoStackTrace(run);
  });

  it('exits 1 when more than --max-bad-share of the feedback records are bad, giving counts and the first bad line', async () => {
    const events = writeExport('mostly-bad.jsonl', [
      feedback(1, 'u1', 'i1', 'CLICK'),
      feedback(2, 'u1', 'i2', 'SWIPE'),
      'not json',
      feedback(3, 'u1', 'i3', 'RATING', 42),
    ]);
    const run = await recgate(
      ['train', '--data', data.dir, '--format', 'generic', '--events', events, ...FAST],
      tempDir(),
    );
    expect(run.status).toBe(1);
    expect(lines(run.stderr).at(-1)).toBe(
      'recgate: error: events: 3 of 4 feedback records in mostly-bad.jsonl are bad (75%, more than the 5% allowed): ' +
        '1 value out of range, 2 malformed; first: mostly-bad.jsonl:2: unknown feedback type "SWIPE"',
    );
    expectNoStackTrace(run);
  });
});
