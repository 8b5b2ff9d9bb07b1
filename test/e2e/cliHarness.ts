import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom } from '../../src/domain/random.js';

/**
 * Shared helpers of the CLI end-to-end tests: temporary folders, a seeded
 * synthetic generic dataset (optionally with bad rows at known lines) and a
 * runner that starts `src/cli.ts` as a child process.
 */

/** Absolute path of the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Options that keep one `recgate train` run to a few seconds on the synthetic dataset. */
export const FAST = ['--dimension', '8', '--epochs', '3', '--ranker-epochs', '3', '--neighbours', '10'];

const created: string[] = [];

/** A fresh empty folder under the OS temp dir, removed by {@link removeTempDirs}. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-'));
  created.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir} (call from `afterAll`). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `recgate <args>` as `node --import tsx src/cli.ts <args>` in the repo
 * root, with `RECGATE_REGISTRY` set to `registry` (and RECGATE_DEBUG unset).
 * Asynchronous (unlike `spawnSync`) so that `describe.concurrent` tests can
 * keep both cores of a small machine busy: vitest runs one test file at a
 * time there.
 */
export function recgate(args: readonly string[], registry: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, RECGATE_REGISTRY: registry };
  delete env['RECGATE_DEBUG'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Lines of `text` that look like a V8 stack frame (`    at fn (file:1:2)`). */
export function stackFrames(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at .+\(.+:\d+:\d+\)/.test(l) || /^\s+at .+:\d+:\d+$/.test(l));
}

/** Non-empty lines of `text`. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The kinds of bad row {@link writeDataset} can insert, in the order they cycle through. */
export const BAD_ROW_PLANTS = [
  { plant: 'missingUserId', kind: 'missingId' },
  { plant: 'unparsableTimestamp', kind: 'badTimestamp' },
  { plant: 'futureTimestamp', kind: 'badTimestamp' },
  { plant: 'ratingOutOfRange', kind: 'valueOutOfRange' },
  { plant: 'duplicate', kind: 'duplicate' },
  { plant: 'wrongColumnCount', kind: 'malformed' },
] as const;

export type PlantedKind = (typeof BAD_ROW_PLANTS)[number]['plant'];

/** A bad row written into `interactions.csv`: its 1-based line, what was planted and the expected reason. */
export interface PlantedRow {
  readonly line: number;
  readonly plant: PlantedKind;
  readonly kind: (typeof BAD_ROW_PLANTS)[number]['kind'];
  readonly reason: string;
}

export interface GeneratedDataset {
  readonly dir: string;
  /** Data rows written to interactions.csv (good and bad; the header is not a row). */
  readonly rows: number;
  readonly goodRows: number;
  readonly bad: readonly PlantedRow[];
  readonly users: number;
  readonly items: number;
}

export interface DatasetOptions {
  /** Insert one bad row after every `badEvery - 1` good rows (line `badEvery + 1`, `2·badEvery + 1`, …). */
  readonly badEvery?: number;
  /** How many bad rows to insert (cycling through {@link BAD_ROW_PLANTS}). */
  readonly badCount?: number;
}

const USERS = 150;
const ITEMS = 60;
const DAY_S = 86_400;
/** 2024-01-01T00:00:00Z in Unix seconds: the first day of the 60-day window. */
const START_S = Date.UTC(2024, 0, 1) / 1000;
const CATEGORIES = [
  ['sci-fi', 'space'],
  ['sci-fi', 'robots'],
  ['romance', 'drama'],
  ['romance', 'comedy'],
] as const;

/**
 * Writes a generic dataset (`interactions.csv`, `items.csv`) into a new temp
 * folder named `<dir>/synthetic` (so the dataset name is stable):
 * - 150 users × 60 items; users `u0..u74` prefer items `i0..i29` (sci-fi),
 *   users `u75..u149` prefer `i30..i59` (romance), 85 % of the time, with a
 *   popularity skew inside each half;
 * - 20..32 distinct items per user, timestamps spread over 60 days from
 *   2024-01-01 (Unix seconds, every fifth one as ISO 8601 text);
 * - types CLICK, VIEW (dwell seconds), PURCHASE and RATING (1..10).
 * Bad rows (if asked) are inserted at lines `badEvery + 1`, `2·badEvery + 1`, …
 */
export function writeDataset(options: DatasetOptions = {}, seed = 7): GeneratedDataset {
  const rng = createRandom(seed);
  const dir = path.join(tempDir(), 'synthetic');
  mkdirSync(dir);

  const itemLines = ['item_id,title,categories,attributes,created_at'];
  for (let i = 0; i < ITEMS; i++) {
    const cats = CATEGORIES[(i < ITEMS / 2 ? 0 : 2) + (i % 2)]!;
    const attributes = JSON.stringify({ price: 5 + (i % 7) }).replace(/"/g, '""');
    itemLines.push(
      `i${i},Item ${i},${cats.join('|')},"${attributes}",2023-12-${String(1 + (i % 28)).padStart(2, '0')}`,
    );
  }
  writeFileSync(path.join(dir, 'items.csv'), itemLines.join('\n') + '\n');

  const good: { text: string; fields: string[] }[] = [];
  for (let u = 0; u < USERS; u++) {
    const preferred = u < USERS / 2 ? 0 : ITEMS / 2;
    const other = ITEMS / 2 - preferred;
    const count = rng.int(20, 32);
    const seen = new Set<number>();
    while (seen.size < count) {
      const base = rng.next() < 0.85 ? preferred : other;
      // Squaring a uniform number skews towards the low indices: a few popular items per half.
      seen.add(base + Math.floor(rng.next() ** 2 * (ITEMS / 2)));
    }
    for (const item of seen) {
      const ts = START_S + rng.int(0, 60 * DAY_S - 1);
      const timestamp = good.length % 5 === 0 ? new Date(ts * 1000).toISOString() : String(ts);
      const r = rng.next();
      const [type, value] =
        r < 0.5
          ? ['CLICK', '']
          : r < 0.75
            ? ['VIEW', String(rng.int(5, 600))]
            : r < 0.85
              ? ['PURCHASE', '']
              : ['RATING', String(rng.int(1, 10))];
      const fields = [`u${u}`, `i${item}`, timestamp, type, value];
      good.push({ text: fields.join(','), fields });
    }
  }
  rng.shuffle(good);

  const badEvery = options.badEvery ?? 50;
  const badCount = options.badCount ?? 0;
  const out = ['user_id,item_id,timestamp,type,value'];
  const bad: PlantedRow[] = [];
  let g = 0;
  while (g < good.length) {
    const line = out.length + 1;
    if (bad.length < badCount && (line - 1) % badEvery === 0) {
      const { plant, kind } = BAD_ROW_PLANTS[bad.length % BAD_ROW_PLANTS.length]!;
      const { text, reason } = badRow(plant, good[g - 1]!.fields, line - 1);
      out.push(text);
      bad.push({ line, plant, kind, reason });
    } else out.push(good[g++]!.text);
  }
  writeFileSync(path.join(dir, 'interactions.csv'), out.join('\n') + '\n');
  return { dir, rows: out.length - 1, goodRows: good.length, bad, users: USERS, items: ITEMS };
}

/** A bad row of the given plant and the reason the loader should give; `previous` is the good row above it. */
function badRow(
  plant: PlantedKind,
  previous: string[],
  previousLine: number,
): { text: string; reason: string } {
  const [user, item, timestamp] = previous as [string, string, string];
  switch (plant) {
    case 'missingUserId':
      return { text: `,${item},${timestamp},CLICK,`, reason: 'missing user id' };
    case 'unparsableTimestamp':
      return { text: `${user},${item},not-a-time,CLICK,`, reason: 'unparsable timestamp "not-a-time"' };
    case 'futureTimestamp':
      return {
        text: `${user},${item},2999-01-01T00:00:00Z,CLICK,`,
        reason: 'timestamp "2999-01-01T00:00:00Z" (2999-01-01T00:00:00.000Z) is in the future',
      };
    case 'ratingOutOfRange':
      return { text: `${user},${item},${timestamp},RATING,99`, reason: 'rating 99 outside 0..10' };
    case 'duplicate':
      return {
        text: previous.join(','),
        reason: `duplicate of line ${previousLine} (same user, item, type, timestamp)`,
      };
    case 'wrongColumnCount':
      return { text: `${user},${item},${timestamp}`, reason: 'expected 5 fields, got 3' };
  }
}

/** Writes `interactions.csv` with exactly these data lines (after the standard header) into a new temp folder. */
export function writeInteractions(dataLines: readonly string[]): string {
  const dir = path.join(tempDir(), 'custom');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'interactions.csv'),
    ['user_id,item_id,timestamp,type,value', ...dataLines].join('\n') + '\n',
  );
  return dir;
}
