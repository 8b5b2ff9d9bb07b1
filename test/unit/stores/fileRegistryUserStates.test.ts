import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUserStates } from '../../../src/inference/readUserStates.js';
import { tinyRegistry } from '../inference/servedModelFixtures.js';
import type { TinyRegistry } from '../inference/servedModelFixtures.js';

/** FileModelRegistry.readUserStates: records parsed line by line as they are taken (issue #6: start-up peak). */
describe('FileModelRegistry.readUserStates', () => {
  let reg: TinyRegistry;
  let file: string;
  let original: string;

  beforeAll(() => {
    reg = tinyRegistry();
    file = join(reg.dir, 'default', 'v1', 'user-state.jsonl');
    original = readFileSync(file, 'utf8');
  });

  afterAll(() => {
    if (reg) rmSync(reg.dir, { recursive: true, force: true });
  });

  it('yields every record of the file, in file order, equal to the parsed lines', async () => {
    writeFileSync(file, original);
    const expected = original
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
    expect(expected.length).toBeGreaterThan(3);
    expect([...(await reg.registry.readUserStates!('v1'))]).toEqual(expected);
    expect(await checkUserStates(reg.registry, 'v1')).toBe(expected.length);
  });

  it('skips blank lines and reads a file without a final newline', async () => {
    const lines = original.split('\n').filter((l) => l.trim() !== '');
    writeFileSync(file, `${lines[0]}\n\n   \n${lines[1]}`);
    const got = [...(await reg.registry.readUserStates!('v1'))];
    expect(got.map((r) => r.userId)).toEqual(
      [lines[0], lines[1]].map((l) => (JSON.parse(l!) as { userId: string }).userId),
    );
  });

  it('parses lazily: a bad line fails while iterating, naming the file and line, after the records before it', async () => {
    const lines = original.split('\n').filter((l) => l.trim() !== '');
    writeFileSync(file, [lines[0], lines[1], '{"userId": 7}', lines[2]].join('\n') + '\n');
    const records = await reg.registry.readUserStates!('v1'); // no throw yet
    const taken: string[] = [];
    expect(() => {
      for (const r of records) taken.push(r.userId);
    }).toThrow(`${file}:3: expected a user state object: userId is not a string`);
    expect(taken).toHaveLength(2);
    writeFileSync(file, `${lines[0]}\n{not json\n`);
    expect(() => [...records]).not.toThrow(); // a generator runs once: the first iteration consumed it
    const again = await reg.registry.readUserStates!('v1');
    expect(() => [...again]).toThrow(`${file}:2: not valid JSON`);
  });

  it('names the file, the line and the field of a record in the wrong shape', async () => {
    const good = JSON.parse(original.split('\n')[0]!) as Record<string, unknown>;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, userId: 7 }, 'userId is not a string'],
      [{ ...good, interactionCount: '3' }, 'interactionCount is not a finite number'],
      [{ ...good, seen: undefined }, 'seen is not an array of strings'],
      [{ ...good, recent: ['a', 1] }, 'recent is not an array of strings'],
      [{ ...good, categoryShare: [] }, 'categoryShare is not an object'],
      [
        { ...good, categoryLastSeen: { Drama: 'yesterday' } },
        'categoryLastSeen has a value that is not a finite number',
      ],
    ];
    for (const [record, problem] of cases) {
      writeFileSync(file, `${original.split('\n')[0]}\n${JSON.stringify(record)}\n`);
      const records = await reg.registry.readUserStates!('v1');
      expect(() => [...records]).toThrow(`${file}:2: expected a user state object: ${problem}`);
    }
    writeFileSync(file, '[1, 2]\n');
    const array = await reg.registry.readUserStates!('v1');
    expect(() => [...array]).toThrow(`${file}:1: expected a user state object: not a JSON object`);
  });

  it('fails at the call, naming the file, when the file is missing', async () => {
    rmSync(file);
    await expect(reg.registry.readUserStates!('v1')).rejects.toThrow(/user-state\.jsonl/);
    writeFileSync(file, original);
  });
});
