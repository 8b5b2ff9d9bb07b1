import { describe, expect, it } from 'vitest';
import { PackedStrings, PackedStringsBuilder } from '../../../models/registry/packedStrings.js';
import { createRandom } from '../../../src/domain/random.js';

describe('PackedStrings', () => {
  it('gives back every Latin-1 string and null, one byte per character', () => {
    const values = ['Heat (1995)', null, '', 'Amélie', 'ÿ\u0000\u0080end', null, 'x'];
    const packed = PackedStrings.from(values);
    expect(packed.length).toBe(values.length);
    for (let k = 0; k < values.length; k++) expect(packed.at(k)).toBe(values[k]);
    const chars = values.reduce((sum, s) => sum + (s?.length ?? 0), 0);
    // characters + (n + 1) 4-byte offsets + a null flag per entry
    expect(packed.byteLength).toBe(chars + 4 * (values.length + 1) + values.length);
  });

  it('keeps two bytes per character once one string is not Latin-1, lone surrogates included', () => {
    const values = ['Léon', '猫の映画', '🎬 night', '\ud800alone', 'tail\udc00', 'plain'];
    const packed = PackedStrings.from(values);
    for (let k = 0; k < values.length; k++) expect(packed.at(k)).toBe(values[k]);
    const units = values.reduce((sum, s) => sum + s.length, 0);
    expect(packed.byteLength).toBe(2 * units + 4 * (values.length + 1)); // no nulls: no flags
  });

  it('matches the array on random strings from a mixed alphabet', () => {
    const random = createRandom(11);
    const alphabet = ['a', 'Z', ' ', 'é', 'ß', '猫', '🎬', '\u0000', '\ud83c'];
    for (const latin1Only of [true, false]) {
      const letters = latin1Only ? alphabet.slice(0, 5).concat('\u0000') : alphabet;
      const values: (string | null)[] = [];
      for (let i = 0; i < 2000; i++) {
        if (random.int(0, 9) === 0) {
          values.push(null);
          continue;
        }
        let s = '';
        const len = random.int(0, 12);
        for (let c = 0; c < len; c++) s += letters[random.int(0, letters.length - 1)]!;
        values.push(s);
      }
      const packed = PackedStrings.from(values);
      for (let k = 0; k < values.length; k++) expect(packed.at(k)).toBe(values[k]);
    }
  });

  it('keeps an array copy when asked not to pack: same reads, nothing off the heap', () => {
    const values = ['a', null, 'é猫'];
    const kept = PackedStrings.from(values, false);
    values[0] = 'changed'; // a copy: the caller's array may change or go
    expect([kept.at(0), kept.at(1), kept.at(2)]).toEqual(['a', null, 'é猫']);
    expect(kept.byteLength).toBe(0);
  });

  it('refuses an index outside the list, packed or kept as an array', () => {
    for (const pack of [true, false]) {
      const list = PackedStrings.from(['alpha', 'beta', 'gamma'], pack);
      for (const k of [-1, 3, 4, 1.5, Number.NaN]) expect(() => list.at(k)).toThrow(RangeError);
      expect(list.at(2)).toBe('gamma');
    }
  });

  it('packs an empty list', () => {
    const packed = PackedStrings.from([]);
    expect(packed.length).toBe(0);
    expect(packed.byteLength).toBe(4);
  });
});

describe('PackedStringsBuilder', () => {
  /** Every entry of a list, as an array. */
  const read = (list: PackedStrings): (string | null)[] =>
    Array.from({ length: list.length }, (_, k) => list.at(k));

  it('packs from the packFrom-th entry on, exactly when from() would, and reads the same', () => {
    const values = ['alpha', null, 'béta', 'gamma', null, 'delta', ''];
    for (let packFrom = 0; packFrom <= values.length + 1; packFrom++) {
      const builder = new PackedStringsBuilder(packFrom);
      values.forEach((v, k) => builder.set(k, v));
      const built = builder.finish();
      const packed = values.length >= packFrom;
      expect(read(built)).toEqual(values);
      expect(built.byteLength).toBe(PackedStrings.from(values, packed).byteLength);
      expect(built.byteLength > 0).toBe(packed);
    }
  });

  it('re-encodes to two bytes per character when a later entry is not Latin-1', () => {
    const builder = new PackedStringsBuilder(2);
    const values = ['Amélie', 'Heat', null, '猫の映画', '🎬', '\ud800', 'plain'];
    values.forEach((v, k) => builder.set(k, v));
    const built = builder.finish();
    expect(read(built)).toEqual(values);
    const units = values.reduce((sum, s) => sum + (s?.length ?? 0), 0);
    expect(built.byteLength).toBe(2 * units + 4 * (values.length + 1) + values.length);
  });

  it('applies a rewrite of an entry already packed, or still kept as a string', () => {
    for (const packFrom of [0, 3, 100]) {
      const builder = new PackedStringsBuilder(packFrom);
      ['a', 'b', 'c', 'd'].forEach((v, k) => builder.set(k, v));
      builder.set(1, 'B rewritten');
      builder.set(3, null);
      builder.set(4, 'e');
      builder.set(0, '猫');
      expect(read(builder.finish())).toEqual(['猫', 'B rewritten', 'c', null, 'e']);
    }
  });

  it('matches from() on thousands of random entries, growing its block many times', () => {
    const random = createRandom(5);
    const alphabet = ['a', 'Z', ' ', 'é', '\u0000', '猫', '🎬'];
    for (const wideFrom of [-1, 0, 1500, 2999]) {
      const values: (string | null)[] = [];
      for (let i = 0; i < 3000; i++) {
        if (random.int(0, 12) === 0) {
          values.push(null);
          continue;
        }
        const letters = wideFrom >= 0 && i >= wideFrom ? alphabet : alphabet.slice(0, 5);
        let s = '';
        for (let c = random.int(0, 40); c > 0; c--) s += letters[random.int(0, letters.length - 1)]!;
        values.push(s);
      }
      const builder = new PackedStringsBuilder(1000);
      values.forEach((v, k) => builder.set(k, v));
      const built = builder.finish();
      expect(read(built)).toEqual(values);
      expect(built.byteLength).toBe(PackedStrings.from(values).byteLength);
    }
  });

  it('refuses an entry past the next one, or not an integer', () => {
    const builder = new PackedStringsBuilder(0);
    builder.set(0, 'x');
    for (const k of [2, -1, 0.5, Number.NaN]) expect(() => builder.set(k, 'y')).toThrow(RangeError);
    expect(read(builder.finish())).toEqual(['x']);
  });
});

describe('PackedStringsBuilder edge cases', () => {
  /** Every entry of a list, as an array. */
  const read = (list: PackedStrings): (string | null)[] =>
    Array.from({ length: list.length }, (_, k) => list.at(k));

  /**
   * Bytes a packed list of `values` holds: one byte per code unit when every
   * entry is Latin-1 (else two), n + 1 four-byte offsets, a null flag per
   * entry when one is null (computed here, not by the builder).
   */
  const packedBytes = (values: readonly (string | null)[]): number => {
    const units = values.reduce((sum, s) => sum + (s?.length ?? 0), 0);
    const wide = values.some((s) => s !== null && /[\u0100-\uffff]/.test(s));
    return (wide ? 2 : 1) * units + 4 * (values.length + 1) + (values.includes(null) ? values.length : 0);
  };

  /** A builder of `packFrom` with `values` set in order. */
  const built = (packFrom: number, values: readonly (string | null)[]): PackedStringsBuilder => {
    const builder = new PackedStringsBuilder(packFrom);
    values.forEach((v, k) => builder.set(k, v));
    return builder;
  };

  it('finishes an empty list: packed (offsets only) with packFrom 0, an array above', () => {
    const packed = new PackedStringsBuilder(0).finish();
    expect([packed.length, packed.byteLength]).toEqual([0, 4]);
    expect(() => packed.at(0)).toThrow(RangeError);
    for (const packFrom of [1, 5, Infinity]) {
      const kept = new PackedStringsBuilder(packFrom).finish();
      expect([kept.length, kept.byteLength]).toEqual([0, 0]);
    }
  });

  it('applies a rewrite to a string that is not Latin-1 after a Latin-1 block was packed', () => {
    for (const wide of ['猫', '🎬', '\ud800', '\udc00x', '\u0100']) {
      const builder = built(0, ['Amélie', 'Heat', 'ÿ']);
      builder.set(1, wide);
      const list = builder.finish();
      expect(read(list)).toEqual(['Amélie', wide, 'ÿ']);
      expect(list.byteLength).toBe(packedBytes(['Amélie', wide, 'ÿ']));
    }
  });

  it('applies null rewrites, a rewrite of a null, and the last of several rewrites of one entry', () => {
    const builder = built(1, ['a', null, 'c', '']);
    builder.set(0, null);
    builder.set(1, 'was null');
    builder.set(2, 'first');
    builder.set(4, 'appended after rewrites');
    builder.set(2, '猫 second');
    builder.set(2, 'third');
    builder.set(3, null);
    const values = [null, 'was null', 'third', null, 'appended after rewrites'];
    const list = builder.finish();
    expect(read(list)).toEqual(values);
    // The rewrite to a wide string was undone: one byte per character again, as from() packs.
    expect(list.byteLength).toBe(packedBytes(values));
  });

  it('rewrites every entry back to Latin-1 after a wide one was packed', () => {
    const builder = built(0, ['a', '猫', 'b']);
    builder.set(1, 'B');
    const list = builder.finish();
    expect(read(list)).toEqual(['a', 'B', 'b']);
    expect(list.byteLength).toBe(packedBytes(['a', 'B', 'b']));
  });

  it('packs at the block boundary: an empty entry, a null, a wide entry and a lone surrogate right after a full block', () => {
    // The first block holds 1024 bytes: fill it exactly, then append what writes nothing or widens it.
    for (const next of ['', null, '猫', '\ud83c', 'é', 'x']) {
      for (const fill of [1024, 1023, 512]) {
        const values = ['a'.repeat(fill), next, '\udfac', '', 'tail'];
        const list = built(0, values).finish();
        expect(read(list)).toEqual(values);
        expect(list.byteLength).toBe(packedBytes(values));
      }
    }
    // Two-byte: 512 wide characters fill the first block.
    const wideValues = ['猫'.repeat(512), '', null, '猫'];
    const list = built(0, wideValues).finish();
    expect(read(list)).toEqual(wideValues);
    expect(list.byteLength).toBe(packedBytes(wideValues));
  });

  it('keeps the halves of a surrogate pair split over two entries apart', () => {
    const values = ['x\ud83c', '\udfacy', '\ud83c', '\udfac'];
    expect(read(built(0, values).finish())).toEqual(values);
  });

  it('flags nulls past the growth of its offsets (more than 1024 entries, nulls first seen early or late)', () => {
    for (const firstNull of [0, 1023, 1024, 1500]) {
      const values = Array.from({ length: 3000 }, (_, k) =>
        k === firstNull || (k > firstNull && k % 97 === 0) ? null : `t${k}`,
      );
      const list = built(10, values).finish();
      expect(read(list)).toEqual(values);
      expect(list.byteLength).toBe(packedBytes(values));
    }
  });

  it('keeps the rewrite of a packed entry when a later entry passes the limit and the list falls back to an array', () => {
    // The real limit is 2³¹ − 1 code units; 10 here. Before the fix the rewrite of entry 0 was lost.
    const builder = new PackedStringsBuilder(0, 10);
    builder.set(0, 'abc');
    builder.set(1, null);
    builder.set(2, 'def');
    builder.set(0, 'rewritten');
    builder.set(1, '猫');
    builder.set(3, 'ghijklmn'); // 3 + 3 + 8 > 10: falls back
    builder.set(2, 'after');
    builder.set(4, 'more');
    const list = builder.finish();
    expect(read(list)).toEqual(['rewritten', '猫', 'after', 'ghijklmn', 'more']);
    expect(list.byteLength).toBe(0);
  });

  it('falls back to an array when the entries kept until packFrom already pass the limit', () => {
    const builder = new PackedStringsBuilder(4, 10);
    ['abcd', null, '猫猫猫'].forEach((v, k) => builder.set(k, v)); // kept as strings
    builder.set(1, 'x'); // a rewrite while kept
    builder.set(3, 'efgh'); // the fourth: packing the four passes 10 units (4 + 1 + 3 + 4)
    builder.set(4, '');
    builder.set(5, 'ij');
    builder.set(0, 'AB'); // a rewrite after the fallback
    const list = builder.finish();
    expect(read(list)).toEqual(['AB', 'x', '猫猫猫', 'efgh', '', 'ij']);
    expect(list.byteLength).toBe(0);
  });

  it('falls back to an array in finish when rewrites make the entries longer than the limit', () => {
    const builder = new PackedStringsBuilder(0, 10);
    ['ab', 'cd', 'ef'].forEach((v, k) => builder.set(k, v));
    builder.set(1, 'a much longer title');
    const list = builder.finish();
    expect(read(list)).toEqual(['ab', 'a much longer title', 'ef']);
    expect(list.byteLength).toBe(0);
  });

  it('matches an array under random appends and rewrites, for packFrom 0, 1, small, n, above n and never', () => {
    const random = createRandom(1204);
    const latin1 = ['a', 'Z', ' ', 'é', 'ÿ', '\u0000', '\u0080'];
    const wide = ['猫', '🎬', '\ud800', '\udfff', '\u0100'];
    /** A random entry: null, empty, Latin-1, or with one character that is not (rarely: long). */
    const entry = (wideChance: number): string | null => {
      const r = random.int(0, 11);
      if (r === 0) return null;
      if (r === 1) return '';
      let s = '';
      for (let c = random.int(0, r === 2 ? 700 : 20); c > 0; c--)
        s += latin1[random.int(0, latin1.length - 1)]!;
      if (random.next() < wideChance) s += wide[random.int(0, wide.length - 1)]!;
      return s;
    };
    for (let c = 0; c < 1500; c++) {
      const steps = c % 100 === 0 ? random.int(500, 2000) : random.int(0, 40);
      // Where wide entries may appear: never, from a random step, or only in rewrites.
      const wideMode = random.int(0, 2);
      const wideFrom = random.int(0, steps);
      const values: (string | null)[] = [];
      const ops: [number, string | null][] = [];
      for (let s = 0; s < steps; s++) {
        const rewrite = values.length > 0 && random.int(0, 4) === 0;
        const chance = wideMode === 0 ? 0 : wideMode === 1 ? (s >= wideFrom ? 0.3 : 0) : rewrite ? 0.5 : 0;
        const k = rewrite ? random.int(0, values.length - 1) : values.length;
        const value = entry(chance);
        values[k] = value;
        ops.push([k, value]);
      }
      const n = values.length;
      const packFrom = [0, 1, random.int(2, 6), n, n + 1, random.int(0, n), Infinity][random.int(0, 6)]!;
      // One case in four with a limit low enough that the list may fall back to an array on the way.
      const maxUnits = random.int(0, 3) === 0 ? random.int(0, 200) : undefined;
      const builder = new PackedStringsBuilder(packFrom, maxUnits);
      for (const [k, value] of ops) builder.set(k, value);
      expect(builder.length).toBe(n);
      const list = builder.finish();
      const context = `case ${c}: packFrom ${packFrom}, maxUnits ${maxUnits}, ${n} entries`;
      expect(read(list), context).toEqual(values);
      if (maxUnits === undefined)
        expect(list.byteLength, context).toBe(n >= packFrom ? packedBytes(values) : 0);
      else expect([0, n >= packFrom ? packedBytes(values) : 0], context).toContain(list.byteLength);
    }
  });
});
