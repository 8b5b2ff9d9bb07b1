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

  it('throws as openSync does for a missing file', () => {
    expect(() => [...fileLines(join(dir, 'missing'))]).toThrow(/ENOENT/);
  });
});
