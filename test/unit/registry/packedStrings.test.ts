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
