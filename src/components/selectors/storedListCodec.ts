import type { StoredRankedList } from '../../stores/featureStore.js';
import { STRUCTURED_CLONE_CODEC } from '../../stores/memory/rankedListRing.js';
import type { PreparedList, RankedListCodec } from '../../stores/memory/rankedListRing.js';
import type { StoredListColumns, StoredListHeader } from './storedRankedList.js';

/** Joins the positions of a text column (U+001E, the record separator; `via` uses U+001F inside a position). */
const RS = '\u001e';
/** First byte of an encoding: which form follows. */
const TAG_COLUMNS = 1;
const TAG_CLONE = 0;
/** Byte 1 of the column form: which compact encodings it uses. */
const FLAG_SCORES_F32 = 1;
const FLAG_SOURCE_CODES = 2;
const FLAG_RAW_FEATURES = 4;
const FLAG_FEATURE_COLUMNS = 8;
const FLAG_NUMBERED_IDS = 16;
/** Most distinct `sources` values a list may have and still be written as one byte per position. */
const MAX_SOURCE_CODES = 256;
/** The text parts of the column form, in order (see {@link storedListCodec}). */
const PART_COUNT = 9;
/** The fixed part: tag, flags, n, width, then the byte lengths of the parts; 56, so the scores that follow are aligned. */
const FIXED_BYTES = 56;

/**
 * The {@link RankedListCodec} of the memory store's paging ring for the lists
 * `toStoredList` makes (`[header, columns]`, see storedRankedList.ts), in a
 * column form written straight into the ring (issue #6: in the bench server
 * at 10k items `v8.serialize` took 170–180 µs per list and a temporary
 * Buffer; this form ~100 µs to prepare and, once the ring's pages are
 * committed, ~25 µs to write). A list of 494 positions, 10 ranker features and
 * the bench's numbered 1M-item ids takes ~21 KB (~29 KB with the features
 * as raw float32 rows and the ids as text, before flags 8 and 16; 41 KB with
 * every part as text, before 12-03: the features as base64, the scores as
 * float64, the sources joined):
 *
 * | bytes | what |
 * | --- | --- |
 * | 0 | 1 (the column form) |
 * | 1 | flags: 1 the scores are float32, 2 the sources are codes, 4 the features are bytes, 8 the features are columns, 16 the ids are numbered |
 * | 4–7, 8–11 | n (positions), `width` (u32 LE) |
 * | 16–51 | byte lengths of the 9 parts (u32 LE) |
 * | 56 … | `scores` in the platform's byte order: float32 (4n bytes) when every score is a float32 value, which the ranker's scores are, else float64 (8n) |
 * | then | the parts: `requestId` (UTF-8); the header as JSON; `ids` (below); the sources (below); `via` joined by U+001E; `promotionIds` as JSON; `isNew`; `features` (below) |
 *
 * The ids: with flag 16, a prefix and a number each (see
 * {@link numberedIds}: u16 LE byte length of the prefix, the prefix as UTF-8,
 * one byte for the digits' zero-padded width or 0, then a u32 LE per
 * position), when every id is such and that is shorter; without it, joined.
 * The sources: with flag 2, their distinct values joined by U+001E, then one
 * byte per position, its value's index (a list has a handful of distinct
 * values: one per source and per combination); without it (more than 256
 * distinct values), the positions joined by U+001E and an empty part. The
 * features: with flag 4, the bytes that their base64 text encodes (three
 * quarters of its length), written back as base64 when decoded; with flag 8
 * (those bytes are exactly the n × `width` float32 matrix, and this is
 * shorter), the matrix column by column, a column of at most 256 distinct
 * values as a dictionary and one byte per position (see
 * {@link encodeFeatureColumns}: of a ranker's ten features the user's
 * activity is one value per list and the category features a few, so a list
 * takes ~5 KB less); without either (a text that is not canonical base64, as
 * `Buffer.toString('base64')` writes it, which no writer of the format
 * makes), the text as UTF-8.
 *
 * A list in any other shape, one whose ids, sources or via hold U+001E (a
 * join would not split back), or one with `viaLists` (via entries holding
 * U+001F, see StoredListColumns), is written as byte 0 and its
 * {@link STRUCTURED_CLONE_CODEC} bytes. Decoding gives a fresh list equal to
 * the one put as JSON sees it (the header goes through JSON, as in the Redis
 * store); scores are exact (float32 only when that loses nothing).
 */
export const storedListCodec: RankedListCodec = {
  prepare(list) {
    return prepareColumns(list) ?? tagged(TAG_CLONE, STRUCTURED_CLONE_CODEC.prepare(list));
  },
  decode(bytes) {
    if (bytes[0] === TAG_CLONE) return STRUCTURED_CLONE_CODEC.decode(bytes.subarray(8));
    return decodeColumns(bytes);
  },
};

/** `inner` behind an 8-byte prefix whose first byte is `tag`. */
function tagged(tag: number, inner: PreparedList): PreparedList {
  return {
    byteLength: 8 + inner.byteLength,
    write(target, offset) {
      target[offset] = tag;
      inner.write(target, offset + 8);
    },
  };
}

/** The sources of a list as a dictionary of its distinct values and one code per position, or null past {@link MAX_SOURCE_CODES} values. */
function sourceCodes(sources: readonly unknown[], n: number): { values: string[]; codes: Buffer } | null {
  const index = new Map<string, number>();
  const values: string[] = [];
  const codes = Buffer.allocUnsafe(n);
  for (let p = 0; p < n; p++) {
    const s = sources[p];
    if (typeof s !== 'string') return null;
    let code = index.get(s);
    if (code === undefined) {
      if (values.length === MAX_SOURCE_CODES) return null;
      index.set(s, (code = values.length));
      values.push(s);
    }
    codes[p] = code;
  }
  return { values, codes };
}

/** Whether every score is a number that float32 holds exactly (-0 too). */
function allFloat32(scores: readonly unknown[], n: number): boolean {
  for (let p = 0; p < n; p++) {
    const s = scores[p] as number;
    if (Math.fround(s) !== s) return false; // NaN too: it goes as float64
  }
  return true;
}

/** The column form of `list`, or null when it is not in the shape or a join would not split back. */
function prepareColumns(list: StoredRankedList): PreparedList | null {
  const entries = list.entries;
  if (entries.length !== 2) return null;
  const header = entries[0] as Partial<StoredListHeader> | null;
  const c = entries[1] as Partial<StoredListColumns> | null;
  if (header?.kind !== 'header' || c?.kind !== 'columns') return null;
  const { ids, scores, sources, via, isNew, features, width, promotionIds } = c;
  if (!Array.isArray(ids) || !Array.isArray(scores) || !Array.isArray(sources) || !Array.isArray(via))
    return null;
  const n = ids.length;
  if (scores.length !== n || sources.length !== n || via.length !== n) return null;
  if (typeof isNew !== 'string' || isNew.length !== n || typeof features !== 'string') return null;
  if (typeof width !== 'number' || !(Number.isInteger(width) && width >= 0 && width <= 0xffffffff))
    return null;
  if (typeof promotionIds !== 'object' || promotionIds === null) return null;
  // Positions whose via holds U+001F keep their entries in viaLists: the column form has no part for them.
  if (c.viaLists !== undefined) return null;
  for (let p = 0; p < n; p++) if (typeof scores[p] !== 'number') return null;
  const f32 = allFloat32(scores, n);
  const coded = sourceCodes(sources, n);
  const numbered = numberedIds(ids, n);
  const featureBytes = canonicalBase64Bytes(features);
  const featureColumns = featureBytes === null ? null : columnsOrNull(featureBytes.bytes, n, width);
  const rawFeatures = featureBytes !== null && featureColumns === null;
  const parts: (string | null)[] = [
    list.requestId,
    JSON.stringify(header),
    numbered === null ? joinedOrNull(ids, n) : '', // numbered ids: bytes, written below
    coded === null ? joinedOrNull(sources, n) : joinedOrNull(coded.values, coded.values.length),
    '', // the source codes: bytes, written below
    joinedOrNull(via, n),
    JSON.stringify(promotionIds),
    isNew,
    features,
  ];
  const lengths = new Array<number>(PART_COUNT);
  const scoreBytes = (f32 ? 4 : 8) * n;
  let total = FIXED_BYTES + scoreBytes;
  for (let k = 0; k < PART_COUNT; k++) {
    const part = parts[k];
    if (typeof part !== 'string') return null;
    lengths[k] =
      k === 4
        ? (coded?.codes.length ?? 0)
        : k === 2 && numbered !== null
          ? numbered.byteLength
          : k === 8 && featureColumns !== null
            ? featureColumns.bytes.length
            : k === 8 && featureBytes !== null
              ? featureBytes.bytes.length
              : Buffer.byteLength(part, 'utf8');
    total += lengths[k]!;
  }
  const flags =
    (f32 ? FLAG_SCORES_F32 : 0) |
    (coded !== null ? FLAG_SOURCE_CODES : 0) |
    (rawFeatures ? FLAG_RAW_FEATURES : 0) |
    (featureColumns !== null ? FLAG_FEATURE_COLUMNS : 0) |
    (numbered !== null ? FLAG_NUMBERED_IDS : 0);
  return {
    byteLength: total,
    write(target, offset) {
      target[offset] = TAG_COLUMNS;
      target[offset + 1] = flags;
      target.writeUInt32LE(n, offset + 4);
      target.writeUInt32LE(width, offset + 8);
      for (let k = 0; k < PART_COUNT; k++) target.writeUInt32LE(lengths[k]!, offset + 16 + 4 * k);
      writeScores(target, offset + FIXED_BYTES, scores as number[], f32);
      let at = offset + FIXED_BYTES + scoreBytes;
      for (let k = 0; k < PART_COUNT; k++) {
        if (k === 2 && numbered !== null) {
          writeNumberedIds(target, at, numbered);
          at += lengths[k]!;
          continue;
        }
        if (k === 4) {
          if (coded !== null) coded.codes.copy(target, at);
          at += lengths[k]!;
          continue;
        }
        if (k === 8 && featureColumns !== null) {
          // The bytes encoded in prepare, unless a later prepare has reused the scratch since.
          const own =
            featureColumns.generation === OWNED || featureColumns.generation === encodedGeneration
              ? featureColumns.bytes
              : (columnsOrNull(Buffer.from(parts[k] as string, 'base64'), n, width) as { bytes: Buffer })
                  .bytes;
          at += own.copy(target, at);
          continue;
        }
        if (k === 8 && featureBytes !== null) {
          // The bytes decoded to check the text, unless a later prepare has reused the scratch since.
          if (featureBytes.generation === OWNED || featureBytes.generation === scratchGeneration) {
            at += featureBytes.bytes.copy(target, at);
          } else {
            at += target.write(parts[k] as string, at, lengths[k]!, 'base64');
          }
          continue;
        }
        at += target.write(parts[k] as string, at, lengths[k]!, 'utf8');
      }
    },
  };
}

/**
 * Scratch for {@link canonicalBase64Bytes}'s decoding (grown as needed up to
 * {@link MAX_SCRATCH_BYTES}), and how many times it has been written: a
 * prepared list copies its feature bytes from it when nothing was decoded
 * into it since (the ring writes each list right after preparing it), else
 * decodes its text again.
 */
let scratch = Buffer.alloc(0);
let scratchGeneration = 0;
const MAX_SCRATCH_BYTES = 1 << 20;
/** The generation of bytes decoded into a buffer of their own (a list larger than the scratch may grow to). */
const OWNED = -1;

/**
 * Whether `text` is base64 exactly as `Buffer.toString('base64')` writes it,
 * so that its bytes written back as base64 give `text` again. Node's decoder
 * skips characters outside the alphabet and stops at a `=` inside the text
 * (then it writes fewer bytes than `Buffer.byteLength(text, 'base64')`, and
 * the column form would decode bytes it never wrote: stale ring bytes of
 * older lists), reads `-` and `_` as `+` and `/`, and ignores the bits after
 * the last byte: each of those would come back as different text. One decode
 * (~4 µs for 20 KB) and two scans, where a pattern over the text took ~70 µs;
 * the decoded bytes are what the column form writes (see {@link scratch}).
 * @returns the bytes `text` encodes and the scratch generation they were
 *   decoded in ({@link OWNED} for a buffer of their own), or null when `text`
 *   is not canonical base64.
 */
function canonicalBase64Bytes(text: string): { bytes: Buffer; generation: number } | null {
  const length = text.length;
  if (length % 4 !== 0) return null;
  if (length === 0) return { bytes: Buffer.alloc(0), generation: OWNED };
  const expected = Buffer.byteLength(text, 'base64');
  let into = scratch;
  let generation = OWNED;
  if (into.length < expected) {
    into = Buffer.allocUnsafe(Math.max(expected, 2 * into.length));
    if (into.length <= MAX_SCRATCH_BYTES) scratch = into; // a rare huge list's buffer is not kept
  }
  if (into === scratch) generation = ++scratchGeneration;
  if (into.write(text, 0, expected, 'base64') !== expected) return null;
  if (text.includes('-') || text.includes('_')) return null;
  // The zero bits after the last byte: 4 of the character before `==`, 2 of the one before `=`.
  const canonical =
    text.charCodeAt(length - 2) === 0x3d
      ? 'AQgw'.includes(text[length - 3]!)
      : text.charCodeAt(length - 1) === 0x3d
        ? 'AEIMQUYcgkosw048'.includes(text[length - 2]!)
        : true;
  return canonical ? { bytes: into.subarray(0, expected), generation } : null;
}

/** Most distinct values a feature column may have and still be written as a dictionary and one byte per position. */
const MAX_COLUMN_VALUES = 256;
/** Slots of the open-addressing table that counts a column's distinct values (a power of two, 4 × {@link MAX_COLUMN_VALUES}). */
const HASH_SLOTS = 1024;
const slotKey = new Uint32Array(HASH_SLOTS);
const slotCode = new Uint16Array(HASH_SLOTS);
/** Which column filled a slot: a slot whose stamp is not the current one is empty (no clearing between columns). */
const slotStamp = new Uint32Array(HASH_SLOTS);
let stamp = 0;
/** Scratch for one column's distinct values and codes while it is being encoded. */
const columnValues = new Uint32Array(MAX_COLUMN_VALUES);
let columnCodes = new Uint8Array(0);

/** Scratch for {@link encodeFeatureColumns}' output, and how many times it has been written (as {@link scratch}). */
let encoded = Buffer.alloc(0);
let encodedGeneration = 0;

/**
 * A list's feature matrix, n × w float32 values row-major as the 4-byte
 * patterns of `m`, column by column (compared bit for bit, so −0, NaN
 * payloads and subnormals come back as they were). Each column:
 * - a u16 LE `k`, then with k in 1..256 the k distinct patterns (u32 LE, in
 *   first-seen order) and, when k > 1, one byte per position: its pattern's
 *   index. A constant column (the user's activity, an anonymous user's
 *   affinities) takes 6 bytes, one of few values (category affinity, days
 *   since the category) n + 4k + 2;
 * - with k = 0 (more than 256 distinct values, or a dictionary and codes
 *   that would not be shorter: 4k + n ≥ 4n): its n patterns (u32 LE).
 *
 * O(n·w): one probe of a 1,024-slot table per value; a column stops being
 * counted at its 257th distinct value.
 * @returns the bytes, in a scratch buffer that the next call overwrites
 *   (a buffer of their own past 1 MiB), and that scratch's generation.
 */
function encodeFeatureColumns(m: Uint32Array, n: number, w: number): { bytes: Buffer; generation: number } {
  const bound = w * (2 + 4 * n);
  let out = encoded;
  let generation = OWNED;
  if (out.length < bound) {
    out = Buffer.allocUnsafe(Math.max(bound, 2 * out.length));
    if (out.length <= MAX_SCRATCH_BYTES) encoded = out;
  }
  if (out === encoded) generation = ++encodedGeneration;
  if (columnCodes.length < n) columnCodes = new Uint8Array(Math.max(n, 2 * columnCodes.length));
  let o = 0;
  for (let j = 0; j < w; j++) {
    stamp = (stamp + 1) >>> 0;
    if (stamp === 0) {
      slotStamp.fill(0);
      stamp = 1;
    }
    let k = 0;
    for (let p = 0, e = j; p < n; p++, e += w) {
      const v = m[e]!;
      let s = Math.imul(v, 0x9e3779b1) >>> 22; // Fibonacci hashing into 10 bits
      while (slotStamp[s] === stamp && slotKey[s] !== v) s = (s + 1) & (HASH_SLOTS - 1);
      if (slotStamp[s] !== stamp) {
        if (k === MAX_COLUMN_VALUES) {
          k = 0;
          break;
        }
        slotStamp[s] = stamp;
        slotKey[s] = v;
        slotCode[s] = k;
        columnValues[k++] = v;
      }
      columnCodes[p] = slotCode[s]!;
    }
    if (k > 1 && 4 * k + n >= 4 * n) k = 0; // the dictionary would not be shorter
    out.writeUInt16LE(k, o);
    o += 2;
    if (k === 0) {
      for (let p = 0, e = j; p < n; p++, e += w, o += 4) out.writeUInt32LE(m[e]!, o);
    } else {
      for (let c = 0; c < k; c++, o += 4) out.writeUInt32LE(columnValues[c]!, o);
      if (k > 1) {
        out.set(columnCodes.subarray(0, n), o);
        o += n;
      }
    }
  }
  return { bytes: out.subarray(0, o), generation };
}

/** The feature text (base64 of the n × w float32 matrix in platform byte order) back from {@link encodeFeatureColumns}' bytes at `at`. */
function decodeFeatureColumns(bytes: Buffer, at: number, n: number, w: number): string {
  const m = new Uint32Array(n * w);
  for (let j = 0; j < w; j++) {
    const k = bytes.readUInt16LE(at);
    at += 2;
    if (k === 0) {
      for (let p = 0, e = j; p < n; p++, e += w, at += 4) m[e] = bytes.readUInt32LE(at);
    } else {
      const values = at;
      at += 4 * k;
      for (let p = 0, e = j; p < n; p++, e += w)
        m[e] = bytes.readUInt32LE(values + 4 * (k > 1 ? bytes[at + p]! : 0));
      if (k > 1) at += n;
    }
  }
  return Buffer.from(m.buffer, 0, m.byteLength).toString('base64');
}

/**
 * The feature bytes of a list in {@link encodeFeatureColumns}' form when they
 * are exactly its n × `width` float32 matrix (width ≥ 1, n ≥ 1) and that form
 * is shorter, else null.
 */
function columnsOrNull(raw: Buffer, n: number, width: number): { bytes: Buffer; generation: number } | null {
  if (!(n > 0 && width > 0) || raw.length !== 4 * n * width) return null;
  const m =
    raw.byteOffset % 4 === 0
      ? new Uint32Array(raw.buffer, raw.byteOffset, n * width)
      : new Uint32Array(Uint8Array.from(raw).buffer);
  const columns = encodeFeatureColumns(m, n, width);
  return columns.bytes.length < raw.length ? columns : null;
}

/** Ids that are one prefix and a decimal number each ({@link numberedIds}). */
interface NumberedIds {
  readonly prefix: string;
  /** The digits' width when the numbers are zero-padded to it, else 0 (canonical decimals: no leading zero). */
  readonly width: number;
  readonly values: Uint32Array;
  /** Bytes of the ids part: prefix length (u16 LE), the prefix (UTF-8), `width` (u8), then a u32 LE per id. */
  readonly byteLength: number;
}

/** Most digits of a numbered id's number (2³² − 1 has 10). */
const MAX_ID_DIGITS = 10;

/**
 * The ids as one prefix and a number each, when every id is the prefix (the
 * first id up to its trailing digits, so it does not end in a digit) followed
 * by the decimal digits of a number below 2³²: canonical (no leading zero),
 * or all zero-padded to one width (the first id's, when it has a leading
 * zero). Catalogs' ids often are: MovieLens and MovieTweetings ids are
 * numbers, the synthetic catalogs' are `i` and a number; 4 bytes an id where
 * the joined text took one more than its length. Null for any other ids, or
 * when the text would be as short.
 */
function numberedIds(ids: readonly unknown[], n: number): NumberedIds | null {
  if (n === 0 || typeof ids[0] !== 'string') return null;
  const first = ids[0];
  let t = first.length;
  while (t > 0 && isDigit(first.charCodeAt(t - 1))) t--;
  const digits = first.length - t;
  if (digits === 0 || digits > MAX_ID_DIGITS) return null;
  const prefix = first.slice(0, t);
  const width = digits > 1 && first.charCodeAt(t) === 0x30 ? digits : 0;
  const prefixBytes = Buffer.byteLength(prefix, 'utf8');
  if (prefixBytes > 0xffff) return null;
  const values = new Uint32Array(n);
  let textBytes = n - 1; // the joined ids' UTF-8 bytes: the separators, then each id's prefix and digits

  for (let p = 0; p < n; p++) {
    const id = ids[p];
    if (typeof id !== 'string' || !id.startsWith(prefix)) return null;
    const length = id.length - t;
    if (length < 1 || length > MAX_ID_DIGITS) return null;
    if (width > 0 ? length !== width : length > 1 && id.charCodeAt(t) === 0x30) return null;
    let v = 0;
    for (let i = t; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (!isDigit(c)) return null;
      v = v * 10 + (c - 0x30);
    }
    if (v > 0xffffffff) return null;
    values[p] = v;
    textBytes += prefixBytes + length;
  }
  const byteLength = 3 + prefixBytes + 4 * n;
  return byteLength < textBytes ? { prefix, width, values, byteLength } : null;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Writes {@link NumberedIds} at `target[at]` in the layout of its `byteLength`. */
function writeNumberedIds(target: Buffer, at: number, ids: NumberedIds): void {
  const prefixBytes = Buffer.byteLength(ids.prefix, 'utf8');
  target.writeUInt16LE(prefixBytes, at);
  target.write(ids.prefix, at + 2, prefixBytes, 'utf8');
  at += 2 + prefixBytes;
  target[at++] = ids.width;
  for (let p = 0; p < ids.values.length; p++, at += 4) target.writeUInt32LE(ids.values[p]!, at);
}

/** The n ids written by {@link writeNumberedIds} at `bytes[at]`. */
function readNumberedIds(bytes: Buffer, at: number, n: number): string[] {
  const prefixBytes = bytes.readUInt16LE(at);
  const prefix = bytes.toString('utf8', at + 2, at + 2 + prefixBytes);
  at += 2 + prefixBytes;
  const width = bytes[at++]!;
  const out = new Array<string>(n);
  for (let p = 0; p < n; p++, at += 4) {
    const digits = String(bytes.readUInt32LE(at));
    out[p] = prefix + (width > 0 ? digits.padStart(width, '0') : digits);
  }
  return out;
}

/**
 * The strings joined by U+001E, or null when one of them holds U+001E (or is
 * not a string): counted in the joined text, so one pass of `indexOf`.
 */
function joinedOrNull(values: readonly unknown[], n: number): string | null {
  const joined = values.join(RS);
  let separators = 0;
  for (let i = joined.indexOf(RS); i !== -1; i = joined.indexOf(RS, i + 1)) separators++;
  if (separators !== Math.max(0, n - 1)) return null;
  for (let p = 0; p < n; p++) if (typeof values[p] !== 'string') return null;
  return joined;
}

/** Writes `scores` as float32 or float64 (platform byte order) at `buf[at]`: through one typed-array view when aligned (the ring's case), else value by value. */
function writeScores(buf: Buffer, at: number, scores: readonly number[], f32: boolean): void {
  const start = buf.byteOffset + at;
  const size = f32 ? 4 : 8;
  if (start % size === 0) {
    (f32
      ? new Float32Array(buf.buffer, start, scores.length)
      : new Float64Array(buf.buffer, start, scores.length)
    ).set(scores);
    return;
  }
  const one = f32 ? new Float32Array(1) : new Float64Array(1);
  const oneBytes = new Uint8Array(one.buffer);
  for (let p = 0; p < scores.length; p++) {
    one[0] = scores[p]!;
    buf.set(oneBytes, at + size * p);
  }
}

/** A list back from its column form. */
function decodeColumns(bytes: Buffer): StoredRankedList {
  const flags = bytes[1]!;
  const n = bytes.readUInt32LE(4);
  const width = bytes.readUInt32LE(8);
  const f32 = (flags & FLAG_SCORES_F32) !== 0;
  const scoreBytes = (f32 ? 4 : 8) * n;
  const text: string[] = [];
  let at = FIXED_BYTES + scoreBytes;
  let codesAt = at;
  let idsAt = at;
  for (let k = 0; k < PART_COUNT; k++) {
    const length = bytes.readUInt32LE(16 + 4 * k);
    if (k === 4) codesAt = at;
    const encoding = k === 8 && (flags & FLAG_RAW_FEATURES) !== 0 ? 'base64' : 'utf8';
    if (k === 2) idsAt = at;
    text.push(
      k === 4 || (k === 2 && (flags & FLAG_NUMBERED_IDS) !== 0)
        ? ''
        : k === 8 && (flags & FLAG_FEATURE_COLUMNS) !== 0
          ? decodeFeatureColumns(bytes, at, n, width)
          : bytes.toString(encoding, at, at + length),
    );
    at += length;
  }
  const [requestId, header, ids, sourceText, , via, promotionIds, isNew, features] = text as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const split = (joined: string): string[] => (n === 0 ? [] : joined.split(RS));
  let sources: string[];
  if ((flags & FLAG_SOURCE_CODES) !== 0) {
    const values = n === 0 ? [] : sourceText.split(RS);
    sources = new Array<string>(n);
    for (let p = 0; p < n; p++) sources[p] = values[bytes[codesAt + p]!]!;
  } else {
    sources = split(sourceText);
  }
  const columns: StoredListColumns = {
    kind: 'columns',
    ids: (flags & FLAG_NUMBERED_IDS) !== 0 ? readNumberedIds(bytes, idsAt, n) : split(ids),
    scores: Array.from(copyOfScores(bytes, n, f32)),
    sources,
    via: split(via),
    isNew,
    promotionIds: JSON.parse(promotionIds) as Record<number, string>,
    width,
    features,
  };
  return { requestId, entries: [JSON.parse(header) as StoredListHeader, columns] };
}

/** The scores of an entry, copied out of its bytes (which need not be aligned when decoding). */
function copyOfScores(bytes: Buffer, n: number, f32: boolean): Float32Array | Float64Array {
  const out = f32 ? new Float32Array(n) : new Float64Array(n);
  new Uint8Array(out.buffer).set(bytes.subarray(FIXED_BYTES, FIXED_BYTES + out.byteLength));
  return out;
}
