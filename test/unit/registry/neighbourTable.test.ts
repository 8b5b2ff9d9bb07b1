import { describe, expect, it } from 'vitest';
import { lazyArrayView } from '../../../models/registry/lazyArrayView.js';
import {
  expectedNeighbourEntries,
  neighbourListView,
  packNeighbourTable,
  parseNeighbourTable,
  readNeighbourTableFile,
} from '../../../models/registry/neighbourTable.js';
import { createRandom } from '../../../src/domain/random.js';
import { BAD_NUMBERS, GOOD_NUMBERS } from './jsonNumberForms.js';
import { messageOf, withTempFile } from './tempFile.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** Writes `text` to a temporary neighbours.json, runs `fn` on its path, removes it. */
function withFile<T>(text: string, fn: (file: string) => T, name = 'neighbours.json'): T {
  return withTempFile(text, fn, name);
}

describe('Registry: neighbours.json read into one CSR table (issue #6)', () => {
  it('reads rows into offsets, item indices and scores (hand-worked)', () => {
    const t = parseNeighbourTable(
      bytes('{ "items": [[2, 1], [], [0]],\n "scores": [[0.5, 0.25], [], [1e-3]] }'),
      4,
    );
    expect(Array.from(t.offsets)).toEqual([0, 2, 2, 3, 3]); // the 4th row is past the file: empty
    expect(Array.from(t.items)).toEqual([2, 1, 0]);
    expect(Array.from(t.scores)).toEqual([0.5, 0.25, Math.fround(0.001)]);
    const lists = neighbourListView(t);
    expect(lists.length).toBe(4);
    expect(lists.map((l) => [Array.from(l.items), Array.from(l.scores)])).toEqual([
      [
        [2, 1],
        [0.5, 0.25],
      ],
      [[], []],
      [[0], [Math.fround(0.001)]],
      [[], []],
    ]);
    expect(lists[4]).toBeUndefined();
  });

  it('gives the same numbers as JSON.parse with Float32Array.from, on random files', () => {
    const rng = createRandom(5);
    for (let round = 0; round < 20; round++) {
      const n = 1 + rng.int(0, 200);
      const items: number[][] = [];
      const scores: number[][] = [];
      for (let i = 0; i < n; i++) {
        const k = rng.int(0, 12);
        items.push(Array.from({ length: k }, () => rng.int(0, n - 1)));
        // Rounded like publishVersion's round4, plus full-precision doubles and tiny values (exponent form).
        scores.push(
          Array.from({ length: k }, () => {
            const v = rng.next();
            const form = rng.int(0, 2);
            return form === 0 ? Math.round(v * 1e4) / 1e4 : form === 1 ? v : v * 1e-9;
          }),
        );
      }
      const text = JSON.stringify({ items, scores }, null, round % 2 === 0 ? undefined : 1);
      const t = parseNeighbourTable(bytes(text), n);
      const parsed = JSON.parse(text) as { items: number[][]; scores: number[][] };
      expect(Array.from(t.items)).toEqual(parsed.items.flat());
      expect(Array.from(t.scores)).toEqual(Array.from(Float32Array.from(parsed.scores.flat())));
      expect(Array.from(t.offsets.subarray(1))).toEqual(
        parsed.items.map((_, i) => parsed.items.slice(0, i + 1).flat().length),
      );
    }
  });

  it('refuses another shape, naming the byte', () => {
    expect(() => parseNeighbourTable(bytes('{"items":[[1]],"scores":[[0.5, 0.1]]}'), 2)).toThrow(
      /differ in length/,
    );
    expect(() => parseNeighbourTable(bytes('{"items":[[5]],"scores":[[0.5]]}'), 2)).toThrow(
      /expected an item index in \[0, 2\)/,
    );
    expect(() => parseNeighbourTable(bytes('{"items":[[1]]}'), 2)).toThrow(/both "items" and "scores"/);
    expect(() => parseNeighbourTable(bytes('{"items":[["a"]],"scores":[[1]]}'), 2)).toThrow(
      /at byte 11: expected a number/,
    );
    expect(() => parseNeighbourTable(bytes('{"other":[]}'), 2)).toThrow(/unexpected key "other"/);
    expect(() => parseNeighbourTable(bytes('{"items":[],"scores":[]} x'), 2)).toThrow(/after the object/);
  });
});

describe('Registry: neighbours.json read from its file through a window (issue #6: start-up peak)', () => {
  /** A random file of n rows (≤ 12 entries each), with runs of whitespace and long decimals so tokens cross window edges. */
  function randomFile(seed: number, n: number): string {
    const rng = createRandom(seed);
    const items: number[][] = [];
    const scores: number[][] = [];
    for (let i = 0; i < n; i++) {
      const k = rng.int(0, 12);
      items.push(Array.from({ length: k }, () => rng.int(0, n - 1)));
      scores.push(
        Array.from({ length: k }, () =>
          rng.int(0, 1) === 0 ? Math.round(rng.next() * 1e4) / 1e4 : rng.next() * 1e-9,
        ),
      );
    }
    const pad = ' '.repeat(rng.int(0, 9000)); // a whitespace run longer than the 8-KiB window
    return `{${pad}"items": ${JSON.stringify(items, null, seed % 3)},\n${pad}"scores":${JSON.stringify(scores)}${pad}}\n`;
  }

  it('gives the table of the whole-buffer parse, with an 8-KiB window over files 10-100× its size', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const n = 500 + seed * 700;
      const text = randomFile(seed, n);
      expect(text.length).toBeGreaterThan(10 * 8192);
      const whole = parseNeighbourTable(bytes(text), n);
      for (const expected of [0, 12 * n, 3]) {
        const t = withFile(text, (f) => readNeighbourTableFile(f, n, expected, 8192));
        expect(Array.from(t.offsets)).toEqual(Array.from(whole.offsets));
        expect(Array.from(t.items)).toEqual(Array.from(whole.items));
        expect(Array.from(t.scores)).toEqual(Array.from(whole.scores));
      }
    }
  });

  it('sizes the columns from topN × items: no copy when the file fills them, a copy when most would be unused', () => {
    const text = '{"items":[[1,0],[0,1]],"scores":[[0.5,0.25],[0.75,0.125]]}';
    const full = withFile(text, (f) => readNeighbourTableFile(f, 2, 2000));
    expect(full.items.length).toBe(4);
    expect(full.items.buffer.byteLength).toBe(16); // columns of the 1,024-entry floor, 4 used: a trimmed copy
    expect(expectedNeighbourEntries(1_000_000, 10)).toBe(10_000_000);
    expect(expectedNeighbourEntries(1_000_000, 0)).toBe(0);
    expect(expectedNeighbourEntries(1_000_000, 2.5)).toBe(0);
    expect(expectedNeighbourEntries(2 ** 30, 50)).toBe(2 ** 27);
    // 3,000 entries in columns sized for 3,000: views of them; sized for 30,000: trimmed copies.
    const rows = Array.from({ length: 1000 }, (_, i) => [i % 7, (i + 1) % 7, (i + 2) % 7]);
    const big = JSON.stringify({ items: rows, scores: rows.map((r) => r.map((v) => v / 8)) });
    const exact = withFile(big, (f) => readNeighbourTableFile(f, 1000, 3000));
    expect(exact.items.buffer.byteLength).toBe(3000 * 4);
    const loose = withFile(big, (f) => readNeighbourTableFile(f, 1000, 30_000));
    expect(loose.items.buffer.byteLength).toBe(3000 * 4);
    expect(Array.from(loose.items)).toEqual(Array.from(exact.items));
  });

  it('names the same byte as the whole-buffer parse for a bad file, and refuses a number that does not fit in the window', () => {
    const good = randomFile(9, 2000);
    const bad = `${good.slice(0, 50_000)}x${good.slice(50_001)}`;
    const message = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    const whole = message(() => parseNeighbourTable(bytes(bad), 2000));
    expect(whole).toMatch(/at byte \d+/);
    expect(withFile(bad, (f) => message(() => readNeighbourTableFile(f, 2000, 0, 8192)))).toBe(whole);
    const long = `{"items":[[1]],"scores":[[0.${'5'.repeat(9000)}]]}`; // longer than the window itself
    expect(parseNeighbourTable(bytes(long), 2).scores[0]).toBe(Math.fround(0.5555555555555556)); // whole: any length
    expect(withFile(long, (f) => message(() => readNeighbourTableFile(f, 2, 0, 8192)))).toMatch(
      /number too long/,
    );
    expect(() => readNeighbourTableFile('/nonexistent/neighbours.json', 2)).toThrow(/ENOENT/);
    expect(() => withFile(good, (f) => readNeighbourTableFile(f, 2000, 0, 4096))).toThrow(RangeError);
  });
});

describe("Registry: neighbours.json numbers are exactly JSON's (RFC 8259 §6)", () => {
  it('refuses +1, .5, 01, 1., 1e, -, 0x10 and the other forms JSON forbids in items and scores, whole or through a window, naming the byte', () => {
    for (const { text: bad, at, message } of BAD_NUMBERS) {
      const around: [string, string][] = [
        ['{"items":[[1,0]],"scores":[[0.5,', ']]}'],
        ['{"items":[[', ',0]],"scores":[[0.5,0.25]]}'],
        ['{"items":[[1],[ ', ' ]],"scores":[[0.5],[0.25]]}'],
      ];
      for (const [before, after] of around) {
        const text = before + bad + after;
        const expected = `neighbours.json at byte ${before.length + at}: ${message}`;
        expect(
          messageOf(() => parseNeighbourTable(bytes(text), 2)),
          text,
        ).toBe(expected);
        expect(
          withFile(text, (f) => messageOf(() => readNeighbourTableFile(f, 2, 0, 8192))),
          text,
        ).toBe(expected);
      }
    }
  });

  it("reads every form JSON allows as JSON.parse with Float32Array.from / Int32Array.from does, also where a score straddles the end of the window's first read", () => {
    const scores = GOOD_NUMBERS.map((t) => (Number.isFinite(Math.fround(JSON.parse(t) as number)) ? t : '1'));
    // Item indices: the allowed forms of an integer in [0, 3000) (-0 and 0.0 among them).
    const items = GOOD_NUMBERS.filter((t) => {
      const v = JSON.parse(t) as number;
      return Number.isInteger(v) && v >= 0 && v < 3000;
    });
    expect(items.length).toBeGreaterThan(10);
    const text = `{"items":[[${items.join(',')}],[]],"scores":[[${scores.slice(0, items.length).join(', ')}],[]]}`;
    const all = `{"items":[${scores.map(() => '[0]').join(',')}],"scores":[${scores.map((t) => `[${t}]`).join(',\n')}]}`;
    for (const t of [text, all]) {
      const parsed = JSON.parse(t) as { items: number[][]; scores: number[][] };
      const expectedItems = Array.from(Int32Array.from(parsed.items.flat()));
      const expectedScores = Float32Array.from(parsed.scores.flat());
      const read = [
        parseNeighbourTable(bytes(t), 3000),
        withFile(t, (f) => readNeighbourTableFile(f, 3000, 0, 8192)),
      ];
      for (const table of read) {
        expect(Array.from(table.items)).toEqual(expectedItems);
        expect(table.scores.every((v, e) => Object.is(v, expectedScores[e]))).toBe(true);
        expect(table.scores).toHaveLength(expectedScores.length);
      }
    }
    for (const windowBytes of [8192, 12_345]) {
      for (const good of scores) {
        const expected = Math.fround(JSON.parse(good) as number);
        for (let before = 0; before <= good.length + 1; before++) {
          const head = '{"items":[[0]],"scores":[[';
          const straddling = `${head}${' '.repeat(windowBytes - before - head.length)}${good}]]}`;
          expect(straddling.indexOf(good, head.length)).toBe(windowBytes - before);
          const v = withFile(straddling, (f) => readNeighbourTableFile(f, 1, 0, windowBytes)).scores[0];
          expect(Object.is(v, expected), `${good}, ${before} bytes before ${windowBytes}: ${v}`).toBe(true);
        }
      }
    }
  });
});

describe('lazyArrayView', () => {
  it('reads like an array and builds each element on read', () => {
    let built = 0;
    const view = lazyArrayView(3, (i) => {
      built++;
      return { i };
    });
    expect(view.length).toBe(3);
    expect(view[1]).toEqual({ i: 1 });
    expect(view[3]).toBeUndefined();
    expect(1 in view && !(3 in view)).toBe(true);
    expect(view.map((x) => x.i * 10)).toEqual([0, 10, 20]);
    expect([...view].map((x) => x.i)).toEqual([0, 1, 2]);
    expect(Array.isArray(view)).toBe(true);
    expect(built).toBe(1 + 3 + 3);
    expect(view.slice(1).map((x) => x.i)).toEqual([1, 2]);
    expect(Object.keys(view)).toEqual(['0', '1', '2']);
    expect(Object.getOwnPropertyDescriptor(view, 'length')?.value).toBe(3);
    expect(lazyArrayView(0, () => 1)).toHaveLength(0);
  });

  it('refuses writes', () => {
    const view = lazyArrayView(2, (i) => i) as number[];
    expect(() => {
      view[0] = 5;
    }).toThrow(TypeError);
    expect(() => view.push(1)).toThrow(TypeError);
    expect(view[0]).toBe(0);
  });

  it('packs 3-byte indices and 4-decimal int16 scores, read back bit for bit (hand-worked)', () => {
    const t = parseNeighbourTable(
      bytes('{"items":[[16777215, 1, 65536], [], [300]], "scores":[[0.7675, -0.5, 3.2767], [], [1e-4]]}'),
      2 ** 24,
    );
    const packed = packNeighbourTable(t);
    expect(packed.offsets).toBe(t.offsets);
    expect(packed.items).toBeInstanceOf(Uint8Array);
    expect(Array.from(packed.items)).toEqual([255, 255, 255, 1, 0, 0, 0, 0, 1, 44, 1, 0]);
    expect(packed.scores).toBeInstanceOf(Int16Array);
    expect(Array.from(packed.scores)).toEqual([7675, -5000, 32767, 1]);
    // 2²⁴ rows: read the first three, not all of them.
    const a = neighbourListView(t);
    const b = neighbourListView(packed);
    for (const i of [0, 1, 2, 3]) {
      expect([Array.from(b[i]!.items), Array.from(b[i]!.scores)]).toEqual([
        Array.from(a[i]!.items),
        Array.from(a[i]!.scores),
      ]);
    }
    expect(Array.from(b[0]!.items)).toEqual([16777215, 1, 65536]);
    expect(neighbourListView(packed)[0]!.scores[0]).toBe(Math.fround(0.7675));
  });

  it('keeps a column as it is when a value does not fit: more decimals, a score past 3.2767, an index of 2²⁴', () => {
    const more = packNeighbourTable(parseNeighbourTable(bytes('{"items":[[1]],"scores":[[0.12345]]}'), 2));
    expect(more.scores).toBeInstanceOf(Float32Array);
    expect(more.items).toBeInstanceOf(Uint8Array);
    const negativeZero = packNeighbourTable(parseNeighbourTable(bytes('{"items":[[1]],"scores":[[-0]]}'), 2));
    expect(negativeZero.scores).toBeInstanceOf(Float32Array);
    expect(Object.is(neighbourListView(negativeZero)[0]!.scores[0], -0)).toBe(true);
    const large = packNeighbourTable(parseNeighbourTable(bytes('{"items":[[0]],"scores":[[3.2768]]}'), 2));
    expect(large.scores).toBeInstanceOf(Float32Array);
    const wide = packNeighbourTable(
      parseNeighbourTable(bytes('{"items":[[16777216]],"scores":[[0.5]]}'), 2 ** 24 + 1),
    );
    expect(wide.items).toBeInstanceOf(Int32Array);
    expect(wide.scores).toBeInstanceOf(Int16Array);
    expect(Array.from(neighbourListView(wide)[0]!.items)).toEqual([16777216]);
  });

  it('reads random published tables (round4 scores, as publishVersion writes them) the same packed or not', () => {
    const rng = createRandom(9);
    for (let round = 0; round < 20; round++) {
      const n = 1 + rng.int(0, 300);
      const items: number[][] = [];
      const scores: number[][] = [];
      for (let i = 0; i < n; i++) {
        const k = rng.int(0, 12);
        items.push(Array.from({ length: k }, () => rng.int(0, n - 1)));
        scores.push(Array.from({ length: k }, () => Math.round((rng.next() * 2 - 1) * 1e4) / 1e4));
      }
      const t = parseNeighbourTable(bytes(JSON.stringify({ items, scores })), n);
      const packed = packNeighbourTable(t);
      expect(packed.scores).toBeInstanceOf(Int16Array);
      const a = neighbourListView(t);
      const b = neighbourListView(packed);
      for (let i = 0; i < n; i++) {
        expect(Array.from(b[i]!.items)).toEqual(Array.from(a[i]!.items));
        expect(Array.from(b[i]!.scores).every((v, e) => Object.is(v, a[i]!.scores[e]))).toBe(true);
      }
    }
  });
});
