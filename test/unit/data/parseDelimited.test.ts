import { describe, expect, it } from 'vitest';
import { parseDelimited } from '../../../models/data/parseDelimited.js';
import type { DelimitedFormat } from '../../../models/data/parseDelimited.js';

interface Parsed {
  rows: [line: number, fields: string[]][];
  malformed: [line: number, reason: string][];
}

function run(text: string, format: DelimitedFormat = { delimiter: ',', quote: true }): Parsed {
  const out: Parsed = { rows: [], malformed: [] };
  parseDelimited(text, format, {
    row: (fields, line) => out.rows.push([line, fields]),
    malformed: (line, reason) => out.malformed.push([line, reason]),
  });
  return out;
}

describe('Data: parseDelimited', () => {
  it('gives each record the line it starts on, skipping blank lines', () => {
    const { rows, malformed } = run('a,b\n\n1,2\n  \n"x\ny\nz",3\n4,5');
    expect(malformed).toEqual([]);
    expect(rows).toEqual([
      [1, ['a', 'b']],
      [3, ['1', '2']],
      [5, ['x\ny\nz', '3']],
      [8, ['4', '5']],
    ]);
  });

  it('leaves the column count to the caller', () => {
    expect(run('a,b\n1,2,3\n4\n').rows.map(([, f]) => f.length)).toEqual([2, 3, 1]);
  });

  it('reports a bad record at its first line and resumes on the next line', () => {
    const { rows, malformed } = run('a,b\n1,2\n"xy,3\n4,5\n"7,8\n9,9\n');
    // Line 3 opens a quoted field that csv-parse only finds broken at line 5 (`"7`):
    // the record is reported at line 3, and parsing restarts at line 4.
    expect(malformed).toEqual([
      [3, 'quoted field not followed by a delimiter'],
      [5, 'unterminated quoted field'],
    ]);
    expect(rows.map(([line]) => line)).toEqual([1, 2, 4, 6]);
  });

  it('reports quotes inside unquoted fields and text after a closing quote', () => {
    const { rows, malformed } = run('a,b\nx"y,1\n"x"y,2\nok,3\n');
    expect(malformed).toEqual([
      [2, 'quote inside an unquoted field'],
      [3, 'quoted field not followed by a delimiter'],
    ]);
    expect(rows).toEqual([
      [1, ['a', 'b']],
      [4, ['ok', '3']],
    ]);
  });

  it('treats quotes as ordinary characters when quote is false', () => {
    const { rows } = run('1::"Weird Al" (1996)::Comedy\n2::a "b::\n', { delimiter: '::', quote: false });
    expect(rows).toEqual([
      [1, ['1', '"Weird Al" (1996)', 'Comedy']],
      [2, ['2', 'a "b', '']],
    ]);
  });

  it('keeps line numbers exact across the internal pieces of a large file', () => {
    // About 1.2M characters with quoted multi-line fields everywhere, so piece
    // boundaries fall next to them, plus one stray quote far down the file.
    const lines: string[] = ['id,text'];
    const expected: [number, string][] = [];
    let line = 2;
    for (let i = 0; line < 60_000; i++) {
      const multi = i % 7 === 0;
      const text = multi ? `"row ${i}\nsecond ""line"", with comma"` : `row ${i} plain text padding`;
      lines.push(`${i},${text}`);
      expected.push([line, String(i)]);
      line += multi ? 2 : 1;
    }
    const stray = expected.length - 100;
    const [strayLine] = expected[stray]!;
    lines[stray + 1] = `${stray},bad "quote`;
    const { rows, malformed } = run(`${lines.join('\n')}\n`);
    expect(malformed).toEqual([[strayLine, 'quote inside an unquoted field']]);
    const got = rows.slice(1).map(([l, f]): [number, string] => [l, f[0]!]);
    expect(got).toEqual(expected.filter((_, i) => i !== stray));
  });
});
