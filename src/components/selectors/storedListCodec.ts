import type { StoredRankedList } from '../../stores/featureStore.js';
import { STRUCTURED_CLONE_CODEC } from '../../stores/memory/rankedListRing.js';
import type { PreparedList, RankedListCodec } from '../../stores/memory/rankedListRing.js';
import type { StoredListColumns, StoredListHeader } from './storedRankedList.js';

/** Joins the positions of a text column (U+001E, the record separator; `via` uses U+001F inside a position). */
const RS = '\u001e';
/** First byte of an encoding: which form follows. */
const TAG_COLUMNS = 1;
const TAG_CLONE = 0;
/** The fixed part of the column form: tag, n, width, then the byte lengths of the {@link PART_COUNT} text parts. */
const PART_COUNT = 8;
const FIXED_BYTES = 16 + 4 * PART_COUNT; // 48: a multiple of 8, so the scores that follow are aligned

/**
 * The {@link RankedListCodec} of the memory store's paging ring for the lists
 * `toStoredList` makes (`[header, columns]`, see storedRankedList.ts), in a
 * column form written straight into the ring (issue #6: in the bench server
 * at 10k items `v8.serialize` took 170–180 µs per list and a temporary
 * Buffer; this form 100–120 µs to prepare and, once the ring's pages are
 * committed, ~25 µs to write, for ~41 KB per 494-position list):
 *
 * | bytes | what |
 * | --- | --- |
 * | 0 | 1 (the column form) |
 * | 4–7, 8–11 | n (positions), `width` (u32 LE) |
 * | 16–47 | byte lengths of the 8 text parts (u32 LE) |
 * | 48 … 48 + 8n | `scores`, float64 in the platform's byte order (exact; the ring lives in one process) |
 * | then | UTF-8: `requestId`; the header as JSON; `ids`, `sources`, `via` each joined by U+001E; `promotionIds` as JSON; `isNew`; `features` |
 *
 * A list in any other shape, one whose ids, sources or via hold U+001E (a
 * join would not split back), or one with `viaLists` (via entries holding
 * U+001F, see StoredListColumns), is written as byte 0 and its
 * {@link STRUCTURED_CLONE_CODEC} bytes. Decoding gives a fresh list equal to
 * the one put as JSON sees it (the header goes through JSON, as in the Redis
 * store); scores are exact, as float64.
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
  const parts = [
    list.requestId,
    JSON.stringify(header),
    joinedOrNull(ids, n),
    joinedOrNull(sources, n),
    joinedOrNull(via, n),
    JSON.stringify(promotionIds),
    isNew,
    features,
  ];
  const lengths = new Array<number>(PART_COUNT);
  let total = FIXED_BYTES + 8 * n;
  for (let k = 0; k < PART_COUNT; k++) {
    const part = parts[k];
    if (typeof part !== 'string') return null;
    total += lengths[k] = Buffer.byteLength(part, 'utf8');
  }
  return {
    byteLength: total,
    write(target, offset) {
      target[offset] = TAG_COLUMNS;
      target.writeUInt32LE(n, offset + 4);
      target.writeUInt32LE(width, offset + 8);
      for (let k = 0; k < PART_COUNT; k++) target.writeUInt32LE(lengths[k]!, offset + 16 + 4 * k);
      writeScores(target, offset + FIXED_BYTES, scores as number[]);
      let at = offset + FIXED_BYTES + 8 * n;
      for (let k = 0; k < PART_COUNT; k++) at += target.write(parts[k] as string, at, lengths[k]!, 'utf8');
    },
  };
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

/** Writes `scores` as float64 (platform byte order) at `buf[at]`: through one Float64Array view when aligned (the ring's case), else value by value. */
function writeScores(buf: Buffer, at: number, scores: readonly number[]): void {
  const start = buf.byteOffset + at;
  if (start % 8 === 0) {
    new Float64Array(buf.buffer, start, scores.length).set(scores);
    return;
  }
  const one = new Float64Array(1);
  const oneBytes = new Uint8Array(one.buffer);
  for (let p = 0; p < scores.length; p++) {
    one[0] = scores[p]!;
    buf.set(oneBytes, at + 8 * p);
  }
}

/** A list back from its column form. */
function decodeColumns(bytes: Buffer): StoredRankedList {
  const n = bytes.readUInt32LE(4);
  const width = bytes.readUInt32LE(8);
  const text: string[] = [];
  let at = FIXED_BYTES + 8 * n;
  for (let k = 0; k < PART_COUNT; k++) {
    const length = bytes.readUInt32LE(16 + 4 * k);
    text.push(bytes.toString('utf8', at, at + length));
    at += length;
  }
  const [requestId, header, ids, sources, via, promotionIds, isNew, features] = text as [
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
  const columns: StoredListColumns = {
    kind: 'columns',
    ids: split(ids),
    scores: Array.from(copyOfScores(bytes, n)),
    sources: split(sources),
    via: split(via),
    isNew,
    promotionIds: JSON.parse(promotionIds) as Record<number, string>,
    width,
    features,
  };
  return { requestId, entries: [JSON.parse(header) as StoredListHeader, columns] };
}

/** The scores of an entry, copied out of its bytes (which need not be aligned when decoding). */
function copyOfScores(bytes: Buffer, n: number): Float64Array {
  const out = new Float64Array(n);
  new Uint8Array(out.buffer).set(bytes.subarray(FIXED_BYTES, FIXED_BYTES + 8 * n));
  return out;
}
