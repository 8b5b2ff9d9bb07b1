import { describe, expect, it } from 'vitest';
import { halfTable, toHalf } from '../../../src/domain/halfFloat.js';
import {
  decodeTableOf,
  encodeHalfRows,
  float32Vectors,
  halfRowOffset,
  precisionOf,
  readVectorValues,
} from '../../../src/domain/itemVectors.js';

// Two rows of width 3; the last value of each row is a MIPS-to-cosine component near 1.
// 0.1 is not a binary16 value: it rounds to 0x2E66 = 0.0999755859375 (IEEE 754 binary16).
const VALUES = Float32Array.of(0.1, -0.5, 0.99995, 2 ** -24, -0.333251953125, 0.5);

describe('ItemVectors', () => {
  it('stores half rows with each last value minus 1 (hand-worked)', () => {
    const halves = new Uint16Array(6);
    encodeHalfRows(VALUES, 3, halves);
    expect(Array.from(halves)).toEqual([
      0x2e66,
      toHalf(-0.5),
      toHalf(Math.fround(0.99995) - 1), // ≈ −5.0e-5: 11 significant bits, not binary16's step of 2⁻¹¹ near 1
      0x0001,
      toHalf(-0.333251953125),
      toHalf(-0.5), // 0.5 − 1
    ]);
    expect(precisionOf(halves)).toBe('float16');
    expect(precisionOf(VALUES)).toBe('float32');
    expect(decodeTableOf(VALUES)).toBeNull();
    expect(decodeTableOf(halves)).toBe(halfTable());
    // Decoded: the last value of a row is 1 + half(h), within ~2⁻¹² of its distance from 1.
    const back = float32Vectors(halves, 3);
    expect(Array.from(back.subarray(0, 2))).toEqual([0.0999755859375, -0.5]);
    expect(Math.abs(back[2]! - Math.fround(0.99995))).toBeLessThanOrEqual(6e-8);
    expect(back[2]).not.toBe(Math.fround(1 - 2 ** -11)); // what plain binary16 of 0.99995 would give
    expect(Array.from(back.subarray(3))).toEqual([2 ** -24, -0.333251953125, 0.5]);
    expect(halfRowOffset(Float32Array.of(0.25, 0.5, 0.75), 3)).toBe(0.75);
  });

  it('gives float32 vectors as they are, reads ranges decoded, and refuses bad shapes', () => {
    expect(float32Vectors(VALUES, 3)).toBe(VALUES);
    const halves = new Uint16Array(6);
    encodeHalfRows(VALUES, 3, halves);
    const out = new Float64Array(3);
    readVectorValues(halves, 3, 1, out); // crosses the end of row 0
    expect(out[0]).toBe(-0.5);
    expect(Math.abs(out[1]! - 0.99995)).toBeLessThanOrEqual(6e-8);
    expect(out[2]).toBe(2 ** -24);
    const f = new Float32Array(2);
    readVectorValues(VALUES, 3, 4, f);
    expect(Array.from(f)).toEqual([Math.fround(-0.333251953125), 0.5]);
    expect(() => readVectorValues(VALUES, 3, 5, new Float32Array(2))).toThrow(RangeError);
    expect(() => readVectorValues(halves, 3, -1, new Float32Array(1))).toThrow(/past 6 values/);
    expect(() => float32Vectors(halves, 4)).toThrow(/not rows of 4/);
    expect(() => encodeHalfRows(VALUES, 4, halves)).toThrow(RangeError);
    expect(() => encodeHalfRows(VALUES, 3, halves, 1)).toThrow(/do not fit/);
  });
});
