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
    const builder = new PackedStringsBuilder(pack ? 0 : Infinity);
    for (let k = 0; k < values.length; k++) builder.set(k, values[k]!);
    return builder.finish();
  }

  /** @internal The list {@link PackedStringsBuilder.finish} made: packed when `chars` is not null, else `kept`. */
  static of(
    length: number,
    chars: Buffer | null,
    twoByte: boolean,
    starts: Int32Array | null,
    nulls: Uint8Array | null,
    kept: readonly (string | null)[] | null,
  ): PackedStrings {
    return new PackedStrings(length, chars, twoByte, starts, nulls, kept);
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

/**
 * Builds a {@link PackedStrings} one entry at a time, so a caller reading
 * entries from a file never holds them all as strings (issue #6: at 1M
 * catalog items the titles were ~48 MB of live heap strings until the end of
 * the catalog's parse, which set V8's heap limit, and the start-up peak, that
 * much higher). Entries are kept as strings in an array until there are
 * `packFrom` of them, then packed into a block that grows by doubling (one
 * byte per character while every entry is Latin-1, re-encoded to two bytes
 * when one is not), so {@link finish} packs exactly when
 * `PackedStrings.from(values, values.length >= packFrom)` would, and the
 * list it returns reads the same.
 */
export class PackedStringsBuilder {
  /** Entries as strings while unpacked (and the fallback: big-endian, or past {@link MAX_UNITS}). */
  private values: (string | null)[] | null = [];
  private count = 0;
  private chars: Buffer | null = null;
  private twoByte = false;
  /** Code units written to {@link chars}. */
  private units = 0;
  private starts: Int32Array | null = null;
  private nulls: Uint8Array | null = null;
  /** Entries set again after they were packed (a repeated catalog id), applied by {@link finish}. */
  private readonly rewrites = new Map<number, string | null>();
  /** False on a big-endian platform (the two-byte form is read as UTF-16LE) and once past {@link MAX_UNITS}. */
  private canPack = endianness() === 'LE';

  /**
   * @param packFrom pack once this many entries are set (an integer ≥ 0, or
   *   Infinity for never: the list is then kept as an array).
   * @param maxUnits code units packed at most before falling back to an
   *   array (tests lower it to reach the fallback). @default 2³¹ − 1
   */
  constructor(
    private readonly packFrom: number,
    private readonly maxUnits = MAX_UNITS,
  ) {}

  /** Entries set so far (the largest k set, plus one). */
  get length(): number {
    return this.count;
  }

  /**
   * Sets entry k to `value`: k = {@link length} appends, k < length replaces.
   * @throws RangeError when k is not an integer in 0..length.
   */
  set(k: number, value: string | null): void {
    if (!(Number.isInteger(k) && k >= 0 && k <= this.count)) {
      throw new RangeError(
        `PackedStringsBuilder.set: expected an integer in 0..${this.count}, received ${k}`,
      );
    }
    if (this.values !== null) {
      this.values[k] = value;
      if (k === this.count) this.count++;
      if (this.count >= this.packFrom && this.canPack) this.packKept();
      return;
    }
    if (k < this.count) {
      this.rewrites.set(k, value);
      return;
    }
    this.append(value);
  }

  /** The list of every entry set; the builder must not be used afterwards. */
  finish(): PackedStrings {
    if (this.values !== null) {
      const kept = this.values;
      this.values = null;
      if (this.count >= this.packFrom && this.count === 0 && this.canPack) {
        return PackedStrings.of(0, Buffer.allocUnsafeSlow(0), false, new Int32Array(1), null, null);
      }
      return PackedStrings.of(this.count, null, false, null, null, kept);
    }
    if (this.rewrites.size > 0) {
      // Rare (a repeated id): read every entry back, apply the rewrites and pack them again.
      const all = this.unpack();
      for (const [k, value] of this.rewrites) all[k] = value;
      const again = new PackedStringsBuilder(0, this.maxUnits);
      for (let k = 0; k < all.length; k++) again.set(k, all[k]!);
      return again.finish();
    }
    const n = this.count;
    const bytes = this.twoByte ? 2 * this.units : this.units;
    // Exact-size copies: the growing block is up to twice the size it holds.
    const chars = Buffer.allocUnsafeSlow(bytes);
    this.chars!.copy(chars, 0, 0, bytes);
    const starts = this.starts!.slice(0, n + 1);
    starts[n] = this.units;
    let nulls: Uint8Array | null = null;
    if (this.nulls !== null) {
      nulls = new Uint8Array(n);
      nulls.set(this.nulls.subarray(0, n));
    }
    return PackedStrings.of(n, chars, this.twoByte, starts, nulls, null);
  }

  /** Packs the entries kept as strings so far, and packs from then on. */
  private packKept(): void {
    const kept = this.values!;
    this.values = null;
    this.count = 0;
    this.chars = Buffer.allocUnsafeSlow(1024);
    this.starts = new Int32Array(1024);
    for (const value of kept) {
      this.append(value);
      if (!this.canPack) {
        // Fell back to an array (past MAX_UNITS): keep the rest as strings too.
        for (let k = this.count; k < kept.length; k++) this.values!.push(kept[k]!);
        this.count = kept.length;
        return;
      }
    }
  }

  /** Packs `value` as entry {@link count}. */
  private append(value: string | null): void {
    const k = this.count;
    if (k + 1 >= this.starts!.length)
      this.starts = grown(this.starts!, new Int32Array(2 * this.starts!.length));
    this.starts![k] = this.units;
    if (value === null) {
      if (this.nulls === null) this.nulls = new Uint8Array(this.starts!.length);
      else if (this.nulls.length <= k) this.nulls = grown(this.nulls, new Uint8Array(this.starts!.length));
      this.nulls[k] = 1;
      this.count++;
      return;
    }
    if (this.units + value.length > this.maxUnits) {
      // Past what the offsets address: keep every entry as a string from here on,
      // the rewrites of packed entries applied (finish reads only the array then).
      this.values = this.unpack();
      for (const [j, rewritten] of this.rewrites) this.values[j] = rewritten;
      this.rewrites.clear();
      this.values.push(value);
      this.count++;
      this.chars = this.starts = this.nulls = null;
      this.canPack = false;
      return;
    }
    if (!this.twoByte && NOT_LATIN1.test(value)) this.widen();
    const width = this.twoByte ? 2 : 1;
    const need = width * (this.units + value.length);
    if (need > this.chars!.length) {
      const chars = Buffer.allocUnsafeSlow(Math.max(need, 2 * this.chars!.length));
      this.chars!.copy(chars, 0, 0, width * this.units);
      this.chars = chars;
    }
    this.units += this.twoByte
      ? this.chars!.write(value, 2 * this.units, 'utf16le') / 2
      : this.chars!.write(value, this.units, 'latin1');
    this.count++;
  }

  /** Re-encodes the Latin-1 characters packed so far as UTF-16 code units. */
  private widen(): void {
    const wide = Buffer.allocUnsafeSlow(Math.max(1024, 2 * this.chars!.length));
    for (let i = 0; i < this.units; i++) {
      wide[2 * i] = this.chars![i]!;
      wide[2 * i + 1] = 0;
    }
    this.chars = wide;
    this.twoByte = true;
  }

  /** Every packed entry read back as a string (or null). */
  private unpack(): (string | null)[] {
    const out: (string | null)[] = new Array(this.count);
    for (let k = 0; k < this.count; k++) {
      if (this.nulls !== null && this.nulls[k] === 1) {
        out[k] = null;
        continue;
      }
      const a = this.starts![k]!;
      const b = k + 1 < this.count ? this.starts![k + 1]! : this.units;
      out[k] = this.twoByte
        ? this.chars!.toString('utf16le', 2 * a, 2 * b)
        : this.chars!.toString('latin1', a, b);
    }
    return out;
  }
}

/** `from` copied into the start of `into` (zeros after it). */
function grown<T extends Int32Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}
