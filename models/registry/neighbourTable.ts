import type { NeighbourList } from '../retrieval/itemNeighbours.js';
import { lazyArrayView } from './lazyArrayView.js';
import { JsonNumberReader, READ_WINDOW_BYTES, readThroughWindow } from './jsonNumberReader.js';
import type { Rows } from './jsonNumberReader.js';

/**
 * Every item's neighbour list in compressed sparse row (CSR) form: the
 * neighbours of item i are `items[offsets[i] .. offsets[i + 1] − 1]` with
 * `scores` alongside, best first. Three typed arrays instead of one object
 * and two typed arrays per item (issue #6: 2M small typed arrays at 1M items).
 * - `offsets`: Int32Array of nItems + 1, non-decreasing, `offsets[0] = 0`;
 * - `items`: Int32Array, item indices; `scores`: Float32Array, same length.
 */
export interface NeighbourTable {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/**
 * A {@link NeighbourTable} in less memory, read back bit for bit the same
 * ({@link packNeighbourTable}; issue #6: 84 MB → 54 MB at 1M items × 10):
 * - `items`: the Int32Array, or a Uint8Array of 3 bytes per index
 *   (little-endian) when every index is below 2²⁴;
 * - `scores`: the Float32Array, or an Int16Array of k with score =
 *   fl32(k / 10⁴), when every score is such a value: the 4-decimal scores
 *   `publishVersion` writes (in −3.2768..3.2767, so any cosine).
 */
export interface PackedNeighbourTable {
  readonly offsets: Int32Array;
  readonly items: Int32Array | Uint8Array;
  readonly scores: Float32Array | Int16Array;
}

/** Scores packed as k with score = fl32(k / SCORE_SCALE). */
const SCORE_SCALE = 10_000;

/**
 * The table in the smaller columns of {@link PackedNeighbourTable} where
 * they hold every value exactly (checked value by value: an index below 2²⁴,
 * a score equal to fl32(k / 10⁴) for an int16 k), else the columns as they
 * are. O(entries); the result shares `offsets`.
 */
export function packNeighbourTable(table: NeighbourTable): PackedNeighbourTable {
  const { offsets, items, scores } = table;
  let maxItem = -1;
  for (let e = 0; e < items.length; e++) if (items[e]! > maxItem) maxItem = items[e]!;
  let packedItems: Int32Array | Uint8Array = items;
  if (maxItem < 2 ** 24) {
    packedItems = new Uint8Array(items.length * 3);
    for (let e = 0, b = 0; e < items.length; e++, b += 3) {
      const v = items[e]!;
      packedItems[b] = v & 0xff;
      packedItems[b + 1] = (v >>> 8) & 0xff;
      packedItems[b + 2] = v >>> 16;
    }
  }
  let packedScores: Float32Array | Int16Array = new Int16Array(scores.length);
  for (let e = 0; e < scores.length; e++) {
    const f = scores[e]!;
    const k = Math.round(f * SCORE_SCALE);
    // −0 would come back as 0: it keeps the float32 column (publishVersion never writes it).
    if (!(k >= -32768 && k <= 32767 && Math.fround(k / SCORE_SCALE) === f) || Object.is(f, -0)) {
      packedScores = scores;
      break;
    }
    packedScores[e] = k;
  }
  return { offsets, items: packedItems, scores: packedScores };
}

/**
 * Parses a registry's `neighbours.json` (`{"items": number[][], "scores":
 * number[][]}`, docs/registry.md) straight into a {@link NeighbourTable},
 * without building the nested arrays `JSON.parse` would (at 1M items that is
 * 2M arrays and 20M numbers on the heap for a moment). Rows past the file's
 * last row are empty, as `nb.items[i] ?? []` read them before.
 *
 * Numbers: exactly JSON's grammar (`+1`, `.5`, `01`, `1.` and the like are
 * refused), each read as `JSON.parse` reads it ({@link JsonNumberReader}:
 * integers digit by digit, short decimals by Clinger's fast path, any other
 * form through `Number()`).
 * @param nItems rows of the table (the catalog's item count).
 * @param expectedEntries entries to size the columns for at once (see
 *   {@link expectedNeighbourEntries}); 0 = grow from 1,024 by doubling.
 * @throws Error describing the position for anything that is not that shape:
 *   another top-level key, a non-number or a number JSON does not allow, a
 *   non-integer or out-of-range item index, rows of `items` and `scores`
 *   that differ in count or length.
 */
export function parseNeighbourTable(bytes: Uint8Array, nItems: number, expectedEntries = 0): NeighbourTable {
  return parseWith(new JsonNumberReader(bytes, null, 'neighbours.json'), nItems, expectedEntries);
}

/**
 * {@link parseNeighbourTable} over the file at `path`, read through a 1-MiB
 * window instead of whole (issue #6: at 1M items × 10 the file is 141 MB,
 * and holding it while the columns were built put the start-up peak of
 * `bench:probe -- --catalog synthetic-1m` at ~625 MB, +316 MB over the
 * RSS before). `expectedEntries` sizes the columns at once (the manifest's
 * topN × nItems: a file of at most that many entries is read with no
 * doubling and no trimming copy); 0 = grow from 1,024 by doubling.
 * `windowBytes` (default 1 MiB, at least 8 KiB) is the window's size.
 * @throws Error as {@link parseNeighbourTable}, with the byte offset in the
 *   file; a number or key longer than 4 KiB is refused when it crosses the
 *   window's end (one of at most 4 KiB always reads); the fs error when
 *   the file cannot be read.
 * @throws RangeError for a `windowBytes` below 8 KiB or not an integer.
 */
export function readNeighbourTableFile(
  path: string,
  nItems: number,
  expectedEntries = 0,
  windowBytes = READ_WINDOW_BYTES,
): NeighbourTable {
  return readThroughWindow(path, 'neighbours.json', windowBytes, (p) =>
    parseWith(p, nItems, expectedEntries),
  );
}

/** Most entries a column is sized for up front (2²⁷: 512 MiB of virtual memory per column; more grows by doubling). */
const MAX_EXPECTED_ENTRIES = 2 ** 27;

/**
 * The entries to size a table's columns for: `topN` (the manifest's
 * `neighbours.topN`) per item, at most {@link MAX_EXPECTED_ENTRIES}; 0 (grow
 * by doubling) when either is not a positive integer. Columns larger than
 * the file needs cost address space, not RSS: the OS commits a page of a
 * large zeroed allocation when it is first written.
 */
export function expectedNeighbourEntries(nItems: number, topN: unknown): number {
  if (!(Number.isInteger(topN) && (topN as number) > 0 && Number.isInteger(nItems) && nItems > 0)) return 0;
  return Math.min(MAX_EXPECTED_ENTRIES, nItems * (topN as number));
}

/** The table from parser `p` (see {@link parseNeighbourTable}). */
function parseWith(p: JsonNumberReader, nItems: number, expectedEntries: number): NeighbourTable {
  const capacity = Number.isSafeInteger(expectedEntries) && expectedEntries > 1024 ? expectedEntries : 1024;
  let items: Rows<Int32Array> | null = null;
  let scores: Rows<Float32Array> | null = null;
  p.expect(0x7b); // {
  if (!p.tryConsume(0x7d)) {
    do {
      const key = p.string();
      p.expect(0x3a); // :
      if (key === 'items') {
        items = p.rows(new Int32Array(capacity), (v) => {
          if (!Number.isInteger(v) || v < 0 || v >= nItems) {
            throw p.error(`neighbour ${v}: expected an item index in [0, ${nItems})`);
          }
        });
      } else if (key === 'scores') scores = p.rows(new Float32Array(capacity), () => undefined);
      else throw p.error(`unexpected key "${key}" (expected "items" and "scores")`);
    } while (p.tryConsume(0x2c));
    p.expect(0x7d);
  }
  p.end();
  if (items === null || scores === null) throw p.error('both "items" and "scores" are required');
  if (items.offsets.length !== scores.offsets.length) {
    throw p.error(`"items" has ${items.offsets.length - 1} rows, "scores" ${scores.offsets.length - 1}`);
  }
  const rows = Math.min(nItems, items.offsets.length - 1);
  const offsets = new Int32Array(nItems + 1);
  for (let r = 0; r <= rows; r++) {
    if (items.offsets[r] !== scores.offsets[r]) {
      throw p.error(`row ${r - 1}: "items" and "scores" differ in length`);
    }
    offsets[r] = items.offsets[r]!;
  }
  offsets.fill(offsets[rows]!, rows + 1);
  const total = offsets[nItems]!;
  return { offsets, items: trimmed(items.values, total), scores: trimmed(scores.values, total) };
}

/**
 * The first `count` values of a column: a view when at most an eighth of it
 * would be left unused (no copy while the file's columns are still held), a
 * copy otherwise.
 */
function trimmed<A extends Int32Array | Float32Array>(values: A, count: number): A {
  return (
    values.length - count <= values.length / 8 ? values.subarray(0, count) : values.slice(0, count)
  ) as A;
}

/**
 * The table as the `readonly NeighbourList[]` a {@link ModelBundle} holds:
 * element i is built on read as two subarray views of the shared columns
 * (no copy; see {@link lazyArrayView} for the read-only array semantics),
 * or, for packed columns, two small arrays decoded from them (the same
 * values: {@link PackedNeighbourTable}).
 */
export function neighbourListView(table: NeighbourTable | PackedNeighbourTable): readonly NeighbourList[] {
  const { offsets, items, scores } = table;
  return lazyArrayView(offsets.length - 1, (i) => {
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    const rowItems =
      items instanceof Int32Array ? items.subarray(from, to) : unpackIndices(items, 3 * from, to - from);
    const rowScores =
      scores instanceof Float32Array ? scores.subarray(from, to) : unpackScores(scores, from, to - from);
    return { items: rowItems, scores: rowScores };
  });
}

/**
 * The `n` item indices packed 3 bytes each, little-endian, from `bytes[at]`
 * on (the packed `items` column of {@link PackedNeighbourTable}), as a new
 * Int32Array of n.
 */
export function unpackIndices(bytes: Uint8Array, at: number, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let e = 0, b = at; e < n; e++, b += 3)
    out[e] = bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16);
  return out;
}

/**
 * The `n` scores packed as int16 codes k from `codes[at]` on (the packed
 * `scores` column of {@link PackedNeighbourTable}), as a new Float32Array of
 * n holding fl32(k / {@link SCORE_SCALE}).
 */
export function unpackScores(codes: Int16Array, at: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let e = 0; e < n; e++) out[e] = codes[at + e]! / SCORE_SCALE;
  return out;
}
