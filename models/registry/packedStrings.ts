import { endianness } from 'node:os';

/**
 * A read-only list of strings (or nulls) kept as one block of characters and
 * an offset per entry, instead of one V8 string per entry (issue #6: a
 * million titles were a million heap objects that every major GC marks; a
 * full collection of the loaded 1M bench version took 82–96 ms with string
 * titles and 64–85 ms with packed ones, and its heap went 90 → 42 MB;
 * BENCHMARKS.md).
 *
 * Storage: the characters of every entry back to back, one byte each
 * (Latin-1) when every entry is Latin-1, else two (UTF-16 code units, so any
 * JavaScript string, lone surrogates included, comes back unchanged); an
 * Int32Array of n + 1 start offsets; a Uint8Array null flag per entry only
 * when some entry is null. `at(k)` decodes a new, flat string on each read
 * (`Buffer.toString`, about 0.1 µs for 30 characters): it never holds a
 * reference into the block, so a kept string does not keep the block alive.
 *
 * Fallback: on a big-endian platform (the two-byte form is read as UTF-16LE),
 * past 2³¹ − 1 code units, or when asked (`from(values, false)`), the strings
 * are kept as an array.
 */
export class PackedStrings {
  private constructor(
    readonly length: number,
    private readonly chars: Buffer | null,
    private readonly twoByte: boolean,
    private readonly starts: Int32Array | null,
    private readonly nulls: Uint8Array | null,
    private readonly kept: readonly (string | null)[] | null,
  ) {}

  /**
   * Packs `values` (read once; the array may be dropped afterwards); with
   * `pack` false, keeps a copy of the array instead (the same interface, for
   * lists too small for packing to pay: every read then costs nothing).
   * @returns a list whose `at(k)` equals `values[k]` for every k.
   */
  static from(values: readonly (string | null)[], pack = true): PackedStrings {
    const n = values.length;
    if (!pack) return new PackedStrings(n, null, false, null, null, values.slice());
    let units = 0;
    let twoByte = false;
    let hasNull = false;
    for (let k = 0; k < n; k++) {
      const s = values[k]!;
      if (s === null) {
        hasNull = true;
        continue;
      }
      units += s.length;
      if (!twoByte && NOT_LATIN1.test(s)) twoByte = true;
    }
    if (endianness() !== 'LE' || units > MAX_UNITS) {
      return new PackedStrings(n, null, false, null, null, values.slice());
    }
    const chars = Buffer.allocUnsafeSlow(twoByte ? 2 * units : units);
    const starts = new Int32Array(n + 1);
    const nulls = hasNull ? new Uint8Array(n) : null;
    let at = 0;
    for (let k = 0; k < n; k++) {
      starts[k] = at;
      const s = values[k]!;
      if (s === null) {
        nulls![k] = 1;
        continue;
      }
      at += twoByte ? chars.write(s, 2 * at, 'utf16le') / 2 : chars.write(s, at, 'latin1');
    }
    starts[n] = at;
    return new PackedStrings(n, chars, twoByte, starts, nulls, null);
  }

  /**
   * Entry k: a new string equal to the packed one, or null.
   * @throws RangeError when k is not an integer in 0..length − 1 (packed,
   *   such an index would read the wrong span of the block).
   */
  at(k: number): string | null {
    if (!(Number.isInteger(k) && k >= 0 && k < this.length)) {
      throw new RangeError(`PackedStrings.at: expected an integer in 0..${this.length - 1}, received ${k}`);
    }
    if (this.kept !== null) return this.kept[k] ?? null;
    if (this.nulls !== null && this.nulls[k] === 1) return null;
    const a = this.starts![k]!;
    const b = this.starts![k + 1]!;
    return this.twoByte
      ? this.chars!.toString('utf16le', 2 * a, 2 * b)
      : this.chars!.toString('latin1', a, b);
  }

  /** Bytes held outside the V8 heap (the character block, offsets and null flags); 0 in the array fallback. */
  get byteLength(): number {
    return (this.chars?.byteLength ?? 0) + (this.starts?.byteLength ?? 0) + (this.nulls?.byteLength ?? 0);
  }
}

/** A character outside U+0000..U+00FF (so not the one-byte form). */
const NOT_LATIN1 = /[\u0100-\uffff]/;

/** Code units the Int32Array offsets can address. */
const MAX_UNITS = 0x7fffffff;
