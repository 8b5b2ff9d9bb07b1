import path from 'node:path';
import { DatasetError } from './dataset.js';
import type { DatasetFormat } from './dataset.js';
import { describeValue } from './describeValue.js';
import { readDelimitedFile } from './readDelimitedFile.js';
import { readTextFile } from './readTextFile.js';

/**
 * Which keys a record file may have. `required` keys must be CSV header
 * columns (JSON Lines records may omit them; the caller then sees
 * `undefined`). Keys outside `required` and `optional` are ignored with one
 * warning per file.
 */
export interface RecordKeys {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/**
 * Receives the records of a CSV or JSON Lines file in file order.
 * - `record(values, line, file)`: for CSV, every known column as a string;
 *   for JSON Lines, the parsed object (values of any JSON type).
 * - `malformed(line, reason, file)`: wrong CSV field count, unreadable CSV
 *   record, invalid JSON or a JSON value that is not an object.
 * - `warn(message)`: one-line notes (ignored columns or keys).
 */
export interface RecordHandler {
  record(values: Readonly<Record<string, unknown>>, line: number, file: string): void;
  malformed(line: number, reason: string, file: string): void;
  warn(message: string): void;
}

/**
 * Reads a generic-format record file, chosen by extension: `.csv` (UTF-8,
 * comma-separated, RFC 4180 quoting, a header row whose names are matched
 * case-insensitively, in any order) or `.jsonl` (UTF-8, one JSON object per
 * non-blank line). Blank lines are ignored.
 *
 * @throws DatasetError (one line) when the file cannot be read, is empty, or
 *   (CSV) its header lacks a `required` column or repeats a column.
 */
export async function readRecordFile(
  filePath: string,
  format: DatasetFormat,
  keys: RecordKeys,
  handler: RecordHandler,
): Promise<void> {
  const file = path.basename(filePath);
  if (filePath.endsWith('.jsonl')) {
    await readJsonLines(filePath, file, format, keys, handler);
    return;
  }
  let columns: string[] = [];
  await readDelimitedFile(
    filePath,
    {
      format,
      encoding: 'utf8',
      delimiter: ',',
      quote: true,
      columns: 0,
      header: (fields) => {
        columns = fields.map((f) => f.toLowerCase());
        checkHeader(columns, file, format, keys, handler);
        return columns.length;
      },
    },
    {
      row(fields, line) {
        const values = Object.create(null) as Record<string, unknown>;
        for (let i = 0; i < columns.length; i++) values[columns[i] ?? ''] = fields[i];
        handler.record(values, line, file);
      },
      malformed: (line, reason) => handler.malformed(line, reason, file),
    },
  );
}

function checkHeader(
  columns: readonly string[],
  file: string,
  format: DatasetFormat,
  keys: RecordKeys,
  handler: RecordHandler,
): void {
  const missing = keys.required.filter((k) => !columns.includes(k));
  if (missing.length > 0) {
    throw new DatasetError(
      `${format}: ${file} header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
        `(found ${describeValue(columns.join(','))}; required: ${keys.required.join(',')})`,
    );
  }
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  if (repeated !== undefined) throw new DatasetError(`${format}: ${file} header repeats column ${repeated}`);
  const unknown = columns.filter((c) => !keys.required.includes(c) && !keys.optional.includes(c));
  if (unknown.length > 0) handler.warn(`${file}: ignored unknown column(s) ${unknown.join(', ')}`);
}

async function readJsonLines(
  filePath: string,
  file: string,
  format: DatasetFormat,
  keys: RecordKeys,
  handler: RecordHandler,
): Promise<void> {
  const text = await readTextFile(filePath, 'utf8');
  if (text.trim() === '') throw new DatasetError(`${format}: ${file} is empty`);
  const unknownKeys = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineText = lines[i] ?? '';
    if (lineText.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch {
      handler.malformed(i + 1, 'invalid JSON', file);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      handler.malformed(i + 1, 'JSON line is not an object', file);
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      if (!keys.required.includes(k) && !keys.optional.includes(k)) unknownKeys.add(k);
    }
    handler.record(record, i + 1, file);
  }
  if (unknownKeys.size > 0) {
    const shown = [...unknownKeys].slice(0, 10).join(', ');
    handler.warn(`${file}: ignored unknown key(s) ${shown}${unknownKeys.size > 10 ? ', …' : ''}`);
  }
}
