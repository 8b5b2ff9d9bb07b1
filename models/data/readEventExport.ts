import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isInteractionType } from '../../src/domain/interaction.js';
import { DatasetError } from './dataset.js';
import { describeValue } from './describeValue.js';
import type { RawInteraction } from './validateInteraction.js';

/**
 * Lines that are impression or served-list records, recognised without
 * parsing them: the gateway writes `kind` as the first key of every record,
 * and served lists (with a feature row per item) are most of an export's
 * bytes. A line that does not match is parsed in full, so the shortcut only
 * saves time; a torn served-list line is counted as ignored, not as bad.
 */
const NOT_FEEDBACK = /^\s*\{\s*"kind"\s*:\s*"(impression|served)"/;

/**
 * Receives the records of one event-log export in file order (`line` is
 * 1-based; `file` is the base name).
 * - `feedback(raw, line, file, eventId)`: a `feedback` record turned into a
 *   row for `validateInteraction` (not validated yet). `eventId` is `null`
 *   when the record has none; `receivedAt` (Unix ms, when the gateway
 *   accepted it) is `null` when the record has no finite number there.
 * - `malformed(line, reason, file)`: a line that is not valid JSON, not an
 *   object, has no known `kind`, or is a feedback record whose `userId`,
 *   `itemId`, `type` or `value` has the wrong JSON type or an unknown type.
 */
export interface EventExportHandler {
  feedback(
    raw: RawInteraction,
    line: number,
    file: string,
    eventId: string | null,
    receivedAt: number | null,
  ): void;
  malformed(line: number, reason: string, file: string): void;
}

/** What {@link readEventExport} saw in one file (blank lines are not counted). */
export interface EventExportCounts {
  /** `feedback` records handed to `feedback()`. */
  readonly feedback: number;
  /** `impression` records, skipped: they are exposures, not interactions. */
  readonly impressions: number;
  /** `served` (served-list) records, skipped for the same reason. */
  readonly served: number;
  /** Lines handed to `malformed()`. */
  readonly malformed: number;
}

/**
 * Streams an event-log export: the JSON Lines file `recgate export-events`
 * writes, which is also the format of the file event log
 * (`var/events.jsonl`): one `EventRecord` (`src/domain/events.ts`) per line,
 * UTF-8. The file is read line by line (never whole), so exports larger than
 * memory are fine. A leading byte-order mark is dropped; CRLF line ends are
 * accepted; blank lines are ignored.
 *
 * Feedback records become rows: `userId`, `itemId` (strings, or numbers kept
 * as their decimal text), `type` (a `FeedbackType`, case-insensitive: the
 * same names as `InteractionType`), `value` (number or null) and `timestamp`
 * (Unix ms, the event time; `receivedAt` is not used). Impression and
 * served-list records are counted and skipped.
 *
 * @throws DatasetError (one line) when `filePath` does not exist, is not a
 *   regular file, or cannot be read. Bad content never throws: it goes to
 *   `handler.malformed`.
 */
export async function readEventExport(
  filePath: string,
  handler: EventExportHandler,
): Promise<EventExportCounts> {
  const file = path.basename(filePath);
  const stat = statSync(filePath, { throwIfNoEntry: false });
  if (stat === undefined)
    throw new DatasetError(`events: event-log export ${path.resolve(filePath)} does not exist`);
  if (!stat.isFile()) {
    throw new DatasetError(
      `events: ${path.resolve(filePath)} is not a file (expected a JSON Lines event-log export)`,
    );
  }
  let feedback = 0;
  let impressions = 0;
  let served = 0;
  let malformed = 0;
  const bad = (line: number, reason: string): void => {
    malformed++;
    handler.malformed(line, reason, file);
  };

  const input = createReadStream(filePath, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  // An open failure (no permission) is an 'error' event the line iterator may not pass on: wait for it first.
  const opened = new Promise<void>((resolve, reject) => {
    input.once('ready', () => resolve());
    input.once('error', reject);
  });
  let line = 0;
  try {
    await opened;
    for await (const rawText of lines) {
      line++;
      const text = line === 1 && rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
      if (text.trim() === '') continue;
      const shortcut = NOT_FEEDBACK.exec(text);
      if (shortcut !== null) {
        if (shortcut[1] === 'served') served++;
        else impressions++;
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        bad(line, 'invalid JSON');
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        bad(line, 'JSON line is not an object');
        continue;
      }
      const record = value as Record<string, unknown>;
      if (record.kind === 'impression') impressions++;
      else if (record.kind === 'served') served++;
      else if (record.kind !== 'feedback') bad(line, `unknown record kind ${describeValue(record.kind)}`);
      else {
        const row = feedbackRow(record);
        if (typeof row === 'string') bad(line, row);
        else {
          feedback++;
          handler.feedback(
            row,
            line,
            file,
            typeof record.eventId === 'string' ? record.eventId : null,
            typeof record.receivedAt === 'number' && Number.isFinite(record.receivedAt)
              ? record.receivedAt
              : null,
          );
        }
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DatasetError(`events: cannot read ${path.resolve(filePath)} (${code})`);
  } finally {
    lines.close();
    input.destroy();
  }
  return { feedback, impressions, served, malformed };
}

/** The row of a feedback record, or the reason it is malformed. */
function feedbackRow(record: Readonly<Record<string, unknown>>): RawInteraction | string {
  const userId = idOf(record.userId);
  if (userId === null) return `userId ${describeValue(record.userId)} must be a string`;
  const itemId = idOf(record.itemId);
  if (itemId === null) return `itemId ${describeValue(record.itemId)} must be a string`;
  const type = typeof record.type === 'string' ? record.type.trim().toUpperCase() : '';
  if (!isInteractionType(type)) return `unknown feedback type ${describeValue(record.type)}`;
  const value = record.value;
  if (value !== undefined && value !== null && typeof value !== 'number') {
    return `value ${describeValue(value)} must be a number or null`;
  }
  const ts = record.timestamp;
  // Absent → '' (reported as an empty timestamp); other JSON types → their JSON text (unparsable).
  const timestamp =
    typeof ts === 'number' || typeof ts === 'string'
      ? ts
      : ts === undefined || ts === null
        ? ''
        : JSON.stringify(ts);
  return { userId, itemId, timestamp, type, value: value ?? null };
}

/** A string id (trimmed later), a finite number as its decimal text, `''` when absent, `null` for other JSON types. */
function idOf(raw: unknown): string | null {
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}
