/**
 * IEEE 754-2008 binary16 ("half precision", "float16"): 1 sign bit, 5
 * exponent bits (bias 15), 10 significand bits. A half is handled as its bit
 * pattern, an integer 0..65535 (a Uint16Array element). Issue #6: a served
 * model may keep its item vectors as halves, half the bytes of float32.
 *
 * Values: exponent field e = 1..30 gives (−1)^s · (1 + m/1024) · 2^(e−15)
 * (2^−14 ≤ |v| ≤ 65504); e = 0 gives the subnormals (−1)^s · m · 2^−24
 * (and ±0); e = 31 gives ±Infinity (m = 0) and NaN (m ≠ 0).
 */

/** Scratch for reading a number's float32 bits in {@link toHalf}. */
const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/**
 * The scale by which a query is multiplied when it is scored against halves
 * decoded by the shift trick (`KernelRows`, kernelRows.ts): a half h whose 16
 * bits, sign-extended and shifted left by 13 then masked with 0x8FFFE000, are
 * read as a float32 is exactly h · 2^−112 (normal and subnormal halves alike:
 * the float32 exponent field is the half's, unbiased by 127 instead of 15), so
 * fl32(q · 2^112) × (h · 2^−112) is the real product q · h, rounded as the
 * float32 product of q and the decoded half is.
 */
export const HALF_QUERY_SCALE = 2 ** 112;

/**
 * The half nearest a float32 bit pattern (round to nearest, ties to even,
 * IEEE 754-2008 §4.3.1): the body of {@link toHalf} and {@link encodeHalves}.
 * @param bits the float32's 32 bits, as an unsigned integer.
 */
function halfOfFloatBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x38800000) {
    // |x| ≥ 2^−14: a normal half, unless |x| ≥ 65520 (0x477FF000), which
    // rounds past 65504 (0x7BFF, odd significand; the tie goes to 2^16): ±∞.
    if (abs >= 0x477ff000) return abs > 0x7f800000 ? 0x7e00 : sign | 0x7c00;
    // Rebias the exponent (127 → 15: subtract 112 << 23) and round the 23
    // significand bits to 10: add 0xFFF plus the lowest kept bit (ties to
    // even), drop 13 bits. A carry runs into the exponent: the next binade.
    return sign | ((abs - 0x38000000 + 0xfff + ((abs >>> 13) & 1)) >>> 13);
  }
  // |x| ≤ 2^−25 (half the smallest subnormal; the tie goes to the even 0): ±0.
  if (abs <= 0x33000000) return sign;
  // A subnormal half (or 2^−14 after rounding up): |x| = m · 2^(e−150), m the
  // 24-bit significand, e = 102..112 the float32's biased exponent; in units
  // of 2^−24 that is m / 2^(126−e). Round it to an integer, ties to even.
  const shift = 126 - (abs >>> 23);
  const m = (abs & 0x7fffff) | 0x800000;
  const kept = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  return sign | (rest > halfway || (rest === halfway && (kept & 1) === 1) ? kept + 1 : kept);
}

/**
 * The binary16 bit pattern nearest `x` (IEEE 754-2008 round to nearest, ties
 * to even). `x` is first rounded to float32 (`Math.fround(x)`), and that
 * float32 is rounded to a half: so `toHalf(x)` is what {@link encodeHalves}
 * stores for x in a Float32Array. This double rounding differs from rounding
 * the float64 x directly only when `Math.fround` lands exactly on a tie
 * between halves (e.g. 1 + 2^−11 + 2^−30 rounds to float32 1 + 2^−11, a tie,
 * then to 1 = 0x3C00; rounded directly it would be 0x3C01).
 *
 * Subnormal halves (|x| < 2^−14) are produced exactly rounded; |x| ≥ 65520
 * (after float32 rounding) and ±Infinity give ±Infinity (0x7C00 / 0xFC00);
 * NaN gives 0x7E00 (a quiet NaN, whatever its sign); −0 gives 0x8000.
 * @returns an integer 0..65535.
 */
export function toHalf(x: number): number {
  scratchFloat[0] = x;
  return halfOfFloatBits(scratchBits[0]!);
}

/**
 * The exact value of the binary16 bit pattern `h` (IEEE 754-2008 §3.4):
 * every half is a float32 (and a float64) exactly. 0x8000 gives −0, 0x7C00
 * and 0xFC00 give ±Infinity, and any other pattern with exponent field 31
 * gives NaN.
 * @throws RangeError when `h` is not an integer 0..65535.
 */
export function halfToFloat(h: number): number {
  if (!Number.isInteger(h) || h < 0 || h > 0xffff) {
    throw new RangeError(`half float: expected a bit pattern 0..65535, received ${h}`);
  }
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

let table: Float32Array | null = null;

/**
 * The decoded value of every half: `halfTable()[h] === halfToFloat(h)` for
 * h = 0..65535 (NaN patterns give NaN). Built on first call (256 KiB) and
 * shared: callers must not write to it. Hot loops decode with `table[h]`.
 */
export function halfTable(): Float32Array {
  if (table === null) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  }
  return table;
}

/**
 * Encodes floats as halves: `dst[dstOffset + i] = toHalf(src[i])` for every
 * i < src.length, by integer operations on the floats' bits (a Uint32Array
 * view of `src`; nothing allocated per value): about 0.3–0.45 s for 65M
 * values (1M rows of 65) on a busy 2-core host, plus the first-touch page
 * faults of a freshly allocated `dst` (the kernel's cost of any first write
 * to those pages: 0.9 s more for 130 MB measured there).
 * @param dstOffset where the first half goes, in halves. @default 0
 * @throws RangeError when `dstOffset` is not a non-negative integer or the
 *   halves do not fit in `dst` (nothing is written then).
 */
export function encodeHalves(src: Float32Array, dst: Uint16Array, dstOffset = 0): void {
  if (!Number.isInteger(dstOffset) || dstOffset < 0 || dstOffset + src.length > dst.length) {
    throw new RangeError(
      `encodeHalves: ${src.length} halves from offset ${dstOffset} do not fit in ${dst.length}`,
    );
  }
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = bits.length;
  for (let i = 0; i < n; i++) dst[dstOffset + i] = halfOfFloatBits(bits[i]!);
}
