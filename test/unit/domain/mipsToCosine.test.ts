import { describe, expect, it } from 'vitest';
import { mipsToCosine } from '../../../src/domain/mipsToCosine.js';
import { createRandom } from '../../../src/domain/random.js';

function rowNorm(v: Float32Array, row: number, w: number): number {
  let s = 0;
  for (let p = 0; p < w; p++) s += v[row * w + p]! ** 2;
  return Math.sqrt(s);
}

describe('Domain: mipsToCosine', () => {
  // y0 = [3, 4] (norm 5), y1 = [0, 2] (norm 2): M = 5.
  // Rows: y0 → [3/5, 4/5, sqrt(1 − 1)] = [0.6, 0.8, 0]
  //       y1 → [0, 2/5, sqrt(1 − 0.16)] = [0, 0.4, sqrt(0.84) = 0.916515]
  const FACTORS = Float32Array.of(3, 4, 0, 2);

  it('appends sqrt(1 − ‖y‖²/M²) to y/M on a 2-item example', () => {
    const { vectors, maxNorm } = mipsToCosine(FACTORS, 2, 2);
    expect(maxNorm).toBeCloseTo(5, 6);
    const expected = [0.6, 0.8, 0, 0, 0.4, 0.916515];
    expect(vectors.length).toBe(6);
    expected.forEach((v, k) => expect(vectors[k]).toBeCloseTo(v, 5));
  });

  it('ranks by dot product where plain cosine would not (2-item example)', () => {
    // Query x = [0, 1]: dot products 4 and 2 (y0 first); plain cosines 4/5 = 0.8 and 2/2 = 1 (y1 first).
    // Transformed: [0, 1, 0]·[0.6, 0.8, 0] = 0.8 and [0, 1, 0]·[0, 0.4, 0.916515] = 0.4 = x·y/(‖x‖·M).
    const { vectors } = mipsToCosine(FACTORS, 2, 2);
    const c0 = vectors[1]!;
    const c1 = vectors[4]!;
    expect(c0).toBeCloseTo(0.8, 6);
    expect(c1).toBeCloseTo(0.4, 6);
    expect(c0).toBeGreaterThan(c1);
  });

  it('makes every row unit-norm on random factors of varied scale', () => {
    const random = createRandom(31);
    const n = 60;
    const d = 6;
    const factors = Float32Array.from(
      { length: n * d },
      (_, k) => random.normal() * (1 + Math.floor(k / d) / 10),
    );
    const { vectors } = mipsToCosine(factors, n, d);
    expect(vectors.length).toBe(n * (d + 1));
    for (let i = 0; i < n; i++) expect(rowNorm(vectors, i, d + 1)).toBeCloseTo(1, 5);
  });

  it('gives cosine([x, 0], row) = x·y / (‖x‖·M), hence the dot-product order, on random data', () => {
    const random = createRandom(32);
    const n = 80;
    const d = 5;
    const factors = Float32Array.from(
      { length: n * d },
      (_, k) => random.normal() * (0.2 + (Math.floor(k / d) % 7)),
    );
    const { vectors, maxNorm } = mipsToCosine(factors, n, d);
    let trueMax = 0;
    for (let i = 0; i < n; i++)
      trueMax = Math.max(trueMax, Math.hypot(...factors.subarray(i * d, i * d + d)));
    expect(maxNorm).toBeCloseTo(trueMax, 4);
    for (let trial = 0; trial < 5; trial++) {
      const x = Array.from({ length: d }, () => random.normal());
      const xNorm = Math.hypot(...x);
      const dots: number[] = [];
      const cosines: number[] = [];
      for (let i = 0; i < n; i++) {
        let dotXY = 0;
        let dotQV = 0;
        for (let p = 0; p < d; p++) {
          dotXY += x[p]! * factors[i * d + p]!;
          dotQV += x[p]! * vectors[i * (d + 1) + p]!; // query [x, 0]: the extra component contributes 0
        }
        dots.push(dotXY);
        cosines.push(dotQV / xNorm); // rows are unit-norm
        expect(cosines[i]).toBeCloseTo(dotXY / (xNorm * trueMax), 5);
      }
      const order = (s: number[]): number[] => s.map((_, i) => i).sort((a, b) => s[b]! - s[a]! || a - b);
      expect(order(cosines)).toEqual(order(dots));
    }
  });

  it('maps an all-zero factor matrix to rows [0…0, 1] with maxNorm 0', () => {
    const { vectors, maxNorm } = mipsToCosine(new Float32Array(6), 2, 3);
    expect(maxNorm).toBe(0);
    expect(Array.from(vectors)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('maps a zero item among non-zero ones to [0…0, 1]', () => {
    const { vectors } = mipsToCosine(Float32Array.of(0, 0, 1, 0), 2, 2);
    expect(Array.from(vectors)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('throws RangeError when the length is not n×d', () => {
    expect(() => mipsToCosine(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });
});
