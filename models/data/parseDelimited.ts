import { CsvError, parse } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';

/**
 * How to split a delimited text file.
 * - `delimiter`: field separator, one or more characters (`,` `\t` `|` `::`).
 * - `quote`: `true` for RFC 4180 double-quoted fields (which may contain the
 *   delimiter, `""` and line breaks); `false` when quotes are plain characters.
 */
export interface DelimitedFormat {
  readonly delimiter: string;
  readonly quote: boolean;
}

/**
 * Receives the rows of a delimited file in file order.
 * - `row(fields, line)`: one record; `line` is the 1-based line it starts on.
 *   Fields are untrimmed strings; the column count is not checked.
 * - `malformed(line, reason)`: a record csv-parse could not read (bad
 *   quoting, over-long record); the parser resumes at the next line.
 * Blank lines (only spaces or tabs) are skipped silently and reach neither.
 */
export interface DelimitedRowHandler {
  row(fields: string[], line: number): void;
  malformed(line: number, reason: string): void;
}

/** Longest record accepted, in characters; longer ones are reported as malformed. */
const MAX_RECORD_CHARS = 1_000_000;

/** After this many unreadable records the rest of the file is reported line by line, unparsed. */
const MAX_RESYNCS = 1_000;

const NEWLINE = 0x0a;

/** Target size of the pieces `text` is parsed in, in characters (keeps parsed records short-lived). */
const CHUNK_CHARS = 1 << 18;

/**
 * Parses `text` (LF line ends, as returned by `readTextFile`) with csv-parse
 * and passes every record to `handler` with its exact starting line number.
 *
 * - Line numbers are counted here rather than taken from csv-parse's `info`:
 *   csv-parse yields one record per line (blank lines included, since
 *   `skip_empty_lines` is off), plus one extra line per line break inside a
 *   quoted field.
 * - The text is parsed in pieces of about 256K characters cut after a line
 *   break that lies outside quotes (even number of `"` before it), so the
 *   records of a piece can be garbage-collected early.
 * - csv-parse's own error recovery (`skip_records_with_error`) lets one stray
 *   quote swallow the rest of the file, so on a parse error this function
 *   instead reports the record at the line where it starts as malformed and
 *   re-parses from the following line. Without errors each piece is a single
 *   `parse` call.
 *
 * Never throws for bad input; errors thrown by `handler` propagate.
 */
export function parseDelimited(text: string, format: DelimitedFormat, handler: DelimitedRowHandler): void {
  const options: Options = {
    delimiter: format.delimiter,
    quote: format.quote ? '"' : false,
    record_delimiter: '\n',
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  };
  let line = 1;
  for (let pos = 0; pos < text.length; ) {
    const end = chunkEnd(text, pos, format.quote);
    const chunk = text.slice(pos, end);
    let records: string[][] | null = null;
    try {
      records = parse(chunk, options);
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
    }
    if (records !== null) emitRecords(records, line, format.quote, handler);
    else parseResilient(chunk, line, options, format.quote, handler);
    line += countLineBreaks(chunk);
    pos = end;
  }
}

/**
 * End (exclusive) of the piece starting at `pos`: just after the first line
 * break at or past `pos + CHUNK_CHARS` that has an even number of quote
 * characters between `pos` and itself (always true when `quoted` is false),
 * or the end of `text`.
 */
function chunkEnd(text: string, pos: number, quoted: boolean): number {
  if (text.length - pos <= CHUNK_CHARS) return text.length;
  let nl = text.indexOf('\n', pos + CHUNK_CHARS);
  if (nl === -1) return text.length;
  if (!quoted) return nl + 1;
  let quotes = 0;
  let q = text.indexOf('"', pos);
  for (;;) {
    while (q !== -1 && q < nl) {
      quotes++;
      q = text.indexOf('"', q + 1);
    }
    if (quotes % 2 === 0) return nl + 1;
    nl = text.indexOf('\n', nl + 1);
    if (nl === -1) return text.length;
  }
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/** Emits `records` starting at `firstLine`; returns the line after the last record. */
function emitRecords(
  records: readonly string[][],
  firstLine: number,
  quoted: boolean,
  handler: DelimitedRowHandler,
): number {
  let line = firstLine;
  for (const record of records) {
    const start = line;
    line += 1 + (quoted ? lineBreaksIn(record) : 0);
    if (record.length === 1 && isBlank(record[0] ?? '')) continue;
    handler.row(record, start);
  }
  return line;
}

/**
 * Slow path after a parse error: parse segment by segment, skipping one line
 * per error. Segments are zero-copy views of one UTF-8 buffer, so a resync
 * costs only the bytes csv-parse reads before the next error.
 */
function parseResilient(
  text: string,
  firstLine: number,
  options: Options,
  quoted: boolean,
  handler: DelimitedRowHandler,
): void {
  const bytes = Buffer.from(text, 'utf8');
  let line = firstLine;
  let offset = 0;
  let resyncs = 0;
  while (offset < bytes.length) {
    const captured: string[][] = [];
    let failure: CsvError | null = null;
    try {
      parse(bytes.subarray(offset), {
        ...options,
        on_record: (record: string[]) => {
          captured.push(record);
          return null;
        },
      });
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      failure = err;
    }
    const badLine = emitRecords(captured, line, quoted, handler);
    offset = skipLines(bytes, offset, badLine - line);
    line = badLine;
    if (failure === null) return;
    handler.malformed(line, describeCsvError(failure));
    offset = skipLines(bytes, offset, 1);
    line += 1;
    if (++resyncs >= MAX_RESYNCS) {
      reportRestUnparsed(bytes, offset, line, handler);
      return;
    }
  }
}

/** Reports every non-blank line from byte `offset` on as malformed. */
function reportRestUnparsed(bytes: Buffer, offset: number, line: number, handler: DelimitedRowHandler): void {
  while (offset < bytes.length) {
    const end = bytes.indexOf(NEWLINE, offset);
    const stop = end === -1 ? bytes.length : end;
    if (!isBlank(bytes.toString('utf8', offset, stop))) {
      handler.malformed(line, `not parsed: more than ${MAX_RESYNCS} unreadable records before it`);
    }
    offset = stop + 1;
    line += 1;
  }
}

/** Byte offset of the start of the line `count` lines after the one starting at `offset` (or the end). */
function skipLines(bytes: Buffer, offset: number, count: number): number {
  let pos = offset;
  for (let i = 0; i < count && pos < bytes.length; i++) {
    const nl = bytes.indexOf(NEWLINE, pos);
    pos = nl === -1 ? bytes.length : nl + 1;
  }
  return pos;
}

function lineBreaksIn(record: readonly string[]): number {
  let n = 0;
  for (const field of record) if (field.includes('\n')) n += countLineBreaks(field);
  return n;
}

function isBlank(s: string): boolean {
  return /^[ \t\r]*$/.test(s);
}

/** Short, one-line reason for a csv-parse error. */
function describeCsvError(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quoted field';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'quoted field not followed by a delimiter';
    case 'INVALID_OPENING_QUOTE':
      return 'quote inside an unquoted field';
    case 'CSV_MAX_RECORD_SIZE':
      return `record longer than ${MAX_RECORD_CHARS} characters`;
    default:
      return `unreadable record (${err.code})`;
  }
}
