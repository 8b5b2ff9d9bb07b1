import { describe, expect, it } from 'vitest';
import { halfTable, toHalf } from '../../../src/domain/halfFloat.js';
import {
  decodeTableOf,
  float32Vectors,
  precisionOf,
  readVectorValues,
} from '../../../src/domain/itemVectors.js';

// 0.1 is not a binary16 value: it rounds to 0x2E66 = 0.0999755859375 (IEEE 754 binary16).
const VALUES = Float32Array.of(1, -0.5, 0.1, 0, 2 ** -24, -0.333251953125);
const HALVES = Uint16Array.from(VALUES, (v) => toHalf(v));

describe('ItemVectors', () => {
  it('names the precision by the element type', () => {
    expect(precisionOf(VALUES)).toBe('float32');
    expect(precisionOf(HALVES)).toBe('float16');
    expect(decodeTableOf(VALUES)).toBeNull();
    expect(decodeTableOf(HALVES)).toBe(halfTable());
  });

  it('gives float32 vectors as they are, and halves decoded to their exact values', () => {
    expect(float32Vectors(VALUES)).toBe(VALUES);
    expect(Array.from(float32Vectors(HALVES))).toEqual([
      1,
      -0.5,
      0.0999755859375,
      0,
      2 ** -24,
      -0.333251953125,
    ]);
  });

  it('reads a range of values, decoded, into float32 or float64 arrays, and refuses one past the end', () => {
    const out = new Float64Array(3);
    readVectorValues(HALVES, 1, out);
    expect(Array.from(out)).toEqual([-0.5, 0.0999755859375, 0]);
    const f = new Float32Array(2);
    readVectorValues(VALUES, 4, f);
    expect(Array.from(f)).toEqual([2 ** -24, Math.fround(-0.333251953125)]);
    expect(() => readVectorValues(VALUES, 5, new Float32Array(2))).toThrow(RangeError);
    expect(() => readVectorValues(HALVES, -1, new Float32Array(1))).toThrow(/past 6 values/);
  });
});
