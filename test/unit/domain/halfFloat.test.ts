import { describe, expect, it } from 'vitest';
import {
  HALF_QUERY_SCALE,
  encodeHalves,
  halfTable,
  halfToFloat,
  toHalf,
} from '../../../src/domain/halfFloat.js';
import { createRandom } from '../../../src/domain/random.js';

/** Every finite half's bit pattern (exponent field below 31), ±0 included. */
function finiteHalves(): number[] {
  const out: number[] = [];
  for (let h = 0; h < 65536; h++) if ((h & 0x7c00) !== 0x7c00) out.push(h);
  return out;
}

/**
 * An independent reference for toHalf: Math.fround(x), then the nearest of the
 * sorted positive halves 0x0000..0x7BFF by binary search over their values
 * (halfToFloat), ties to the even bit pattern; 0x7C00 stands for 2^16, the
 * next value with an unbounded exponent, so that |x| ≥ 65520 rounds to it (∞).
 */
function referenceHalf(x: number): number {
  const f = Math.fround(x);
  if (Number.isNaN(f)) return 0x7e00;
  const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  const a = Math.abs(f);
  const value = (h: number): number => (h === 0x7c00 ? 65536 : halfToFloat(h));
  if (a >= 65536) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7c00; // value(lo) ≤ a < value(hi)
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (value(mid) <= a) lo = mid;
    else hi = mid;
  }
  const below = a - value(lo);
  const above = value(hi) - a;
  const h = below < above ? lo : above < below ? hi : (lo & 1) === 0 ? lo : hi;
  return sign | h;
}

describe('halfFloat: IEEE 754-2008 binary16', () => {
  it('rounds the reference values (Wikipedia, "Half-precision floating-point format")', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff); // largest finite half
    expect(toHalf(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toHalf(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalf(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(toHalf(0.333251953125)).toBe(0x3555);
    expect(toHalf(1 / 3)).toBe(0x3555); // nearest half to 1/3
    expect(toHalf(0.99951171875)).toBe(0x3bff);
    expect(toHalf(1.0009765625)).toBe(0x3c01);
    expect(toHalf(0.1)).toBe(0x2e66); // 0.0999755859375
    expect(toHalf(0)).toBe(0x0000);
    expect(toHalf(-0)).toBe(0x8000);
    expect(toHalf(Infinity)).toBe(0x7c00);
    expect(toHalf(-Infinity)).toBe(0xfc00);
    expect(toHalf(NaN)).toBe(0x7e00);
    expect(toHalf(-NaN)).toBe(0x7e00);
  });

  it('overflows to infinity from 65520 (the tie above 65504 goes to the even 2^16)', () => {
    expect(toHalf(65519)).toBe(0x7bff);
    expect(toHalf(65519.99)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00);
    expect(toHalf(-65520)).toBe(0xfc00);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(3.4e38)).toBe(0x7c00);
    expect(toHalf(1e300)).toBe(0x7c00); // Infinity as a float32 already
  });

  it('rounds ties to even, in the normal and the subnormal range', () => {
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway 1 .. 1 + 2^-10: to 1 (even)
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway 0x3C01 .. 0x3C02: to 0x3C02
    expect(toHalf(1 + 2 ** -11 + 2 ** -23)).toBe(0x3c01); // just above the tie
    expect(toHalf(-(1 + 3 * 2 ** -11))).toBe(0xbc02);
    expect(toHalf(2 ** -25)).toBe(0x0000); // halfway 0 .. 2^-24: to 0 (even)
    expect(toHalf(-(2 ** -25))).toBe(0x8000);
    expect(toHalf(2 ** -25 + 2 ** -40)).toBe(0x0001); // just above the tie
    expect(toHalf(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: to 2
    expect(toHalf(5 * 2 ** -25)).toBe(0x0002); // 2.5 units: to 2
    expect(toHalf(1023.5 * 2 ** -24)).toBe(0x0400); // largest subnormal + ½ unit: to 2^-14
    expect(toHalf(2 ** -26)).toBe(0x0000);
    expect(toHalf(2 ** -149)).toBe(0x0000); // a float32 subnormal
    expect(toHalf(2048 + 1)).toBe(0x6800); // halfway 2048 .. 2050: to 2048 (even)
    expect(toHalf(2048 + 3)).toBe(0x6802); // halfway 2050 .. 2052: to 2052 (even)
  });

  it('rounds Math.fround(x), not the float64 x: 1 + 2^-11 + 2^-30 is float32 1 + 2^-11, a tie, so 1', () => {
    expect(Math.fround(1 + 2 ** -11 + 2 ** -30)).toBe(1 + 2 ** -11);
    expect(toHalf(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c00); // rounded directly it would be 0x3C01
    expect(toHalf(1 + 2 ** -11 + 2 ** -23)).toBe(0x3c01); // a float32 above the tie
  });

  it('decodes bit patterns to their exact values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0400)).toBe(2 ** -14);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x03ff)).toBe(0.00006097555160522461);
    expect(halfToFloat(0x3555)).toBe(0.333251953125);
    expect(halfToFloat(0x2e66)).toBe(0.0999755859375);
    expect(halfToFloat(0x3c01)).toBe(1.0009765625);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0xfc01)).toBeNaN();
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(Object.is(halfToFloat(0x0000), 0)).toBe(true);
    expect(() => halfToFloat(65536)).toThrow(RangeError);
    expect(() => halfToFloat(-1)).toThrow(RangeError);
    expect(() => halfToFloat(1.5)).toThrow(/bit pattern 0..65535/);
  });

  it('round-trips every finite half, and the table holds every decoded value', () => {
    const table = halfTable();
    expect(table.length).toBe(65536);
    expect(halfTable()).toBe(table); // built once
    const finite = finiteHalves();
    expect(finite.length).toBe(63488); // 65536 − 2 × 1024 (exponent field 31)
    for (const h of finite) {
      const v = halfToFloat(h);
      if (toHalf(v) !== h) expect(toHalf(v)).toBe(h); // one expect per failure, not 63k
      if (!Object.is(table[h], v)) expect(table[h]).toBe(v);
    }
    for (let h = 0x7c00; h < 0x8000; h++) {
      expect(Number.isNaN(table[h]!) || h === 0x7c00).toBe(true);
      expect(Number.isNaN(table[h | 0x8000]!) || h === 0x7c00).toBe(true);
    }
    expect(table[0x7c00]).toBe(Infinity);
    expect(table[0xfc00]).toBe(-Infinity);
  });

  it('agrees with an independent nearest-half search on midpoints and random floats', () => {
    const random = createRandom(16);
    const cases: number[] = [];
    const finite = finiteHalves();
    // Each midpoint between neighbouring positive halves, and a float32 on either side of it.
    for (let h = 0; h < 0x7bff; h++) {
      const mid = (halfToFloat(h) + halfToFloat(h + 1)) / 2; // exact in float32
      cases.push(mid, -mid, mid * (1 + 2 ** -23), mid * (1 - 2 ** -24));
    }
    for (let i = 0; i < 20_000; i++) {
      cases.push(
        halfToFloat(finite[random.int(0, finite.length - 1)]!) * (1 + (random.next() - 0.5) * 2 ** -9),
      );
      cases.push(random.normal() * 2 ** random.int(-30, 18));
    }
    for (const x of cases) {
      if (toHalf(x) !== referenceHalf(x)) expect([x, toHalf(x)]).toEqual([x, referenceHalf(x)]);
    }
  });

  it('encodeHalves stores toHalf of each float at an offset, over random bits and edge cases', () => {
    const random = createRandom(17);
    const n = 50_000;
    const src = new Float32Array(n);
    const bits = new Uint32Array(src.buffer);
    for (let i = 0; i < n; i++) bits[i] = random.int(0, 0xffffffff);
    const edges = [0, -0, 1, -2, 65504, 65519, 65520, -65520, Infinity, -Infinity, NaN, 2 ** -14, 2 ** -24];
    edges.push(2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -149, 3.4e38, 1023.5 * 2 ** -24);
    src.set(edges);
    for (let i = edges.length; i < 20_000; i++) src[i] = random.normal() * 2 ** random.int(-28, 17);
    // A subarray of a larger buffer: the float bits are read at its byteOffset.
    const big = new Float32Array(n + 3);
    big.set(src, 3);
    const dst = new Uint16Array(n + 5).fill(0xabcd);
    encodeHalves(big.subarray(3), dst, 5);
    expect(Array.from(dst.subarray(0, 5))).toEqual([0xabcd, 0xabcd, 0xabcd, 0xabcd, 0xabcd]);
    for (let i = 0; i < n; i++) {
      if (dst[5 + i] !== toHalf(src[i]!)) expect([i, dst[5 + i]]).toEqual([i, toHalf(src[i]!)]);
    }
    expect(Array.from(dst.subarray(5, 5 + 4))).toEqual([0x0000, 0x8000, 0x3c00, 0xc000]);
    expect(() => encodeHalves(src, new Uint16Array(n - 1))).toThrow(RangeError);
    expect(() => encodeHalves(src, dst, 6)).toThrow(/do not fit/);
    expect(() => encodeHalves(src, dst, -1)).toThrow(RangeError);
    encodeHalves(new Float32Array(0), new Uint16Array(0)); // nothing to do
  });

  it('HALF_QUERY_SCALE undoes the shift decode: bits (sext16(h) << 13) & 0x8FFFE000 are h · 2^-112', () => {
    expect(HALF_QUERY_SCALE).toBe(2 ** 112);
    const f = new Float32Array(1);
    const u = new Int32Array(f.buffer);
    for (const h of finiteHalves()) {
      u[0] = (((h << 16) >> 16) << 13) & 0x8fffe000;
      if (!Object.is(f[0]! * HALF_QUERY_SCALE, halfToFloat(h))) {
        expect(f[0]! * HALF_QUERY_SCALE).toBe(halfToFloat(h));
      }
    }
  });
});
