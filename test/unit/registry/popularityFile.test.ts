import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNeighbourTableFile } from '../../../models/registry/neighbourTable.js';
import { readPopularityFile } from '../../../models/registry/popularityFile.js';
import { MAX_TOKEN_BYTES } from '../../../models/registry/jsonNumberReader.js';
import type { PopularityColumns } from '../../../models/registry/popularityFile.js';
import { createRandom } from '../../../src/domain/random.js';
import type { Random } from '../../../src/domain/random.js';
import { BAD_NUMBERS, GOOD_NUMBERS } from './jsonNumberForms.js';
import { messageOf, withTempFile } from './tempFile.js';

type Key = 'popularity' | 'trend' | 'counts' | 'firstSeen';
const WRITER_ORDER: readonly Key[] = ['popularity', 'trend', 'counts', 'firstSeen'];

/** Writes `text` to a temporary popularity.json, runs `fn` on its path, removes it. */
function withFile<T>(text: string, fn: (file: string) => T, name = 'popularity.json'): T {
  return withTempFile(text, fn, name);
}

/** {@link PopularityColumns} with counts always there. */
interface Reference {
  readonly popularity: Float32Array;
  readonly trend: Float32Array;
  readonly counts: Float32Array;
  readonly firstSeen: Float64Array;
}

/** The columns the loader built before (JSON.parse + Float32Array.from, firstSeen[i] ?? NaN). */
function reference(text: string, nItems: number): Reference {
  const pop = JSON.parse(text) as {
    popularity: number[];
    trend: number[];
    counts: number[];
    firstSeen: (number | null)[];
  };
  const firstSeen = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) firstSeen[i] = pop.firstSeen[i] ?? Number.NaN;
  return {
    popularity: Float32Array.from(pop.popularity),
    trend: Float32Array.from(pop.trend),
    counts: Float32Array.from(pop.counts),
    firstSeen,
  };
}

/** The first index where two columns differ (Object.is: −0 ≠ 0, NaN = NaN), with both values; 'same' when none. */
function firstDifference(actual: ArrayLike<number> | null, expected: ArrayLike<number>): string {
  if (actual === null) return 'actual is null';
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) return `[${i}]: ${actual[i]} ≠ ${expected[i]}`;
  }
  return 'same';
}

/** Expects every column of `actual` to equal the reference's, bit for bit (counts only when `withCounts`). */
function expectSameColumns(actual: PopularityColumns, expected: Reference, withCounts: boolean): void {
  expect(actual.popularity).toBeInstanceOf(Float32Array);
  expect(actual.trend).toBeInstanceOf(Float32Array);
  expect(actual.firstSeen).toBeInstanceOf(Float64Array);
  expect(firstDifference(actual.popularity, expected.popularity)).toBe('same');
  expect(firstDifference(actual.trend, expected.trend)).toBe('same');
  expect(firstDifference(actual.firstSeen, expected.firstSeen)).toBe('same');
  if (withCounts) {
    expect(actual.counts).toBeInstanceOf(Float32Array);
    expect(firstDifference(actual.counts, expected.counts)).toBe('same');
  } else expect(actual.counts).toBeNull();
}

/** `n` random decimal digits. */
const digitsOf = (rng: Random, n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');

/**
 * A number as JSON text in one of many forms: integers, 0–6 decimals (trailing zeros kept),
 * exponent forms (e/E, +/−), full-precision doubles, 15 and 16 significant digits (either side of
 * the fast path), up to 25 zeros after the point, ms timestamps, signed zeros.
 */
function numberToken(rng: Random): string {
  const sign = rng.int(0, 3) === 0 ? '-' : '';
  switch (rng.int(0, 9)) {
    case 0:
      return sign + String(rng.int(0, 1_000_000));
    case 1:
    case 2:
    case 3: {
      const d = rng.int(0, 6);
      return `${sign}${rng.int(0, 999)}${d === 0 ? '' : `.${digitsOf(rng, d)}`}`;
    }
    case 4: {
      const fixed = ['1e-7', '2.5E3', '3e+2', '4.25e-9', '7E0', '1.5e-45', '6.02e23', '1E-300'];
      if (rng.int(0, 1) === 0) return sign + fixed[rng.int(0, fixed.length - 1)]!;
      const mantissa = `${rng.int(1, 9)}${rng.int(0, 1) === 0 ? '' : `.${digitsOf(rng, rng.int(1, 4))}`}`;
      return `${sign}${mantissa}${rng.int(0, 1) === 0 ? 'e' : 'E'}${['', '+', '-'][rng.int(0, 2)]}${rng.int(0, 12)}`;
    }
    case 5: {
      const v = rng.next();
      return sign + String(rng.int(0, 1) === 0 ? v : v * 1e-9);
    }
    case 6: {
      // 15 or 16 significant digits with the point anywhere.
      const all = `${rng.int(1, 9)}${digitsOf(rng, rng.int(14, 15))}`;
      const at = rng.int(1, all.length);
      return `${sign}${all.slice(0, at)}${at === all.length ? '' : `.${all.slice(at)}`}`;
    }
    case 7:
      return `${sign}0.${'0'.repeat(rng.int(0, 25))}${rng.int(1, 999)}`;
    case 8:
      return `${1_700_000_000_000 + rng.int(0, 1e9)}${rng.int(0, 3) === 0 ? `.${digitsOf(rng, rng.int(1, 3))}` : ''}`;
    default:
      return sign + ['0', '0.0', '0.000000', '0e0'][rng.int(0, 3)]!;
  }
}

/** Whitespace JSON allows between tokens: mostly none, else a few of space, \n, \r, \t. */
function space(rng: Random): string {
  if (rng.int(0, 3) !== 0) return '';
  return Array.from({ length: rng.int(1, 3) }, () => ' \n\r\t'[rng.int(0, 3)]).join('');
}

/** A JSON array of `tokens` with random whitespace around every token and comma. */
function arrayText(rng: Random, tokens: readonly string[]): string {
  return `[${space(rng)}${tokens.map((t) => t + space(rng)).join(`,${space(rng)}`)}]`;
}

/** An object of the four keys in `order`, with random whitespace and one whitespace run longer than the 8-KiB window. */
function objectText(
  rng: Random,
  arrays: Record<Key, readonly string[]>,
  order: readonly Key[] = WRITER_ORDER,
): string {
  const long = rng.int(0, order.length - 1);
  const members = order.map(
    (k, i) =>
      `${i === long ? ' '.repeat(9000) : space(rng)}"${k}"${space(rng)}:${space(rng)}${arrayText(rng, arrays[k])}${space(rng)}`,
  );
  return `${space(rng)}{${members.join(',')}}${space(rng)}\n`;
}

/** Random arrays of `n` rows each (firstSeen `nFirstSeen`): popularity/trend/counts of any form, firstSeen mostly timestamps with nulls. */
function randomArrays(rng: Random, n: number, nFirstSeen = n): Record<Key, string[]> {
  const column = (): string[] => Array.from({ length: n }, () => numberToken(rng));
  return {
    popularity: column(),
    trend: column(),
    counts: Array.from({ length: n }, () =>
      rng.int(0, 1) === 0 ? String(rng.int(0, 100_000)) : numberToken(rng),
    ),
    firstSeen: Array.from({ length: nFirstSeen }, () => {
      const form = rng.int(0, 5);
      return form === 0
        ? 'null'
        : form === 1
          ? numberToken(rng)
          : String(1_700_000_000_000 + rng.int(0, 2e9));
    }),
  };
}

describe('Registry: popularity.json read into typed columns without JSON.parse (issue #6)', () => {
  it('reads a hand-worked file: float32 popularity and trend, float64 firstSeen with NaN for null', () => {
    const text =
      '{"popularity":[0.5,1e-7,-2.5E3],"trend":[0.1,0,-0],"counts":[3,0,12],"firstSeen":[1700000000123,null,0.5]}';
    const cols = withFile(text, (f) => readPopularityFile(f, 3, { keepCounts: true }));
    expect(Array.from(cols.popularity)).toEqual([0.5, Math.fround(1e-7), -2500]);
    expect(Array.from(cols.trend)).toEqual([Math.fround(0.1), 0, -0]);
    expect(Object.is(cols.trend[2], -0)).toBe(true);
    expect(Array.from(cols.counts!)).toEqual([3, 0, 12]);
    expect(cols.firstSeen[0]).toBe(1700000000123);
    expect(cols.firstSeen[1]).toBeNaN();
    expect(cols.firstSeen[2]).toBe(0.5);
    expect(cols.firstSeen).toHaveLength(3);
  });

  it('gives the columns of JSON.parse with Float32Array.from bit for bit, on random files through 8-KiB, odd-sized and default windows', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rng = createRandom(seed);
      const n = 1500 + seed * 700;
      const text = objectText(rng, randomArrays(rng, n));
      expect(text.length).toBeGreaterThan(10 * 8192);
      // The file holds the forms this is about.
      expect(text).toMatch(/\d[eE]-\d/);
      expect(text).toMatch(/\d[eE]\+?\d/);
      expect(text).toMatch(/null/);
      expect(text).toMatch(/-0\.\d/);
      expect(text).toMatch(/17\d{11}/);
      const expected = reference(text, n);
      withFile(text, (f) => {
        for (const windowBytes of [8192, 8193, 8192 + 4097, 12_345, 65_537, undefined]) {
          expectSameColumns(readPopularityFile(f, n, { keepCounts: true, windowBytes }), expected, true);
        }
        expectSameColumns(readPopularityFile(f, n, { windowBytes: 8191 + seed * 2 }), expected, false);
      });
    }
  });

  it('reads a number of MAX_TOKEN_BYTES that ends exactly at the end of the window (it was refused as too long)', () => {
    const number = `0.${'1'.repeat(MAX_TOKEN_BYTES - 2)}`;
    for (const shift of [-2, -1, 0, 1, 2]) {
      // The number starts MAX_TOKEN_BYTES (+ shift) bytes before the end of the first 8-KiB read.
      const head = '{"popularity":[';
      const text = `${head}${' '.repeat(8192 - MAX_TOKEN_BYTES - head.length + shift)}${number}],"trend":[0],"counts":[1],"firstSeen":[5]}`;
      const cols = withFile(text, (f) => readPopularityFile(f, 1, { keepCounts: true, windowBytes: 8192 }));
      expectSameColumns(cols, reference(text, 1), true);
    }
  });

  it('reads a key of MAX_TOKEN_BYTES that ends exactly at the end of the window (unknown keys are skipped)', () => {
    const key = 'k'.repeat(MAX_TOKEN_BYTES);
    for (const shift of [-2, -1, 0, 1, 2]) {
      const head = '{"popularity":[0.5],';
      const text = `${head}${' '.repeat(8192 - MAX_TOKEN_BYTES - head.length - 1 + shift)}"${key}":1,"trend":[0],"counts":[1],"firstSeen":[5]}`;
      const cols = withFile(text, (f) => readPopularityFile(f, 1, { keepCounts: true, windowBytes: 8192 }));
      expectSameColumns(cols, reference(text, 1), true);
    }
  });

  it('pads a firstSeen shorter than nItems with NaN and cuts a longer one to nItems', () => {
    const rng = createRandom(11);
    const n = 3000;
    const shortFile = objectText(rng, randomArrays(rng, n, n - 700));
    const longFile = objectText(rng, randomArrays(rng, n, n + 700));
    for (const windowBytes of [8192, undefined]) {
      const short = withFile(shortFile, (f) => readPopularityFile(f, n, { windowBytes }));
      expect(short.firstSeen).toHaveLength(n);
      expect(short.firstSeen.subarray(n - 700).every((v) => Number.isNaN(v))).toBe(true);
      expectSameColumns(short, reference(shortFile, n), false);
      const long = withFile(longFile, (f) => readPopularityFile(f, n, { windowBytes }));
      expect(long.firstSeen).toHaveLength(n);
      expectSameColumns(long, reference(longFile, n), false);
    }
  });

  it('refuses popularity, trend or counts of another length than nItems, and a value beyond float32 (attack report, 12-04)', () => {
    const rng = createRandom(13);
    const n = 3000;
    const file = objectText(rng, randomArrays(rng, n, n));
    // The loader before 12-04 served such files with popularity 0 or NaN for the rows they lacked.
    for (const nItems of [0, 1, n - 1, n + 1, 2 * n + 5]) {
      for (const keepCounts of [false, true]) {
        const message = withFile(file, (f) => messageOf(() => readPopularityFile(f, nItems, { keepCounts })));
        expect(message).toMatch(
          new RegExp(`^popularity\\.json at byte \\d+: "popularity" has ${n} values for ${nItems} item rows`),
        );
      }
    }
    const empty = '{"popularity":[],"trend":[],"counts":[],"firstSeen":[]}';
    expect(withFile(empty, (f) => messageOf(() => readPopularityFile(f, 4)))).toMatch(
      /"popularity" has 0 values for 4 item rows/,
    );
    expect(withFile(empty, (f) => readPopularityFile(f, 0).popularity)).toHaveLength(0);
    const twoRows = (p: string, t: string, c: string): string =>
      `{"popularity":${p},"trend":${t},"counts":${c},"firstSeen":[1,null]}`;
    expect(
      withFile(twoRows('[1,2]', '[1]', '[1,2]'), (f) => messageOf(() => readPopularityFile(f, 2))),
    ).toMatch(/"trend" has 1 values for 2 item rows/);
    for (const keepCounts of [false, true]) {
      expect(
        withFile(twoRows('[1,2]', '[1,2]', '[1,2,3]'), (f) =>
          messageOf(() => readPopularityFile(f, 2, { keepCounts })),
        ),
      ).toMatch(/"counts" has 3 values for 2 item rows/);
    }
    // 1e39 is a finite double but Infinity as float32; 3.4e38 fits.
    expect(
      withFile(twoRows('[1,1e39]', '[1,2]', '[1,2]'), (f) => messageOf(() => readPopularityFile(f, 2))),
    ).toMatch(/"popularity"\[1\] is not finite as float32/);
    expect(
      withFile(twoRows('[1,3.4e38]', '[1,2]', '[1,2]'), (f) => readPopularityFile(f, 2).popularity[1]),
    ).toBe(Math.fround(3.4e38));
  });

  it('returns counts only with keepCounts, and checks them either way', () => {
    const rng = createRandom(12);
    const n = 2000;
    const text = objectText(rng, randomArrays(rng, n));
    const expected = reference(text, n);
    withFile(text, (f) => {
      expectSameColumns(readPopularityFile(f, n, { keepCounts: true, windowBytes: 8192 }), expected, true);
      expectSameColumns(readPopularityFile(f, n, { windowBytes: 8192 }), expected, false);
      expectSameColumns(readPopularityFile(f, n, { keepCounts: false }), expected, false);
    });
    for (const bad of ['"3"', 'null', 'true', '[1]', '-', '1e']) {
      const badText = `{"popularity":[1],"trend":[1],"counts":[1, ${bad}],"firstSeen":[1]}`;
      const from = badText.indexOf(`[1, ${bad}]`) + 4;
      for (const keepCounts of [false, true]) {
        const message = withFile(badText, (f) => messageOf(() => readPopularityFile(f, 1, { keepCounts })));
        expect(message, bad).toMatch(
          /^popularity\.json at byte \d+: (expected a number|expected a digit after "(-|e)"|".*" is not a finite number)$/,
        );
        const at = Number(/at byte (\d+)/.exec(message)![1]);
        expect(at >= from && at <= from + bad.length, `${bad}: ${message}`).toBe(true);
      }
    }
  });

  it('skips unknown keys whatever their value, with the known keys around them read as before', () => {
    const unknown = [
      '"meta": {"a": [1, {"b": "x\\"y]}"}], "c\\\\": null, "d": {"e": {}}}',
      '"nested": [[1, [2, []]], {}, [], ""]',
      '"quoted": "a \\"quoted\\" ] } [ { , : \\\\"',
      '"backslash": "\\\\"',
      '"escapes": "\\u005d\\n\\t\\/\\b\\f\\r"',
      '"yes": true',
      '"no":false',
      '"nothing" :\tnull',
      '"count": -1.5e3',
      '"int": 7',
      '"empty": {}',
      '"none": []',
      '"string": ""',
      `"long": "${'\\"\\\\'.repeat(6000)}${'x'.repeat(5000)}[{"`,
      `"deep": ${'['.repeat(300)}${']'.repeat(300)}`,
    ];
    const rng = createRandom(13);
    const n = 1500;
    const arrays = randomArrays(rng, n);
    const known = WRITER_ORDER.map((k) => `"${k}": ${arrayText(rng, arrays[k])}`);
    // Unknown keys before, between and after the known ones, with whitespace between every token.
    const members = [
      unknown[0]!,
      known[0]!,
      ...unknown.slice(1, 5),
      known[1]!,
      ...unknown.slice(5, 9),
      known[2]!,
    ];
    members.push(...unknown.slice(9, 13), known[3]!, ...unknown.slice(13));
    const text = `\n{\r\n\t${members.join(' ,\n\t')}\n}\n`;
    const expected = reference(text, n);
    expect(Object.keys(JSON.parse(text) as object)).toHaveLength(unknown.length + 4);
    withFile(text, (f) => {
      for (const windowBytes of [8192, 8193, 8194, 9001, 10_007, undefined]) {
        expectSameColumns(readPopularityFile(f, n, { windowBytes, keepCounts: true }), expected, true);
      }
    });
    // Only unknown keys after the last known one, and an unknown scalar as the last member.
    const last = `{${known.join(',')},"x":{"y":"}"},"z":  12 }`;
    expectSameColumns(
      withFile(last, (f) => readPopularityFile(f, n, { keepCounts: true })),
      reference(last, n),
      true,
    );
  });

  it("reads the four keys in any order, not only the writer's", () => {
    const orders: Key[][] = [[]];
    for (const key of WRITER_ORDER) {
      const next: Key[][] = [];
      for (const o of orders)
        for (let at = 0; at <= o.length; at++) next.push([...o.slice(0, at), key, ...o.slice(at)]);
      orders.splice(0, orders.length, ...next);
    }
    expect(orders).toHaveLength(24);
    const rng = createRandom(14);
    const n = 800;
    const arrays = randomArrays(rng, n);
    for (const order of orders) {
      const text = objectText(rng, arrays, order);
      expectSameColumns(
        withFile(text, (f) => readPopularityFile(f, n, { keepCounts: true, windowBytes: 8192 })),
        reference(text, n),
        true,
      );
    }
  });
});

describe('Registry: popularity.json of another shape is refused, naming the file and the byte', () => {
  const good = '{"popularity":[0.5,0.25],"trend":[0.1,0.2],"counts":[1,2],"firstSeen":[1700000000000,null]}';

  it('names the missing keys', () => {
    const noTrendCounts = '{"popularity":[1],"firstSeen":[1]}';
    expect(withFile(noTrendCounts, (f) => messageOf(() => readPopularityFile(f, 1)))).toMatch(
      new RegExp(`^popularity\\.json at byte ${noTrendCounts.length}: missing "trend", "counts" \\(`),
    );
    expect(withFile('{}', (f) => messageOf(() => readPopularityFile(f, 1)))).toMatch(
      /^popularity\.json at byte 2: missing "popularity", "trend", "counts", "firstSeen"/,
    );
    const noFirstSeen = '{"popularity":[1],"trend":[1],"counts":[1], "other": [1]}';
    const message = withFile(noFirstSeen, (f) =>
      messageOf(() => readPopularityFile(f, 1, { keepCounts: true })),
    );
    expect(message).toMatch(/^popularity\.json at byte \d+: missing "firstSeen" \(/);
    expect(message).not.toMatch(/"popularity"|"trend"|"counts"/);
  });

  it('refuses null outside firstSeen, a string, and content after the object, at the byte of the bad token', () => {
    const cases: [string, string, RegExp][] = [
      [good.replace('0.25', 'null'), 'null', /expected a number/],
      [good.replace('0.2]', '"0.2"]'), '"0.2"', /expected a number/],
      [good.replace('[1,2]', '[1,null]'), 'null', /expected a number/],
      [good.replace('[1700000000000,', '["1700000000000",'), '"17', /expected a number/],
      [`${good} x`, 'x', /unexpected content after the object/],
      [`${good}{}`, '{}', /unexpected content after the object/],
      [good.replace('0.5,', '0.5,,'), ',,', /expected a number/],
    ];
    for (const [text, token, reason] of cases) {
      const at = token === ',,' ? text.indexOf(',,') + 1 : text.indexOf(token);
      const message = withFile(text, (f) => messageOf(() => readPopularityFile(f, 2)));
      expect(message).toMatch(new RegExp(`^popularity\\.json at byte ${at}: `));
      expect(message).toMatch(reason);
    }
  });

  it('names the byte in the file, not in the window, far into a large file', () => {
    const rng = createRandom(21);
    const n = 3000;
    const arrays = randomArrays(rng, n);
    arrays.trend[2500] = 'null';
    const text = objectText(rng, arrays);
    const at = text.indexOf('null', text.indexOf('"trend"'));
    expect(at).toBeGreaterThan(5 * 8192);
    for (const windowBytes of [8192, 8193, 12_345, undefined]) {
      expect(withFile(text, (f) => messageOf(() => readPopularityFile(f, n, { windowBytes })))).toBe(
        `popularity.json at byte ${at}: expected a number`,
      );
    }
  });

  it('refuses every truncation of a file, and names the file by its base name', () => {
    const spaced =
      '{ "popularity" : [ 0.5 , 1e-7 ] , "x" : { "y" : "z" } , "trend" : [ 0.1 , 0.2 ] ,\n' +
      '"counts" : [ 1 , 2 ] , "firstSeen" : [ 1700000000000 , null ] }';
    for (const text of [good, spaced]) {
      expect(withFile(text, (f) => readPopularityFile(f, 2).firstSeen[0])).toBe(1700000000000);
      for (let cut = 0; cut < text.length; cut++) {
        const message = withFile(
          text.slice(0, cut),
          (f) => messageOf(() => readPopularityFile(f, 2)),
          'pop-v7.json',
        );
        expect(message, `cut at ${cut}: ${text.slice(0, cut)}`).toMatch(/^pop-v7\.json at byte \d+: /);
        expect(Number(/at byte (\d+)/.exec(message)![1]), `cut at ${cut}`).toBeLessThanOrEqual(cut);
      }
    }
  });

  it('does not match a truncated null against bytes left in the window from before (the byte named is in the file)', () => {
    // Found by the tests' author: `nu` at the end of the file once matched the previous window's `ll`.
    const text = `{"popularity":[1],"trend":[1],"counts":[1],"firstSeen":[    ${'null,'.repeat(1700)}nu`;
    expect(withFile(text, (f) => messageOf(() => readPopularityFile(f, 1, { windowBytes: 8192 })))).toBe(
      `popularity.json at byte ${text.length - 2}: expected a number`,
    );
  });

  it('refuses a number longer than what the window reads at once', () => {
    const text = `{"popularity":[0.${'5'.repeat(9000)}],"trend":[1],"counts":[1],"firstSeen":[1]}`;
    expect(withFile(text, (f) => messageOf(() => readPopularityFile(f, 1, { windowBytes: 8192 })))).toMatch(
      /^popularity\.json at byte \d+: number too long/,
    );
  });

  it('refuses a window below 8 KiB, an nItems that is not an integer ≥ 0, and a file that does not exist', () => {
    withFile(good, (f) => {
      expect(readPopularityFile(f, 2, { windowBytes: 8192 }).popularity).toHaveLength(2);
      for (const windowBytes of [8191, 4096, 0, -1, 8192.5, Number.NaN]) {
        expect(() => readPopularityFile(f, 2, { windowBytes })).toThrow(RangeError);
      }
      // nItems 0 is an integer ≥ 0: the file's two rows are then the wrong count, not a RangeError.
      expect(() => readPopularityFile(f, 0)).toThrow(/"popularity" has 2 values for 0 item rows/);
      for (const nItems of [-1, 1.5, Number.NaN, Infinity]) {
        expect(() => readPopularityFile(f, nItems)).toThrow(RangeError);
      }
    });
    expect(() =>
      readPopularityFile(path.join(os.tmpdir(), 'recgate-no-such-dir', 'popularity.json'), 2),
    ).toThrow(/ENOENT/);
  });
});

describe("Registry: popularity.json numbers are exactly JSON's (RFC 8259 §6)", () => {
  /** A file of two rows, with `array` as the value of `key` and [1,2] as the others', and where `array` starts in it. */
  const fileWith = (key: Key, array: string): { text: string; arrayAt: number } => {
    const head = WRITER_ORDER.slice(0, WRITER_ORDER.indexOf(key)).map((k) => `"${k}":[1,2],`);
    const tail = WRITER_ORDER.slice(WRITER_ORDER.indexOf(key) + 1).map((k) => `,"${k}":[1,2]`);
    const before = `{${head.join('')}"${key}":`;
    return { text: `${before}${array}${tail.join('')}}`, arrayAt: before.length };
  };

  /** A one-row file whose `firstSeen` array holds `token` starting `before` bytes before the end of the window's first read. */
  const straddling = (token: string, windowBytes: number, before: number): string => {
    const head = '{"firstSeen":[';
    return `${head}${' '.repeat(windowBytes - before - head.length)}${token}],"popularity":[1],"trend":[1],"counts":[1]}`;
  };

  it('refuses +1, .5, 01, 1., 1e, -, 0x10 and the other forms JSON forbids in every column, naming the byte and what was expected', () => {
    for (const { text: bad, at, message } of BAD_NUMBERS) {
      for (const key of WRITER_ORDER) {
        for (const [open, close] of [
          ['[1,', ']'],
          ['[', ',2]'],
          ['[ ', ' ]'],
        ] as const) {
          const array = open + bad + close;
          const { text, arrayAt } = fileWith(key, array);
          const byte = arrayAt + open.length + at;
          withFile(text, (f) => {
            for (const keepCounts of [false, true]) {
              for (const windowBytes of [8192, undefined]) {
                expect(
                  messageOf(() => readPopularityFile(f, 2, { keepCounts, windowBytes })),
                  `${key}: ${array}`,
                ).toBe(`popularity.json at byte ${byte}: ${message}`);
              }
            }
          });
        }
      }
    }
  });

  it("refuses each forbidden form where it straddles the end of the window's first read", () => {
    for (const windowBytes of [8192, 12_345]) {
      for (const { text: bad, at, message } of BAD_NUMBERS) {
        for (let before = 0; before <= bad.length + 1; before++) {
          const text = straddling(bad, windowBytes, before);
          expect(text.indexOf(bad, '{"firstSeen":['.length)).toBe(windowBytes - before);
          expect(
            withFile(text, (f) => messageOf(() => readPopularityFile(f, 1, { windowBytes }))),
            `${bad}, ${before} bytes before ${windowBytes}`,
          ).toBe(`popularity.json at byte ${windowBytes - before + at}: ${message}`);
        }
      }
    }
  });

  it('reads -0, 0.0, 1E+2, 1e-7, 30 digits and every other form JSON allows as JSON.parse does, bit for bit', () => {
    const n = GOOD_NUMBERS.length;
    // float32 columns: the forms whose value fits in a float32 (1.79e308 does not), else 1.
    const float32 = GOOD_NUMBERS.map((t) =>
      Number.isFinite(Math.fround(JSON.parse(t) as number)) ? t : '1',
    );
    const text = `{"popularity":[${float32.join(',')}],"trend":[${[...float32].reverse().join(' , ')}],"counts":[${float32.join('\n,')}],"firstSeen":[${GOOD_NUMBERS.join(',')}]}`;
    const expected = reference(text, n);
    expect(Object.is(expected.firstSeen[GOOD_NUMBERS.indexOf('-0')], -0)).toBe(true);
    withFile(text, (f) => {
      for (const windowBytes of [8192, undefined]) {
        expectSameColumns(readPopularityFile(f, n, { keepCounts: true, windowBytes }), expected, true);
        expectSameColumns(readPopularityFile(f, n, { windowBytes }), expected, false);
      }
    });
  });

  it("reads each allowed form as JSON.parse does where it straddles the end of the window's first read", () => {
    for (const windowBytes of [8192, 12_345]) {
      for (const good of GOOD_NUMBERS) {
        const expected = JSON.parse(good) as number;
        for (let before = 0; before <= good.length + 1; before++) {
          const text = straddling(good, windowBytes, before);
          const read = withFile(text, (f) => readPopularityFile(f, 1, { windowBytes }).firstSeen[0]);
          expect(Object.is(read, expected), `${good}, ${before} bytes before ${windowBytes}: ${read}`).toBe(
            true,
          );
        }
      }
    }
  });
});

describe('Registry: neighbours.json read from its file, after the reader moved to jsonNumberReader', () => {
  it('still names neighbours.json and the byte in its errors, whatever the file is called', () => {
    const text = '{"items":[[1]],"scores":[[0.5, "a"]]}';
    for (const name of ['neighbours.json', 'other.json']) {
      expect(withFile(text, (f) => messageOf(() => readNeighbourTableFile(f, 2, 0, 8192)), name)).toBe(
        `neighbours.json at byte ${text.indexOf('"a"')}: expected a number`,
      );
    }
  });
});
