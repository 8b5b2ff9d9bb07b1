import path from 'node:path';
import { DatasetError } from './dataset.js';
import type { DatasetFormat } from './dataset.js';
import { describeValue } from './describeValue.js';
import { parseDelimited } from './parseDelimited.js';
import type { DelimitedFormat } from './parseDelimited.js';
import { readTextFile } from './readTextFile.js';
import type { TextEncoding } from './readTextFile.js';

/**
 * How to read one delimited dataset file.
 * - `format`: the dataset format, for error messages.
 * - `encoding`, `delimiter`, `quote`: see `readTextFile` and `parseDelimited`.
 * - `header`: `null` for headerless files with exactly `columns` fields per
 *   row; otherwise a function receiving the header fields (trimmed) that
 *   returns the number of fields each data row must have, or throws
 *   `DatasetError` for an unusable header.
 * - `columns`: field count of headerless files (ignored with a header).
 */
export interface DelimitedFileSpec extends DelimitedFormat {
  readonly format: DatasetFormat;
  readonly encoding: TextEncoding;
  readonly header: ((fields: string[]) => number) | null;
  readonly columns: number;
}

/**
 * Receives the data rows of a delimited file in file order: `row` for rows
 * with the expected field count (fields untrimmed), `malformed` for the
 * others (`expected 4 fields, got 3`) and for unreadable records. `file` is
 * the base name used in reports; `line` is 1-based.
 */
export interface DelimitedFileHandler {
  row(fields: string[], line: number, file: string): void;
  malformed(line: number, reason: string, file: string): void;
}

/**
 * Reads, decodes and parses `filePath` per `spec`, passing every data row to
 * `handler`. Blank lines are ignored.
 *
 * @throws DatasetError (one line) when the file cannot be read, is empty (no
 *   non-blank character), or its header line cannot be parsed or is rejected
 *   by `spec.header`. Never throws for bad data rows.
 */
export async function readDelimitedFile(
  filePath: string,
  spec: DelimitedFileSpec,
  handler: DelimitedFileHandler,
): Promise<void> {
  const file = path.basename(filePath);
  const text = await readTextFile(filePath, spec.encoding);
  if (text.trim() === '') throw new DatasetError(`${spec.format}: ${file} is empty`);
  let expected = spec.header === null ? spec.columns : -1;
  parseDelimited(text, spec, {
    row(fields, line) {
      if (expected === -1) {
        expected = (spec.header as (fields: string[]) => number)(fields.map((f) => f.trim()));
        return;
      }
      if (fields.length !== expected) {
        handler.malformed(line, `expected ${expected} fields, got ${fields.length}`, file);
        return;
      }
      handler.row(fields, line, file);
    },
    malformed(line, reason) {
      if (expected === -1) {
        throw new DatasetError(`${spec.format}: cannot read the header of ${file} (line ${line}: ${reason})`);
      }
      handler.malformed(line, reason, file);
    },
  });
}

/**
 * A `header` callback for files with a fixed header: accepts exactly
 * `names` (after trimming each field) and returns their count.
 *
 * @throws DatasetError (one line) showing the expected and the found header.
 */
export function fixedHeader(format: DatasetFormat, file: string, names: readonly string[]): (fields: string[]) => number {
  return (fields) => {
    if (fields.length === names.length && fields.every((f, i) => f === names[i])) return names.length;
    throw new DatasetError(
      `${format}: unexpected header in ${file}: ${describeValue(fields.join(','))} (expected "${names.join(',')}")`,
    );
  };
}
