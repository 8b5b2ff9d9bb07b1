import { closeSync, openSync, readSync } from 'node:fs';

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Reads up to `length` more bytes into `into[offset ..]`; 0 at the end of the input. */
export type ByteSource = (into: Uint8Array, offset: number, length: number) => number;

/** Longest token (number or key) a windowed {@link JsonNumberReader} reads, in bytes. */
export const MAX_TOKEN_BYTES = 4096;

/** The window {@link readThroughWindow} reads a file through by default: 1 MiB. */
export const READ_WINDOW_BYTES = 1 << 20;

/**
 * Runs `parse` over a {@link JsonNumberReader} of the file at `path`, read
 * through a window of `windowBytes` (the file is never held whole), errors
 * naming `label`; the file is closed whatever `parse` does.
 * @throws RangeError for a `windowBytes` below 8 KiB (twice {@link MAX_TOKEN_BYTES}) or not an integer.
 * @throws the fs error when the file cannot be opened or read, and whatever `parse` throws.
 */
export function readThroughWindow<T>(
  path: string,
  label: string,
  windowBytes: number,
  parse: (reader: JsonNumberReader) => T,
): T {
  if (!(Number.isInteger(windowBytes) && windowBytes >= 2 * MAX_TOKEN_BYTES)) {
    throw new RangeError(`windowBytes: expected an integer ≥ ${2 * MAX_TOKEN_BYTES}, got ${windowBytes}`);
  }
  const fd = openSync(path, 'r');
  try {
    const source = (into: Uint8Array, offset: number, length: number): number =>
      readSync(fd, into, offset, length, null);
    return parse(new JsonNumberReader(new Uint8Array(windowBytes), source, label));
  } finally {
    closeSync(fd);
  }
}

/**
 * A minimal JSON reader for the registry's large number files (issue #6:
 * read into typed arrays without the whole file as a string and without
 * `JSON.parse`'s arrays, a million numbers each at 1M items):
 * `neighbours.json` (an object of arrays of number arrays, {@link rows}) and
 * `popularity.json` (an object of number arrays, {@link numbers}). It reads
 * `b` whole, or, with a `source`, through `b` as a window refilled from the
 * source (tokens of at most {@link MAX_TOKEN_BYTES}). Errors name `label`
 * (the file) and the byte offset.
 *
 * Numbers: exactly JSON's (RFC 8259 §6; {@link number}): `+1`, `.5`, `01`,
 * `1.`, `1.e5`, `1e`, `0x10` and the like are refused, naming the byte (until
 * 12-04 the reader took the first four as 1, 0.5, 1 and 1). Integers are
 * read digit by digit; a decimal with at most 15 significant digits and no
 * exponent is `mantissa / 10^fraction digits` (one correctly rounded
 * division of two exact doubles, Clinger's fast path: W. D. Clinger, "How to
 * read floating point numbers accurately", PLDI 1990), so the value equals
 * `JSON.parse`'s; any other form goes through `Number()`, which reads every
 * JSON number as `JSON.parse` does.
 *
 * A value skipped with {@link skipValue} (a key the caller does not know) is
 * not checked: a bad number there is passed over, not refused.
 */
export class JsonNumberReader {
  private pos = 0;
  /** Valid bytes in `b`. */
  private len: number;
  /** Offset in the input of `b[0]`. */
  private base = 0;
  private eof: boolean;
  constructor(
    private readonly b: Uint8Array,
    private readonly source: ByteSource | null,
    private readonly label: string,
  ) {
    this.len = source === null ? b.length : 0;
    this.eof = source === null;
  }

  /** An Error `<label> at byte <offset in the input>: <message>`, at the reader's position. */
  error(message: string): Error {
    return new Error(`${this.label} at byte ${this.base + this.pos}: ${message}`);
  }

  /** Moves the unread bytes to the start of the window and reads more after them; false at the end of the input. */
  private refill(): boolean {
    if (this.eof) return false;
    const b = this.b;
    b.copyWithin(0, this.pos, this.len);
    this.base += this.pos;
    this.len -= this.pos;
    this.pos = 0;
    const before = this.len;
    while (this.len < b.length) {
      const got = this.source!(b, this.len, b.length - this.len);
      if (got === 0) {
        this.eof = true;
        break;
      }
      this.len += got;
    }
    return this.len > before;
  }

  /** At least `n` unread bytes in the window, or all that is left of the input. */
  private ensure(n: number): void {
    if (this.len - this.pos < n && !this.eof) this.refill();
  }

  private ws(): void {
    for (;;) {
      if (this.pos >= this.len && !this.refill()) return;
      const c = this.b[this.pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  /** Skips whitespace, then consumes the byte `c` when it comes next; false (nothing consumed but the whitespace) otherwise. */
  tryConsume(c: number): boolean {
    this.ws();
    if (this.pos >= this.len || this.b[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  /**
   * Skips whitespace, then consumes the byte `c`.
   * @throws Error `expected "<c>"` at the byte found instead.
   */
  expect(c: number): void {
    if (!this.tryConsume(c)) throw this.error(`expected "${String.fromCharCode(c)}"`);
  }

  /**
   * Checks that only whitespace is left in the input.
   * @throws Error `unexpected content after the object` at the first other byte.
   */
  end(): void {
    this.ws();
    if (this.pos !== this.len) throw this.error('unexpected content after the object');
  }

  /** A key: a JSON string without escapes. */
  string(): string {
    this.expect(0x22);
    // The key and its closing quote.
    this.ensure(MAX_TOKEN_BYTES + 1);
    const start = this.pos;
    while (this.pos < this.len && this.b[this.pos] !== 0x22) {
      if (this.b[this.pos] === 0x5c) throw this.error('escapes are not expected in keys');
      this.pos++;
    }
    if (this.pos >= this.len) throw this.error(this.eof ? 'unterminated string' : 'key too long');
    return Buffer.from(this.b.buffer, this.b.byteOffset + start, this.pos++ - start).toString('utf8');
  }

  /**
   * `[[n, …], …]` as row offsets and one column of `initial`'s type (grown by
   * doubling); `check` sees each number before it is stored (and may throw).
   */
  rows<A extends Int32Array | Float32Array>(initial: A, check: (v: number) => void): Rows<A> {
    const offsets = [0];
    let values = initial;
    let count = 0;
    this.expect(0x5b);
    if (this.tryConsume(0x5d)) return { offsets, values };
    do {
      this.expect(0x5b);
      if (!this.tryConsume(0x5d)) {
        do {
          if (count === values.length) {
            const grown = new (values.constructor as new (n: number) => A)(values.length * 2);
            grown.set(values);
            values = grown;
          }
          const v = this.number();
          check(v);
          values[count++] = v;
        } while (this.tryConsume(0x2c));
        this.expect(0x5d);
      }
      offsets.push(count);
    } while (this.tryConsume(0x2c));
    this.expect(0x5d);
    return { offsets, values };
  }

  /**
   * `[n, …]` (with `allowNull`, also `null`, stored as NaN) into one column
   * of `initial`'s type, grown by doubling; returns the column and how many
   * values it holds (the first `count`).
   */
  numbers<A extends Float32Array | Float64Array>(
    initial: A,
    allowNull: boolean,
  ): { values: A; count: number } {
    let values = initial;
    let count = 0;
    this.expect(0x5b);
    if (this.tryConsume(0x5d)) return { values, count };
    do {
      if (count === values.length) {
        const grown = new (values.constructor as new (n: number) => A)(Math.max(1024, values.length * 2));
        grown.set(values);
        values = grown;
      }
      values[count++] = allowNull && this.tryLiteral('null') ? Number.NaN : this.number();
    } while (this.tryConsume(0x2c));
    this.expect(0x5d);
    return { values, count };
  }

  /** Reads `[n, …]`, checking each number, and returns how many it held (nothing is kept). */
  countNumbers(): number {
    let count = 0;
    this.expect(0x5b);
    if (this.tryConsume(0x5d)) return 0;
    do {
      this.number();
      count++;
    } while (this.tryConsume(0x2c));
    this.expect(0x5d);
    return count;
  }

  /** Consumes `word` (a JSON literal such as `null`) when it comes next. */
  private tryLiteral(word: string): boolean {
    this.ws();
    this.ensure(word.length);
    // Bytes past `len` are a previous window's: a truncated file must not match them.
    if (this.pos + word.length > this.len) return false;
    for (let k = 0; k < word.length; k++) if (this.b[this.pos + k] !== word.charCodeAt(k)) return false;
    this.pos += word.length;
    return true;
  }

  /**
   * Skips one JSON value of any kind (a key this reader does not know):
   * strings with their escapes, nested arrays and objects, numbers and
   * literals. It tracks the nesting depth and string ends only: it does not
   * check that brackets match or that a scalar is valid JSON.
   * @throws Error at the end of the input inside the value.
   */
  skipValue(): void {
    this.ws();
    let depth = 0;
    for (;;) {
      if (this.pos >= this.len && !this.refill()) throw this.error('unexpected end inside a value');
      const c = this.b[this.pos]!;
      if (c === 0x22) {
        this.pos++;
        for (;;) {
          if (this.pos >= this.len && !this.refill()) throw this.error('unterminated string');
          const s = this.b[this.pos++]!;
          if (s === 0x5c) {
            if (this.pos >= this.len && !this.refill()) throw this.error('unterminated string');
            this.pos++;
          } else if (s === 0x22) break;
        }
      } else if (c === 0x5b || c === 0x7b) {
        depth++;
        this.pos++;
      } else if (c === 0x5d || c === 0x7d) {
        if (depth === 0) return; // the end of the enclosing value: not part of this one
        depth--;
        this.pos++;
      } else if (c === 0x2c && depth === 0) {
        return;
      } else {
        this.pos++;
      }
      if (depth === 0 && (c === 0x22 || c === 0x5d || c === 0x7d)) return;
    }
  }

  /**
   * Reads one number (after any whitespace): exactly the JSON grammar
   * (RFC 8259 §6), `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`,
   * which must then end (whitespace, `,`, `]`, `}` or the input's end come
   * next). The value equals `JSON.parse`'s: see the class's "Numbers".
   * @throws Error at the byte where the number goes wrong, saying what was
   *   expected there: `expected a number` (no `-` or digit: `+1`, `.5`,
   *   `"1"`, `null`), `expected a digit after "-"` (`-`, `--1`, `-.5`),
   *   `expected a digit after "."` (`1.`, `1.e5`), `expected a digit after
   *   "e"` (or "E", "e+", …: `1e`, `1e+`), `expected the number to end after
   *   "…"` (`01`, `0x10`, `1.5.5`, `1e5e5`, `1x`; the number's first 32
   *   bytes, then `…`); `number too long` for one that runs past the
   *   window's end (longer than {@link MAX_TOKEN_BYTES}); `"…" is not a
   *   finite number` beyond the double range (`1e400`).
   */
  number(): number {
    this.ws();
    // The number and the byte after it, which says where it ends (a number of MAX_TOKEN_BYTES that ended
    // at the window's end was refused as too long).
    this.ensure(MAX_TOKEN_BYTES + 1);
    const b = this.b;
    const len = this.len;
    const start = this.pos;
    let p = start;
    // Bytes past `len` are a previous window's (or none): every read below checks `p < len` first.
    const negative = p < len && b[p] === 0x2d;
    if (negative) p++;
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = 0;
    let c = p < len ? b[p]! : -1;
    if (c === 0x30) {
      c = ++p < len ? b[p]! : -1;
    } else if (c >= 0x31 && c <= 0x39) {
      do {
        mantissa = mantissa * 10 + (c - 0x30);
        c = ++p < len ? b[p]! : -1;
      } while (c >= 0x30 && c <= 0x39);
      digits = p - start - (negative ? 1 : 0);
    } else if (negative) throw this.numberError(p, 'expected a digit after "-"');
    else throw this.numberError(p, 'expected a number');
    if (c === 0x2e) {
      c = ++p < len ? b[p]! : -1;
      if (!(c >= 0x30 && c <= 0x39)) throw this.numberError(p, 'expected a digit after "."');
      const from = p;
      do {
        mantissa = mantissa * 10 + (c - 0x30);
        if (mantissa !== 0) digits++;
        c = ++p < len ? b[p]! : -1;
      } while (c >= 0x30 && c <= 0x39);
      fractionDigits = p - from;
    }
    let exponent = false;
    if (c === 0x65 || c === 0x45) {
      exponent = true;
      const marker = p;
      c = ++p < len ? b[p]! : -1;
      if (c === 0x2b || c === 0x2d) c = ++p < len ? b[p]! : -1;
      if (!(c >= 0x30 && c <= 0x39)) {
        throw this.numberError(p, `expected a digit after "${this.latin1(marker, p)}"`);
      }
      do c = ++p < len ? b[p]! : -1;
      while (c >= 0x30 && c <= 0x39);
    }
    // What may follow a number in JSON: whitespace, `,`, `]`, `}`, or the input's end.
    if (c !== 0x2c && c !== 0x5d && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x7d) {
      if (c !== -1) {
        const read = this.latin1(start, Math.min(p, start + 32)) + (p - start > 32 ? '…' : '');
        const leadingZero = (read === '0' || read === '-0') && c >= 0x30 && c <= 0x39;
        throw this.numberError(
          p,
          `expected the number to end after "${read}"${leadingZero ? ' (JSON allows no leading zeros)' : ''}`,
        );
      }
      if (!this.eof) throw this.numberError(p, 'number too long');
    }
    this.pos = p;
    if (!exponent && digits <= 15 && fractionDigits <= 22) {
      const v = mantissa / POW10[fractionDigits]!;
      return negative ? -v : v;
    }
    const text = this.latin1(start, p);
    const v = Number(text);
    if (!Number.isFinite(v)) throw this.error(`"${text}" is not a finite number`);
    return v;
  }

  /** The window's bytes `from .. to − 1` as text (one char per byte). */
  private latin1(from: number, to: number): string {
    return Buffer.from(this.b.buffer, this.b.byteOffset + from, to - from).toString('latin1');
  }

  /**
   * The error for a number that goes wrong at window offset `at` (where it
   * then points): `message`, or `number too long` when `at` is the window's
   * end with more input after it (the number did not fit in the window).
   */
  private numberError(at: number, message: string): Error {
    this.pos = at;
    return this.error(at >= this.len && !this.eof ? 'number too long' : message);
  }
}

/** Rows read by {@link JsonNumberReader.rows}: row r is `values[offsets[r] .. offsets[r + 1] − 1]`. */
export interface Rows<A extends Int32Array | Float32Array> {
  readonly offsets: number[];
  readonly values: A;
}
