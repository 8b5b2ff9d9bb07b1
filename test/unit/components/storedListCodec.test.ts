import { describe, expect, it } from 'vitest';
import { storedListCodec } from '../../../src/components/selectors/storedListCodec.js';
import type {
  StoredListColumns,
  StoredListHeader,
} from '../../../src/components/selectors/storedRankedList.js';
import type { StoredRankedList } from '../../../src/stores/featureStore.js';
import { RankedListRing } from '../../../src/stores/memory/rankedListRing.js';

const header: StoredListHeader = {
  kind: 'header',
  userId: 'u1',
  surface: 'home',
  modelVersion: 'v20261202',
  experiments: [{ experiment: 'ranker', variant: 'B' }] as unknown as StoredListHeader['experiments'],
  degraded: ['source trending'],
  seedItemId: null,
  recentTypes: { r1: 'CLICK' },
  promotions: {},
  listArguments: '[[],[],[],[]]',
};

function columns(ids: string[], extra: Partial<StoredListColumns> = {}): StoredListColumns {
  const n = ids.length;
  const features = new Float32Array(n * 2).map((_, i) => i / 3);
  return {
    kind: 'columns',
    ids,
    scores: ids.map((_, p) => (p === 1 ? -0 : 1 / (p + 3))),
    sources: ids.map((_, p) => (p % 2 === 0 ? 'EMBEDDING' : 'EMBEDDING,ITEM_TO_ITEM')),
    via: ids.map((_, p) => (p % 2 === 0 ? '' : '\u001fr1')),
    isNew: ids.map((_, p) => (p === 0 ? '1' : '0')).join(''),
    promotionIds: n > 2 ? { 2: 'p1' } : {},
    width: 2,
    features: Buffer.from(features.buffer).toString('base64'),
    ...extra,
  };
}

const list = (requestId: string, cols: StoredListColumns): StoredRankedList => ({
  requestId,
  entries: [header, cols],
});

/** What decoding must give: the list as JSON sees it, but its scores exact (float64 keeps -0, JSON does not). */
function expected(l: StoredRankedList): StoredRankedList {
  const json = JSON.parse(JSON.stringify(l)) as { entries: [unknown, StoredListColumns] };
  json.entries[1] = { ...json.entries[1], scores: [...(l.entries[1] as StoredListColumns).scores] };
  return json as unknown as StoredRankedList;
}

/**
 * The documented column form of the features, written the plain way: per
 * column a u16 count k of distinct 4-byte patterns, then (k ≤ 256) the
 * patterns and, for k > 1, one index byte per position, or (k = 0: more
 * than 256, or a dictionary no shorter than the patterns) every pattern; null when not the whole n × w matrix or not shorter than it.
 */
function columnForm(raw: Buffer, n: number, w: number): Buffer | null {
  if (n === 0 || w === 0 || raw.length !== 4 * n * w) return null;
  const parts: Buffer[] = [];
  for (let j = 0; j < w; j++) {
    const values = Array.from({ length: n }, (_, p) => raw.readUInt32LE(4 * (p * w + j)));
    const distinct = [...new Set(values)];
    const k =
      distinct.length <= 256 && (distinct.length === 1 || 4 * distinct.length + n < 4 * n)
        ? distinct.length
        : 0;
    const head = Buffer.alloc(2);
    head.writeUInt16LE(k);
    const listed = k === 0 ? values : distinct;
    const body = Buffer.alloc(4 * listed.length);
    listed.forEach((v, i) => body.writeUInt32LE(v, 4 * i));
    parts.push(head, body, k > 1 ? Buffer.from(values.map((v) => distinct.indexOf(v))) : Buffer.alloc(0));
  }
  const out = Buffer.concat(parts);
  return out.length < raw.length ? out : null;
}

/**
 * The documented numbered form of the ids, written the plain way: u16 byte
 * length of the prefix (the first id up to its trailing digits), the prefix,
 * the zero-padded width (the first id's when it starts with 0) or 0, a u32
 * per id; null when an id is not the prefix and such digits of a number
 * below 2³², or when the joined text is not longer.
 */
function numberedForm(ids: readonly string[]): Buffer | null {
  if (ids.length === 0) return null;
  const m = /^(.*\D)?(\d+)$/s.exec(ids[0]!);
  if (m === null || m[2]!.length > 10) return null;
  const prefix = m[1] ?? '';
  const width = m[2]!.length > 1 && m[2]![0] === '0' ? m[2]!.length : 0;
  const values: number[] = [];
  for (const id of ids) {
    if (!id.startsWith(prefix)) return null;
    const rest = id.slice(prefix.length);
    if (!/^\d{1,10}$/.test(rest)) return null;
    if (width > 0 ? rest.length !== width : rest.length > 1 && rest[0] === '0') return null;
    if (Number(rest) > 2 ** 32 - 1) return null;
    values.push(Number(rest));
  }
  const p = Buffer.from(prefix, 'utf8');
  const head = Buffer.alloc(2);
  head.writeUInt16LE(p.length);
  const body = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => body.writeUInt32LE(v, 4 * i));
  const out = Buffer.concat([head, p, Buffer.from([width]), body]);
  return out.length < Buffer.byteLength(ids.join('\u001e')) ? out : null;
}

/**
 * Base64 of an n × w float32 matrix whose columns have as many distinct
 * values as a ranker's: continuous (cosines), constant, a handful, exactly
 * 256 and 257 (from n = 257), 0 and −0, NaN with two payloads, subnormals.
 */
function featureMatrix(n: number, w = 8, salt = 0): string {
  const m = new Float32Array(n * w);
  const u = new Uint32Array(m.buffer);
  for (let p = 0; p < n; p++) {
    const r = p * w;
    m[r] = Math.cos(p + salt);
    if (w > 1) m[r + 1] = 3.5 + salt;
    if (w > 2) m[r + 2] = [0, 0.25, 0.5, 1][p % 4]! + salt;
    if (w > 3) m[r + 3] = (p % 256) / 7 + salt;
    if (w > 4) m[r + 4] = (p % 257) / 7 + salt;
    if (w > 5) m[r + 5] = p % 2 === 0 ? 0 : -0;
    if (w > 6) u[r + 6] = p % 3 === 0 ? 0x7fc00000 : 0x7fc00001 + salt;
    if (w > 7) u[r + 7] = 1 + (p % 5);
  }
  return Buffer.from(m.buffer).toString('base64');
}

/** Encodes into a fresh buffer at `offset` and decodes the bytes back. */
function roundTrip(l: StoredRankedList, offset = 0): { bytes: Buffer; back: StoredRankedList } {
  const prepared = storedListCodec.prepare(l);
  const buf = Buffer.alloc(offset + prepared.byteLength + 8, 0xee);
  prepared.write(buf, offset);
  expect(buf[offset + prepared.byteLength]).toBe(0xee); // wrote exactly byteLength bytes
  const bytes = buf.subarray(offset, offset + prepared.byteLength);
  return { bytes, back: storedListCodec.decode(bytes) };
}

describe('storedListCodec', () => {
  it('round-trips a stored list in the column form: equal as JSON, scores exact', () => {
    const l = list('list-1', columns(['a', 'b', 'ü-item', '字', 'e']));
    const { bytes, back } = roundTrip(l);
    expect(bytes[0]).toBe(1);
    expect(back).toEqual(expected(l));
    const scores = (back.entries[1] as StoredListColumns).scores;
    expect(scores).toEqual((l.entries[1] as StoredListColumns).scores); // 1/3 etc. bit for bit
    expect(Object.is(scores[1], -0)).toBe(true); // float64, not JSON (which writes -0 as 0)
  });

  it('writes the scores value by value at an offset that is not a multiple of 8', () => {
    const l = list('list-2', columns(['a', 'b', 'c']));
    expect(roundTrip(l, 3).back).toEqual(expected(l));
  });

  it('round-trips an empty list', () => {
    const l = list('empty', columns([]));
    const { bytes, back } = roundTrip(l);
    expect(bytes[0]).toBe(1);
    expect(back).toEqual(JSON.parse(JSON.stringify(l)));
  });

  it('falls back to the structured clone when a join would not split back, or for another shape', () => {
    const withSeparator = list('list-3', columns(['a', 'b\u001ec', 'd']));
    const viaSeparator = list('list-4', columns(['a', 'b'], { via: ['', 'x\u001ey'] }));
    const otherShape: StoredRankedList = { requestId: 'list-5', entries: ['just', { a: 1 }] };
    const wrongLength = list('list-6', columns(['a', 'b'], { isNew: '1' }));
    const notNumber = list('list-7', columns(['a', 'b'], { scores: [1, null as unknown as number] }));
    for (const l of [withSeparator, viaSeparator, otherShape, wrongLength, notNumber]) {
      const { bytes, back } = roundTrip(l);
      expect(bytes[0]).toBe(0);
      expect(back).toEqual(l);
    }
  });

  it('writes the column form byte for byte as the documented layout (joins, dictionary, byte lengths), ASCII or not', () => {
    /** The documented column form, written the plain way. */
    const general = (l: StoredRankedList): Buffer => {
      const [h, c] = l.entries as [StoredListHeader, StoredListColumns];
      const n = c.ids.length;
      const f32 = c.scores.every((s) => Math.fround(s) === s);
      const distinct = [...new Set(c.sources)];
      const coded = distinct.length <= 256;
      const raw =
        c.features.length % 4 === 0 && Buffer.from(c.features, 'base64').toString('base64') === c.features;
      const numbered = numberedForm(c.ids);
      const featureColumns = raw ? columnForm(Buffer.from(c.features, 'base64'), n, c.width) : null;
      const parts = [
        Buffer.from(l.requestId, 'utf8'),
        Buffer.from(JSON.stringify(h), 'utf8'),
        numbered ?? Buffer.from(c.ids.join('\u001e'), 'utf8'),
        Buffer.from((coded ? distinct : c.sources).join('\u001e'), 'utf8'),
        coded ? Buffer.from(c.sources.map((s) => distinct.indexOf(s))) : Buffer.alloc(0),
        Buffer.from(c.via.join('\u001e'), 'utf8'),
        Buffer.from(JSON.stringify(c.promotionIds), 'utf8'),
        Buffer.from(c.isNew, 'utf8'),
        featureColumns ?? Buffer.from(c.features, raw ? 'base64' : 'utf8'),
      ];
      const fixed = Buffer.alloc(56 + (f32 ? 4 : 8) * n);
      fixed[0] = 1;
      fixed[1] = (f32 ? 1 : 0) | (coded ? 2 : 0) | (featureColumns ? 8 : raw ? 4 : 0) | (numbered ? 16 : 0);
      fixed.writeUInt32LE(n, 4);
      fixed.writeUInt32LE(c.width, 8);
      parts.forEach((b, k) => fixed.writeUInt32LE(b.length, 16 + 4 * k));
      // The platform order of the tests' machines (little-endian).
      c.scores.forEach((s, p) =>
        f32 ? fixed.writeFloatLE(s, 56 + 4 * p) : fixed.writeDoubleLE(s, 56 + 8 * p),
      );
      return Buffer.concat([fixed, ...parts]);
    };
    const f32Scores = (n: number): number[] => Array.from(new Float32Array(n).map((_, p) => 1 / (p + 3)));
    const cases: StoredListColumns[] = [
      columns([]),
      columns(['']),
      columns(['a']),
      columns(['', '']),
      columns(['a', 'b', 'c', 'd']),
      columns(['a', 'b', 'c', 'd'], { scores: f32Scores(4) }),
      columns(['ü-item', 'b', '字', '😀', 'e\u001f']),
      columns(['a', 'b', 'c'], { sources: ['EMBEDDING', 'Ünïcode', ''], via: ['', '\u001f字', 'x\u001f'] }),
      columns(['a', 'b', 'c'], { features: 'not base64 at all' }), // length 17: kept as text
      columns(Array.from({ length: 20_000 }, (_, p) => `i${p}`)), // past the lengths checked by one pattern
      columns(
        Array.from({ length: 300 }, (_, p) => `i${p}`),
        { sources: Array.from({ length: 300 }, (_, p) => `S${p % 257}`) }, // 257 distinct: joined, no codes
      ),
      columns(
        Array.from({ length: 300 }, (_, p) => `i${p}`),
        { sources: Array.from({ length: 300 }, (_, p) => `S${p % 256}`), scores: f32Scores(300) }, // 256: codes
      ),
      columns(
        Array.from({ length: 494 }, (_, p) => `i${p * 7}`),
        {
          via: Array.from({ length: 494 }, (_, p) =>
            p % 3 === 0 ? '' : p % 3 === 1 ? `i${p}` : `\u001fi${p}`,
          ),
        },
      ),
    ];
    cases.push(
      ...[4, 300, 494].map((n) =>
        columns(
          Array.from({ length: n }, (_, p) => `i${p}`),
          { width: 8, features: featureMatrix(n) },
        ),
      ),
      columns(['a', 'b'], { width: 4, features: featureMatrix(2, 3) }), // 24 bytes: not the whole matrix of width 4: bytes
      // Numbered ids: canonical, zero-padded, no prefix, a non-ASCII prefix, 2³² − 1; and ids that are not.
      columns(['318', '2571', '0', '58559', '4294967295', '7']),
      columns(['318', '2571', '4294967296', '7']), // past 2³² − 1: joined
      columns(['item-0000042', 'item-1234567', 'item-0000000', 'item-0000009']),
      columns(['item-0000042', 'item-42', 'item-0000000']), // another width: joined
      columns(['i5', 'i05', 'i6', 'i7']), // a leading zero after a canonical first id: joined
      columns(['007', '012', '999', '000']),
      columns(['字12345', '字7', '字99999', '字1']),
      columns(['x12345', 'y12345', 'x7']), // another prefix: joined
      columns(['x12345', 'x12a45', 'x7']), // not digits: joined
      columns(['ab12345678901', 'ab1']), // 11 digits: joined
      columns(['1', '2', '3']), // as short joined (5 bytes against 3 + 12): joined
      columns(Array.from({ length: 300 }, (_, p) => `\u001e${p + 10}`)), // U+001E in the prefix: numbered, no join needed
    );
    const flagsSeen = new Set<number>();
    for (const [k, cols] of cases.entries()) {
      const l = list(`general-${k}`, cols);
      const prepared = storedListCodec.prepare(l);
      const bytes = Buffer.alloc(prepared.byteLength); // zeros: the codec leaves bytes 2–3, 12–15 and 52–55 as they are
      prepared.write(bytes, 0);
      expect(bytes.equals(general(l))).toBe(true);
      expect(storedListCodec.decode(bytes)).toEqual(expected(l));
      flagsSeen.add(bytes[1]!);
    }
    // Every compact encoding was on and off in some case.
    for (const bit of [1, 2, 4, 8, 16]) {
      expect([...flagsSeen].some((f) => (f & bit) !== 0)).toBe(true);
      expect([...flagsSeen].some((f) => (f & bit) === 0)).toBe(true);
    }
  });

  it('keeps float32 scores in 4 bytes and float64 ones in 8, exact either way (-0 and NaN too)', () => {
    const n = 100;
    const f32 = Array.from(new Float32Array(n).map((_, p) => (p === 7 ? -0 : Math.sin(p) * 1e3)));
    const asF32 = list(
      'f32',
      columns(
        Array.from({ length: n }, (_, p) => `i${p}`),
        { scores: f32 },
      ),
    );
    const mixed = [...f32];
    mixed[50] = 0.1; // not a float32 value
    const asF64 = list(
      'f64',
      columns(
        Array.from({ length: n }, (_, p) => `i${p}`),
        { scores: mixed },
      ),
    );
    const nan = list('nan', columns(['a', 'b'], { scores: [Number.NaN, 1] }));
    const a = roundTrip(asF32);
    const b = roundTrip(asF64);
    expect(b.bytes.length - a.bytes.length).toBe(4 * n);
    expect((a.back.entries[1] as StoredListColumns).scores).toEqual(f32);
    expect(Object.is((a.back.entries[1] as StoredListColumns).scores[7], -0)).toBe(true);
    expect((b.back.entries[1] as StoredListColumns).scores).toEqual(mixed);
    expect((roundTrip(nan).back.entries[1] as StoredListColumns).scores[0]).toBeNaN();
  });

  it('takes ~27 KB for a list of 494 positions, 10 continuous features and 12-character numbered ids (~41 KB as text)', () => {
    const n = 494;
    const w = 10;
    const features = new Float32Array(n * w).map((_, i) => Math.cos(i));
    const kinds = ['EMBEDDING', 'ITEM_TO_ITEM', 'POPULAR', 'TRENDING', 'EMBEDDING,POPULAR'];
    const l = list(
      'size',
      columns(
        Array.from({ length: n }, (_, p) => `item-${String(p).padStart(7, '0')}`),
        {
          scores: Array.from(new Float32Array(n).map((_, p) => 1 - p / n)),
          sources: Array.from({ length: n }, (_, p) => kinds[p % kinds.length]!),
          via: Array.from({ length: n }, (_, p) => (p % 5 === 1 ? 'item-0000042' : '')),
          isNew: '0'.repeat(n),
          width: w,
          features: Buffer.from(features.buffer).toString('base64'),
        },
      ),
    );
    const { bytes, back } = roundTrip(l);
    expect(bytes[1]).toBe(1 | 2 | 4 | 16); // float32 scores, source codes, feature bytes (no column has few values), numbered ids
    expect(back).toEqual(expected(l));
    const [h, c] = l.entries as [StoredListHeader, StoredListColumns];
    const asText = [
      l.requestId,
      JSON.stringify(h),
      c.ids.join('\u001e'),
      c.sources.join('\u001e'),
      c.via.join('\u001e'),
      '{}',
      c.isNew,
      c.features,
    ]
      .map((t) => Buffer.byteLength(t))
      .reduce((x, y) => x + y, 48 + 8 * n);
    expect(asText).toBeGreaterThan(40_000);
    expect(bytes.length).toBeLessThan(27_500);
    expect(bytes.length).toBeLessThan(0.78 * asText);
  });

  it('falls back to the structured clone for U+001E in any column and at any position, even with one position', () => {
    const lists = [
      list('one', columns(['\u001e'])),
      list('one-inside', columns(['a\u001eb'])),
      list('first', columns(['\u001ea', 'b', 'c'])),
      list('last', columns(['a', 'b', 'c\u001e'])),
      list('non-ascii', columns(['ü', '字\u001e', 'c'])),
      list('source', columns(['a', 'b', 'c'], { sources: ['E', 'E', 'E\u001e'] })),
      list('via-first', columns(['a', 'b', 'c'], { via: ['\u001e', '', ''] })),
      list('not-a-string', columns(['a', 'b'], { ids: ['a', 7 as unknown as string] })),
      list('sparse', columns(['a', 'b'], { via: [''] as string[] })),
      list('long', columns(Array.from({ length: 20_000 }, (_, p) => (p === 19_999 ? 'x\u001e' : `i${p}`)))),
    ];
    for (const l of lists) {
      const { bytes, back } = roundTrip(l);
      expect(bytes[0]).toBe(0);
      expect(back).toEqual(l);
    }
  });

  it('writes each list its own feature bytes when several are prepared before any is written', () => {
    const make = (k: number): StoredRankedList => {
      const rows = new Float32Array(6 * 2).map((_, i) => k * 100 + i / 7);
      return list(
        `interleaved-${k}`,
        columns(['a', 'b', 'c', 'd', 'e', 'f'], { features: Buffer.from(rows.buffer).toString('base64') }),
      );
    };
    const lists = [make(1), make(2), make(3)];
    const prepared = lists.map((l) => storedListCodec.prepare(l)); // the scratch now holds list 3's bytes
    prepared.forEach((p, k) => {
      const bytes = Buffer.alloc(p.byteLength);
      p.write(bytes, 0);
      expect(bytes[1]! & 4).toBe(4); // the features as bytes
      expect(storedListCodec.decode(bytes)).toEqual(expected(lists[k]!));
    });
  });

  it('writes few-valued feature columns as a dictionary and codes: a ranker-like list of 494 × 10 in ~20 KB, back bit for bit', () => {
    const n = 494;
    const w = 10;
    // Like the ranker's ten: six continuous, the user's activity (one value), and three with few values.
    const m = new Float32Array(n * w);
    for (let p = 0; p < n; p++) {
      for (let j = 0; j < 6; j++) m[p * w + j] = Math.cos(p * 7 + j);
      m[p * w + 6] = Math.log1p(42);
      m[p * w + 7] = [0, 0.2, 0.35, 0.6][p % 4]!;
      m[p * w + 8] = Math.log1p(p % 9);
      m[p * w + 9] = p % 11 === 0 ? Math.log1p(p) : 0;
    }
    const base = columns(
      Array.from({ length: n }, (_, p) => `item-${String(p).padStart(7, '0')}`),
      {
        scores: Array.from(new Float32Array(n).map((_, p) => 1 - p / n)),
        sources: Array.from({ length: n }, (_, p) => (p % 2 === 0 ? 'EMBEDDING' : 'POPULAR')),
        via: Array.from({ length: n }, () => ''),
        isNew: '0'.repeat(n),
        width: w,
        features: Buffer.from(m.buffer).toString('base64'),
      },
    );
    const l = list('few-valued', base);
    const { bytes, back } = roundTrip(l);
    expect(bytes[1]! & 12).toBe(8); // the column form, not the raw bytes
    expect(back).toEqual(expected(l));
    // Column 9 has 45 distinct values (0 and the multiples of 11): a dictionary too; the raw matrix is 19,760 bytes.
    const featurePart = bytes.readUInt32LE(16 + 4 * 8);
    expect(featurePart).toBe(6 * (2 + 4 * n) + (2 + 4) + (2 + 16 + n) + (2 + 36 + n) + (2 + 4 * 45 + n));
    expect(featurePart).toBeLessThan(0.75 * 4 * n * w);
    const raw = roundTrip(list('continuous', { ...base, features: featureMatrix(n, w) }));
    expect(raw.back).toEqual(expected(list('continuous', { ...base, features: featureMatrix(n, w) })));
  });

  it('writes each list its own feature columns when several are prepared before any is written', () => {
    const lists = [1, 2, 3].map((k) =>
      list(
        `columns-${k}`,
        columns(
          Array.from({ length: 40 }, (_, p) => `i${p}`),
          { width: 8, features: featureMatrix(40, 8, k) },
        ),
      ),
    );
    const prepared = lists.map((l) => storedListCodec.prepare(l)); // the scratch now holds list 3's columns
    prepared.forEach((p, k) => {
      const bytes = Buffer.alloc(p.byteLength);
      p.write(bytes, 0);
      expect(bytes[1]! & 12).toBe(8);
      expect(storedListCodec.decode(bytes)).toEqual(expected(lists[k]!));
    });
  });

  it('serves a ring: lists put and read back through the memory store codec', () => {
    const ring = new RankedListRing(1 << 16, 100, storedListCodec);
    const lists = Array.from({ length: 50 }, (_, k) =>
      list(`r${k}`, columns(Array.from({ length: 1 + (k % 7) }, (_, p) => `item-${k}-${p}`))),
    );
    for (const l of lists) ring.put(l, Number.MAX_SAFE_INTEGER);
    let answered = 0;
    for (const l of lists) {
      const got = ring.get(l.requestId, 0);
      if (got === null) continue;
      answered++;
      expect(got).toEqual(expected(l));
    }
    expect(answered).toBe(50); // 64 KiB holds all of them
  });

  it('gives back features that are not canonical base64 exactly as put (padding, base64url, spaces, stray `=`, trailing bits)', () => {
    // Each of these has a length that is a multiple of 4; Node's decoder skips, maps or drops parts of them.
    const odd = [
      'AB==',
      'AAB=',
      'AA-_',
      'AA A',
      'ab!d',
      '====',
      'A===',
      'AA=A',
      'AAAA====',
      'AAAA\nAAA',
      'é123',
      'AAAA ',
      '',
    ];
    // And every 4-character text over an alphabet with each kind of character, and random 8- and 12-character ones.
    const alphabet = ['A', 'B', 'Q', 'g', '+', '/', '-', '_', '=', ' '];
    for (const a of alphabet)
      for (const b of alphabet) for (const c of alphabet) for (const d of alphabet) odd.push(a + b + c + d);
    let seed = 7;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % alphabet.length;
    for (let k = 0; k < 1000; k++)
      odd.push(Array.from({ length: k % 2 === 0 ? 8 : 12 }, () => alphabet[next()]!).join(''));
    for (const features of odd) {
      const l = list('odd', columns(['a', 'b'], { features }));
      for (const fill of [0x00, 0xee]) {
        const prepared = storedListCodec.prepare(l);
        const buf = Buffer.alloc(prepared.byteLength + 8, fill);
        prepared.write(buf, 0);
        const back = storedListCodec.decode(buf.subarray(0, prepared.byteLength));
        expect((back.entries[1] as StoredListColumns).features, JSON.stringify(features)).toBe(features);
      }
    }
  });

  it("never reads another list's stale ring bytes as a list's features", () => {
    const ring = new RankedListRing(1 << 16, 1, storedListCodec); // one list: every put starts at offset 0
    const secret = Buffer.alloc(30_000, 0x5a).toString('base64');
    ring.put(list('secret', columns(['a', 'b'], { features: secret, width: 1 })), Number.MAX_SAFE_INTEGER);
    const spaced = ' '.repeat(4_000); // length 4000: 3000 bytes by Buffer.byteLength, none decoded
    ring.put(list('spaced', columns(['a', 'b'], { features: spaced, width: 1 })), Number.MAX_SAFE_INTEGER);
    const got = ring.get('spaced', 0)!.entries[1] as StoredListColumns;
    expect(got.features).toBe(spaced);
  });
});
