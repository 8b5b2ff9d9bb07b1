/**
 * A read-only list of item ids by row: what a served model's `itemIds` is.
 * A `readonly string[]` is one; so is {@link PackedIdList}, which keeps a
 * large catalog's ids as one string instead of a string per id.
 */
export interface ItemIdList {
  /** Rows: 0..length − 1. */
  readonly length: number;
  /** The id of row `row` (an integer in 0..length − 1); undefined outside the list. */
  at(row: number): string | undefined;
  /** Every id in row order. */
  [Symbol.iterator](): Iterator<string>;
}

/**
 * Whether row `row` of `ids` holds exactly `id`, without making a string for
 * the row when `ids` is a {@link PackedIdList}. False when `row` is not an
 * integer in 0..length − 1 (`Array.prototype.at` would truncate 1.5 to 1 and
 * count −1 from the end: a row hint is checked, never trusted).
 */
export function idAtRowIs(ids: ItemIdList, row: number, id: string): boolean {
  if (!(Number.isInteger(row) && row >= 0 && row < ids.length)) return false;
  return ids instanceof PackedIdList ? ids.equalsAt(row, id) : ids.at(row) === id;
}

/** Longest block a {@link PackedIdList} packs: V8's string length limit on 64-bit (2²⁹ − 24 UTF-16 code units). */
export const MAX_PACKED_ID_UNITS = 2 ** 29 - 24;

/**
 * Item ids kept as one JavaScript string (every id back to back) and an
 * Int32Array of n + 1 start offsets, instead of one V8 string per id.
 *
 * Why (issue #6, memory at 1M items): the million id strings of a 1M-item
 * model were two thirds of the objects a major GC marks (a heap census of the
 * 1M bench server: 1.08M strings in 1.72M objects), which is why V8's heap
 * headroom could not be cut without long major GCs. Here they are two heap
 * objects. `at(row)` returns `String.prototype.slice` of the block: about
 * 12 ns, against ~50 ns for `Buffer.toString` (the earlier `PackedStrings`
 * form) and ~4 ns for an array read (scratch measurement on this machine,
 * 500 random rows of 1M, 12-character ids).
 *
 * A slice of 13 or more characters may be a V8 "sliced string" that points
 * into the block: a caller that keeps such an id for long keeps the block
 * alive (the block of a retired model, after a hot reload). The gateway keeps
 * ids it decodes only for a request; the paging cache stores bytes.
 */
export class PackedIdList implements ItemIdList {
  readonly length: number;
  private readonly block: string;
  private readonly starts: Int32Array;

  private constructor(block: string, starts: Int32Array) {
    this.block = block;
    this.starts = starts;
    this.length = starts.length - 1;
  }

  /**
   * Packs `ids` (read once; the array may be dropped afterwards).
   * @returns the packed list, or null when the ids together exceed
   *   {@link MAX_PACKED_ID_UNITS} code units (keep the array then).
   */
  static from(ids: readonly string[]): PackedIdList | null {
    const n = ids.length;
    const starts = new Int32Array(n + 1);
    let at = 0;
    for (let k = 0; k < n; k++) {
      starts[k] = at;
      at += ids[k]!.length;
      if (at > MAX_PACKED_ID_UNITS) return null;
    }
    starts[n] = at;
    return new PackedIdList(ids.join(''), starts);
  }

  /** The id of row `row`: a new string equal to the packed one; undefined when `row` is not an integer in 0..length − 1. */
  at(row: number): string | undefined {
    if (!(row >= 0 && row < this.length && Number.isInteger(row))) return undefined;
    return this.block.slice(this.starts[row]!, this.starts[row + 1]!);
  }

  /** Whether row `row` holds exactly `id` (no string made); false outside the list. */
  equalsAt(row: number, id: string): boolean {
    if (!(row >= 0 && row < this.length && Number.isInteger(row))) return false;
    const a = this.starts[row]!;
    return this.starts[row + 1]! - a === id.length && this.block.startsWith(id, a);
  }

  /** Every id in row order (a new string each). */
  *[Symbol.iterator](): Iterator<string> {
    for (let row = 0; row < this.length; row++)
      yield this.block.slice(this.starts[row]!, this.starts[row + 1]!);
  }

  /** UTF-16 code units of the block plus the offsets' bytes: the list's size, about (2 or 1) × units + 4 × (n + 1) bytes. */
  get units(): number {
    return this.block.length;
  }
}

/**
 * Rows `start .. start + length − 1` of `list` as a list of their own (no
 * copy, no string made until `at` is called): a chunk of a large catalog's
 * ids that a reader can recognise as part of `list` ({@link sameIdsIn}).
 */
export class ItemIdRange implements ItemIdList {
  /**
   * @param list the whole list (read, never copied).
   * @param start first row of `list`, an integer ≥ 0.
   * @param length rows, an integer with start + length ≤ list.length.
   * @throws RangeError when the range is not inside `list`.
   */
  constructor(
    readonly list: ItemIdList,
    readonly start: number,
    readonly length: number,
  ) {
    if (!(Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length >= 0)) {
      throw new RangeError(`ItemIdRange: start and length must be integers ≥ 0, got ${start} and ${length}`);
    }
    if (start + length > list.length) {
      throw new RangeError(
        `ItemIdRange: rows ${start}..${start + length - 1} are not in a list of ${list.length}`,
      );
    }
  }

  /** The id of row `start + row` of the list; undefined when `row` is not an integer in 0..length − 1. */
  at(row: number): string | undefined {
    if (!(row >= 0 && row < this.length && Number.isInteger(row))) return undefined;
    return this.list.at(this.start + row);
  }

  /** The range's ids in row order. */
  *[Symbol.iterator](): Iterator<string> {
    for (let row = 0; row < this.length; row++) yield this.list.at(this.start + row)!;
  }
}

/**
 * Whether `a[from .. to − 1]` equals `b[from − offset .. to − 1 − offset]`,
 * id by id. Without making strings when `b` is an {@link ItemIdRange} of `a` (or of a {@link JoinedIdList} `a`'s head)
 * starting at `offset`, or `a` itself with offset 0 (then equal by
 * construction); else one comparison per row (`===`: usually the same string
 * objects for arrays). False when either list is too short.
 * @param offset where `b` starts in `a`'s rows. @default 0
 * @param byValue false: only the checks without strings above (a range of
 *   another list answers false, though its ids may be equal). @default true
 */
export function sameIdsIn(
  a: ItemIdList,
  b: ItemIdList,
  from: number,
  to: number,
  offset = 0,
  byValue = true,
): boolean {
  if (a.length < to || b.length < to - offset) return false;
  if (b === a && offset === 0) return true;
  // Rows of one list under another name (no string made): a range of it, or a joined list's head.
  const [headA, headALength] = a instanceof JoinedIdList ? [a.head, a.headLength] : [a, a.length];
  if (b instanceof ItemIdRange && b.list === headA && b.start === offset && to <= headALength) return true;
  if (offset === 0 && to <= headALength) {
    if (b === headA) return true;
    if (b instanceof JoinedIdList && b.head === headA && to <= b.headLength) return true;
  }
  if (!byValue) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = a as readonly string[];
    const y = b as readonly string[];
    for (let i = from; i < to; i++) if (x[i] !== y[i - offset]) return false;
    return true;
  }
  for (let i = from; i < to; i++) if (a.at(i) !== b.at(i - offset)) return false;
  return true;
}

/**
 * The first `headLength` rows of `head` followed by `tail`: a large
 * catalog's ids (a {@link PackedIdList}) with ids added after it, kept
 * without a string per catalog id ({@link sameIdsIn} recognises the head).
 */
export class JoinedIdList implements ItemIdList {
  readonly length: number;

  /**
   * @param head read, never copied.
   * @param headLength rows of `head` taken, an integer in 0..head.length.
   * @param tail read, never copied: do not change it afterwards.
   * @throws RangeError when `headLength` is not an integer in 0..head.length.
   */
  constructor(
    readonly head: ItemIdList,
    readonly headLength: number,
    readonly tail: readonly string[],
  ) {
    if (!(Number.isInteger(headLength) && headLength >= 0 && headLength <= head.length)) {
      throw new RangeError(
        `JoinedIdList: headLength must be an integer in 0..${head.length}, got ${headLength}`,
      );
    }
    this.length = headLength + tail.length;
  }

  /** The id of row `row`; undefined when `row` is not an integer in 0..length − 1. */
  at(row: number): string | undefined {
    if (!(row >= 0 && row < this.length && Number.isInteger(row))) return undefined;
    return row < this.headLength ? this.head.at(row) : this.tail[row - this.headLength];
  }

  /** Every id in row order. */
  *[Symbol.iterator](): Iterator<string> {
    for (let row = 0; row < this.headLength; row++) yield this.head.at(row)!;
    yield* this.tail;
  }
}

/**
 * Ids named by their rows in a list (`list.at(rows[start + k])`): a user's
 * seen items or history kept as 4 bytes each instead of a string each, read
 * back as strings on demand. Several may share one `rows` array (one per
 * seeded chunk of users), each with its own `start` and `length`.
 */
export class ItemIdRows implements ItemIdList {
  /**
   * @param list the ids the rows index (read, never copied).
   * @param rows row numbers of `list`; entries start .. start + length − 1 are this list's.
   * @param start first entry of `rows`, an integer ≥ 0.
   * @param length entries, an integer ≥ 0 with start + length ≤ rows.length.
   */
  constructor(
    readonly list: ItemIdList,
    private readonly rows: Int32Array,
    private readonly start: number,
    readonly length: number,
  ) {}

  /** The id at entry `k` (an integer in 0..length − 1); undefined outside the list. */
  at(k: number): string | undefined {
    if (!(k >= 0 && k < this.length && Number.isInteger(k))) return undefined;
    return this.list.at(this.rows[this.start + k]!);
  }

  /** The ids in entry order (a new string each for a packed list). */
  *[Symbol.iterator](): Iterator<string> {
    for (let k = 0; k < this.length; k++) yield this.list.at(this.rows[this.start + k]!)!;
  }
}
