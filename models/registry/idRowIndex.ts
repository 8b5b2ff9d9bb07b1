import { PackedIdList } from '../../src/domain/itemIdList.js';
import type { ItemIdList } from '../../src/domain/itemIdList.js';
import { PACKED_TITLES_MIN_ITEMS } from './catalogTable.js';

/**
 * A read-only id → row map over an array of ids: `get(ids[i])` is i (the
 * last i for an id listed twice, as `Map.set` in order gives). It holds one
 * Int32Array of ≥ 2n slots (row + 1, 0 for empty) and the `ids` array itself,
 * instead of a `Map` entry per id: 8 MB at 1M items against 29 MB for a
 * `Map<string, number>` (issue #6, memory at 1M items; BENCHMARKS.md).
 *
 * Open addressing with linear probing (Knuth, TAOCP vol. 3, §6.4, Algorithm
 * L) at a load factor ≤ 0.5, hashed with 32-bit FNV-1a over the UTF-16 code
 * units (Fowler, Noll and Vo; draft-eastlake-fnv, IETF; five lines, inline:
 * the project's `murmurhash` package encodes each string with a TextEncoder
 * first, too slow for the ~2,000 lookups of a request). A lookup computes
 * the hash and compares the candidate rows' ids with `===`; on this machine
 * that costs about what `Map.get` does at 1M keys (~150–250 ns, mostly cache
 * misses; scratch measurement, not a repository command).
 *
 * Iteration follows `Map`'s: each distinct id once, in order of its first
 * position, with its (last) row.
 */
export class IdRowIndex implements ReadonlyMap<string, number> {
  private readonly ids: ItemIdList;
  /** `ids` when packed: rows are compared without making their strings. */
  private readonly packed: PackedIdList | null;
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly distinct: number;

  /**
   * Indexes `ids` (read for the index's life: do not change the array
   * afterwards).
   * @throws RangeError past 2³⁰ ids (the slot table's size).
   */
  constructor(ids: ItemIdList) {
    const n = ids.length;
    if (n > 1 << 30) throw new RangeError(`IdRowIndex: ${n} ids, more than 2^30`);
    let size = 2;
    while (size < 2 * n) size *= 2;
    this.ids = ids;
    this.packed = ids instanceof PackedIdList ? ids : null;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    let distinct = 0;
    for (let row = 0; row < n; row++) {
      const id = ids.at(row)!;
      let h = fnv1a(id) & this.mask;
      for (;;) {
        const r = this.slots[h]!;
        if (r === 0) {
          this.slots[h] = row + 1;
          distinct++;
          break;
        }
        if (this.holds(r - 1, id)) {
          this.slots[h] = row + 1; // a repeated id: the last row wins, as Map.set
          break;
        }
        h = (h + 1) & this.mask;
      }
    }
    this.distinct = distinct;
  }

  get size(): number {
    return this.distinct;
  }

  get [Symbol.toStringTag](): string {
    return 'IdRowIndex';
  }

  /** The row of `id`, or undefined when it is not in the ids. */
  get(id: string): number | undefined {
    if (typeof id !== 'string') return undefined;
    let h = fnv1a(id) & this.mask;
    for (;;) {
      const r = this.slots[h]!;
      if (r === 0) return undefined;
      if (this.holds(r - 1, id)) return r - 1;
      h = (h + 1) & this.mask;
    }
  }

  /**
   * Whether row `row` (a slot's, always in range) of the ids is `id`. Not
   * `idAtRowIs`: its range check and type test per probe made a lookup at 1M
   * ids ~1.3× slower in a scratch measurement (2,000 known ids, repeated).
   */
  private holds(row: number, id: string): boolean {
    return this.packed === null ? this.ids.at(row) === id : this.packed.equalsAt(row, id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  forEach(
    callback: (row: number, id: string, map: ReadonlyMap<string, number>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, row] of this.entries()) callback.call(thisArg, row, id, this);
  }

  *entries(): MapIterator<[string, number]> {
    const ids = this.ids;
    if (this.distinct === ids.length) {
      for (let i = 0; i < ids.length; i++) yield [ids.at(i)!, i];
      return;
    }
    const listed = new Set<string>();
    for (const id of ids) {
      if (listed.has(id)) continue;
      listed.add(id);
      yield [id, this.get(id)!];
    }
  }

  *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<number> {
    for (const [, row] of this.entries()) yield row;
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
}

/**
 * 32-bit FNV-1a of the string's UTF-16 code units (offset basis 2166136261,
 * prime 16777619; draft-eastlake-fnv). For ASCII strings it equals the
 * published FNV-1a of their bytes. @returns an unsigned 32-bit integer.
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The id → row index of a model's item ids, `get(ids[i])` = i (the last i
 * for a repeated id, as `Map.set` in order gives), iterated as a `Map`:
 * - below `indexFrom` ids, a `Map` (V8 keeps each string's hash in the
 *   string, so a lookup costs ~23 ns against ~60 for {@link IdRowIndex} at
 *   10k ids: ~2,500 lookups per `recommendations` call; 0.3 MB at 10k);
 * - from `indexFrom` ids, an {@link IdRowIndex} (8 MB against 29 for a Map at
 *   1M ids, where both cost ~110–140 ns a lookup, mostly cache misses).
 * Figures: a scratch measurement on the 2-core bench machine, 2,000 lookups
 * of known ids repeated 2,000 times (issue #6).
 * @param indexFrom an integer ≥ 0. @default PACKED_TITLES_MIN_ITEMS (200,000), the catalogs whose titles are packed
 * @throws RangeError past 2³⁰ ids (IdRowIndex's slot table).
 */
export function itemRowIndex(
  ids: ItemIdList,
  indexFrom = PACKED_TITLES_MIN_ITEMS,
): ReadonlyMap<string, number> {
  if (ids.length >= indexFrom) return new IdRowIndex(ids);
  const map = new Map<string, number>();
  for (let row = 0; row < ids.length; row++) map.set(ids.at(row)!, row);
  return map;
}
