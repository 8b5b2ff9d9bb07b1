import { describe, expect, it } from 'vitest';
import {
  denseFactorRows,
  denseFactors,
  factorRowNorm,
  factorRowsOfVectors,
  readFactorRows,
} from '../../../src/domain/factorRows.js';
import { encodeHalves, halfTable } from '../../../src/domain/halfFloat.js';
import { mipsToCosine } from '../../../src/domain/mipsToCosine.js';

// Item factors y₀ = [3, 4] (norm 5) and y₁ = [0, 2] (norm 2): M = 5, so the
// MIPS-to-cosine vectors are v₀ = [0.6, 0.8, 0] and v₁ = [0, 0.4, sqrt(1 − 0.16)].
const Y = Float32Array.of(3, 4, 0, 2);

describe('FactorRows', () => {
  it('wraps dense factors as stride d, scale 1', () => {
    const rows = denseFactorRows(Y, 2);
    expect(rows).toEqual({ values: Y, dimension: 2, stride: 2, scale: 1, count: 2 });
    expect(denseFactors(rows)).toBe(Y); // the array itself, no copy
  });

  it('reads the factors through MIPS-to-cosine vectors as stride d + 1, scale M (hand example)', () => {
    const { vectors, maxNorm } = mipsToCosine(Y, 2, 2);
    expect(maxNorm).toBe(5);
    const rows = factorRowsOfVectors(vectors, 2, maxNorm);
    expect(rows).toMatchObject({ dimension: 2, stride: 3, scale: 5, count: 2 });
    expect(rows.values).toBe(vectors);
    // ‖y₀‖ = 5·‖[0.6, 0.8]‖ and ‖y₁‖ = 5·0.4, up to the float32 rounding of 0.6, 0.8 and 0.4.
    expect(Math.abs(factorRowNorm(rows, 0) - 5)).toBeLessThanOrEqual(5 * 2 ** -24);
    expect(Math.abs(factorRowNorm(rows, 1) - 2)).toBeLessThanOrEqual(2 * 2 ** -24);
    const back = denseFactors(rows);
    [3, 4, 0, 2].forEach((y, k) => expect(Math.abs(back[k]! - y)).toBeLessThanOrEqual(y * 2 ** -23));
  });

  it('gives dense norms exactly sqrt(Σ y²)', () => {
    const rows = denseFactorRows(Y, 2);
    expect(factorRowNorm(rows, 0)).toBe(5);
    expect(factorRowNorm(rows, 1)).toBe(2);
  });

  it('reads every item as zero when M = 0 (all-zero factors give vectors [0…0, 1])', () => {
    const { vectors, maxNorm } = mipsToCosine(new Float32Array(4), 2, 2);
    const rows = factorRowsOfVectors(vectors, 2, maxNorm);
    expect(factorRowNorm(rows, 1)).toBe(0);
    expect(Array.from(denseFactors(rows))).toEqual([0, 0, 0, 0]);
  });

  it('throws RangeError for lengths that are not whole rows, a bad d or a bad M', () => {
    expect(() => denseFactorRows(Float32Array.of(1, 2, 3), 2)).toThrow(RangeError);
    expect(() => denseFactorRows(Y, 0)).toThrow(RangeError);
    expect(() => factorRowsOfVectors(Float32Array.of(1, 2, 3, 4), 2, 1)).toThrow(RangeError);
    expect(() => factorRowsOfVectors(Float32Array.of(1, 2, 3), 2, -1)).toThrow(RangeError);
    expect(() => factorRowsOfVectors(Float32Array.of(1, 2, 3), 2, NaN)).toThrow(RangeError);
  });

  it('reads half-precision vectors through the decode table: norms, dense factors and listed rows', () => {
    const { vectors, maxNorm } = mipsToCosine(Y, 2, 2);
    const halves = new Uint16Array(vectors.length);
    encodeHalves(vectors, halves);
    const decoded = Float32Array.from(halves, (h) => halfTable()[h]!);
    const rows = factorRowsOfVectors(halves, 2, maxNorm);
    const reference = factorRowsOfVectors(decoded, 2, maxNorm);
    expect(rows.values).toBe(halves);
    // The same arithmetic on the decoded values: bit for bit.
    for (const r of [0, 1]) expect(factorRowNorm(rows, r)).toBe(factorRowNorm(reference, r));
    expect(Array.from(denseFactors(rows))).toEqual(Array.from(denseFactors(reference)));
    // 0.6 and 0.8 are not halves: y₀ = [3, 4] comes back within binary16's 2⁻¹¹ relative rounding.
    const back = denseFactors(rows);
    [3, 4, 0, 2].forEach((y, k) => expect(Math.abs(back[k]! - y)).toBeLessThanOrEqual(y * 2 ** -11));
    expect(back[0]).not.toBe(3);
    // Listed rows, raw (before the scale), in list order.
    expect(Array.from(readFactorRows(rows, [1, 0, 1]))).toEqual([
      decoded[3],
      decoded[4],
      decoded[0],
      decoded[1],
      decoded[3],
      decoded[4],
    ]);
    expect(Array.from(readFactorRows(reference, [1]))).toEqual([decoded[3], decoded[4]]);
    expect(() => readFactorRows(rows, [2])).toThrow(/factor row 2 is not in 0..1/);
    expect(() => readFactorRows(rows, [0.5])).toThrow(RangeError);
  });
});
