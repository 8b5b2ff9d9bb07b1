import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileLines } from '../../../models/registry/loadVersionBundle.js';

const dir = mkdtempSync(join(tmpdir(), 'recgate-file-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fileLines', () => {
  it('gives the lines of the decoded file for any chunk size, multi-byte characters across chunks included', () => {
    const text = '{"t":"héllo wörld ✓"}\n\n  \r\n{"t":"日本語テキスト"}\nlast line without newline ☃';
    const path = join(dir, 'lines.txt');
    writeFileSync(path, text);
    for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) {
      expect([...fileLines(path, chunk)]).toEqual(text.split('\n'));
    }
    writeFileSync(path, 'a\nb\n');
    expect([...fileLines(path, 2)]).toEqual(['a', 'b', '']);
    writeFileSync(path, '');
    expect([...fileLines(path)]).toEqual(['']);
  });

  it('gives every line when lines are longer than the buffer many times over, or end exactly at a chunk border (issue #6: one buffer, moved and doubled)', () => {
    const lines = Array.from({ length: 40 }, (_, i) => 'é✓x'.repeat(i % 9) + (i % 5 === 0 ? '' : `#${i}`));
    lines.push('z'.repeat(1000));
    const text = lines.join('\n');
    const path = join(dir, 'long.txt');
    writeFileSync(path, text);
    for (const chunk of [1, 2, 4, 6, 8, 13, 1000, 1001]) {
      expect([...fileLines(path, chunk)]).toEqual(lines);
    }
    writeFileSync(path, 'abc\ndef\n');
    expect([...fileLines(path, 4)]).toEqual(['abc', 'def', '']); // each chunk ends with a "\n"
    expect([...fileLines(path, 8)]).toEqual(['abc', 'def', '']); // the file is one whole chunk
  });

  it('throws as openSync does for a missing file', () => {
    expect(() => [...fileLines(join(dir, 'missing'))]).toThrow(/ENOENT/);
  });
});
