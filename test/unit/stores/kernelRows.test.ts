import { unitRows } from '../../support/unitRows.js';
import { describe, expect, it } from 'vitest';
import { watBinaryBase64 } from '../../support/watBinary.js';
import { encodeHalves, halfTable, toHalf } from '../../../src/domain/halfFloat.js';
import type { Random } from '../../../src/domain/random.js';
import { createRandom } from '../../../src/domain/random.js';
import {
  GATHER_KERNEL_BASE64,
  HALF_KERNEL_BASE64,
  KERNEL_ROWS_SCRATCH_BYTES,
  KernelRows,
  allocateHalfRows,
  allocateKernelHalves,
  allocateKernelRows,
  allocateRows,
} from '../../../src/stores/embedded/kernelRows.js';

describe('allocateKernelRows and KernelRows (rows scored where they are)', () => {
  it('hand-worked: query (1, 2, 3, 4, 5) against rows 2 and 0 of three 5-d rows gives 15 and 55', () => {
    const rows = allocateKernelRows(15);
    rows.set([1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const scorer = KernelRows.of(rows, 5)!;
    const out = new Float32Array(4).fill(-1);
    // Two slices of the list: [2, 0] from position 1, then [0] from position 2 (position 0 is no row).
    const n = scorer.scoreRanges(
      Float32Array.of(1, 2, 3, 4, 5),
      Int32Array.of(9, 2, 0),
      Int32Array.of(1, 2),
      Int32Array.of(2, 1),
      2,
      out,
    );
    expect(n).toBe(3);
    expect(Array.from(out)).toEqual([15, 55, 55, -1]);
    const exact = new Float64Array(2);
    scorer.exactScores(Float32Array.of(1, 2, 3, 4, 5), Int32Array.of(0, 1), 2, exact);
    expect(Array.from(exact)).toEqual([55, 0]);
    // The first 3 components only: 1·1 + 2·2 + 3·3 = 14 for row 0, 1 + 2 + 3 = 6 for row 2 (a 3-float query).
    scorer.exactPrefixScores(Float32Array.of(1, 2, 3), 3, Int32Array.of(0, 2), 2, exact);
    expect(Array.from(exact)).toEqual([14, 6]);
    for (const bad of [0, 6, 2.5, NaN])
      expect(() =>
        scorer.exactPrefixScores(Float32Array.of(1, 2, 3, 4, 5), bad, Int32Array.of(0), 1, exact),
      ).toThrow(RangeError);
  });

  it('scores listed rows in any order, across slices and in chunks past 8,192 rows, within float32 accuracy; exact scores equal a float64 loop', () => {
    const random = createRandom(5);
    for (const d of [1, 3, 4, 7, 16, 65]) {
      const n = 300;
      const rows = allocateKernelRows(n * d);
      for (let i = 0; i < rows.length; i++) rows[i] = random.normal();
      const scorer = KernelRows.of(rows, d)!;
      const query = Float32Array.from({ length: d }, () => random.normal());
      const count = d === 65 ? 20_000 : 37; // 20,000 listed rows: three chunks
      const list = Int32Array.from({ length: count }, () => random.int(0, n - 1));
      const out = new Float32Array(count);
      // The list cut into slices of 1..5,000 rows (8,192-row chunks then span slices).
      const starts: number[] = [];
      const counts: number[] = [];
      for (let at = 0; at < count;) {
        const take = Math.min(count - at, random.int(1, 5000));
        starts.push(at);
        counts.push(take);
        at += take;
      }
      const written = scorer.scoreRanges(
        query,
        list,
        Int32Array.from(starts),
        Int32Array.from(counts),
        starts.length,
        out,
      );
      expect(written).toBe(count);
      const exact = new Float64Array(count);
      scorer.exactScores(query, list, count, exact);
      for (let j = 0; j < count; j++) {
        const o = list[j]! * d;
        let s = 0;
        let mag = 0;
        for (let p = 0; p < d; p++) {
          s += query[p]! * rows[o + p]!;
          mag += Math.abs(query[p]! * rows[o + p]!);
        }
        expect(exact[j]).toBe(s);
        expect(Math.abs(out[j]! - s)).toBeLessThanOrEqual(d * 2 ** -23 * mag + 1e-6);
      }
    }
  });

  it('places the rows after the scratch area of one WebAssembly memory, and is null for any other array', () => {
    const rows = allocateKernelRows(130);
    expect(rows.byteOffset).toBe(KERNEL_ROWS_SCRATCH_BYTES);
    expect(Array.from(rows.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(KernelRows.of(rows, 65)).toBe(KernelRows.of(rows, 65)); // one scorer per memory and dimension
    expect(KernelRows.of(rows, 13)).not.toBeNull();
    expect(KernelRows.of(rows, 3)).toBeNull(); // 130 is not a multiple of 3
    expect(KernelRows.of(rows.subarray(65), 65)).toBeNull(); // not the whole array
    expect(KernelRows.of(new Float32Array(130), 65)).toBeNull();
    expect(KernelRows.of(allocateKernelRows(2 * 4097), 4097)).toBeNull(); // past the query area
    expect(() => allocateKernelRows(-1)).toThrow(RangeError);
    expect(() => allocateKernelRows(1.5)).toThrow(/non-negative integer/);
    expect(() => allocateKernelRows(2 ** 30)).toThrow(/exceed WebAssembly's 4 GiB/);
    // allocateRows: kernel rows when they fit, else an ordinary array (not allocated here: 4 GiB).
    expect(KernelRows.of(allocateRows(130), 65)).not.toBeNull();
    expect(() => allocateRows(-1)).toThrow(RangeError);
  });

  it('is gatherKernel.wat compiled by wabt (the shipped base64 matches its source)', async () => {
    expect(await watBinaryBase64('src/stores/embedded/gatherKernel.wat')).toBe(GATHER_KERNEL_BASE64);
  });
});

/** Halves rows and a float32 kernel copy of their decoded values (halfTable()[h]). */
function halvesAndDecoded(halves: Uint16Array): Float32Array {
  const decoded = allocateKernelRows(halves.length);
  const table = halfTable();
  for (let i = 0; i < halves.length; i++) decoded[i] = table[halves[i]!]!;
  return decoded;
}

/** Slices of `list` cut at random sizes 0..maxTake (empty slices included). */
function randomSlices(random: Random, count: number, maxTake: number): [Int32Array, Int32Array] {
  const starts: number[] = [];
  const counts: number[] = [];
  for (let at = 0; at < count;) {
    const take = Math.min(count - at, random.int(0, maxTake));
    starts.push(at);
    counts.push(take);
    at += take;
  }
  return [Int32Array.from(starts), Int32Array.from(counts)];
}

/** Where two score arrays first differ under Object.is (bit for bit, NaN payloads aside), or null when they do not. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} and ${b[i]}`;
  return null;
}

describe('allocateKernelHalves and KernelRows over halves (issue #6: item vectors as float16)', () => {
  it('hand-worked: query (1, 2, 3, 4, 5) against halves of (0.5, −0.25, 2^-24, 65504, 0) gives float32 262016 and float64 262016 + 3·2^-24', () => {
    const halves = allocateKernelHalves(15);
    for (const [i, x] of [1, 2, 3, 4, 5, 0.5, -0.25, 2 ** -24, 65504, 0, 1, 1, 1, 1, 1].entries()) {
      halves[i] = toHalf(x);
    }
    const scorer = KernelRows.of(halves, 5)!;
    expect(scorer.precision).toBe('float16');
    const query = Float32Array.of(1, 2, 3, 4, 5);
    const out = new Float32Array(3);
    expect(
      scorer.scoreRanges(query, Int32Array.of(0, 1, 2), Int32Array.of(0), Int32Array.of(3), 1, out),
    ).toBe(3);
    // Row 1: lanes (0.5, −0.5, 3·2^-24, 262016) summed as (0.5 − 0.5) + (3·2^-24 + 262016), rounded to
    // float32 262016; then + 5 × 0.
    expect(Array.from(out)).toEqual([55, 262016, 15]);
    const exact = new Float64Array(3);
    scorer.exactScores(query, Int32Array.of(0, 1, 2), 3, exact);
    expect(Array.from(exact)).toEqual([55, 262016 + 3 * 2 ** -24, 15]);
    const row = new Float32Array(5);
    scorer.readRow(1, row);
    expect(Array.from(row)).toEqual([0.5, -0.25, 2 ** -24, 65504, 0]);
  });

  it('scoreRanges equals, bit for bit, the float32 kernel over the decoded rows: unit rows, d = 65, 7, 8, 1, 4, 3', () => {
    const random = createRandom(61);
    for (const d of [65, 7, 8, 1, 4, 3]) {
      const n = 3000;
      const halves = allocateKernelHalves(n * d);
      encodeHalves(unitRows(random, n, d), halves);
      const decoded = halvesAndDecoded(halves);
      const half = KernelRows.of(halves, d)!;
      const single = KernelRows.of(decoded, d)!;
      expect([half.precision, single.precision]).toEqual(['float16', 'float32']);
      const query = unitRows(random, 1, d);
      const list = Int32Array.from({ length: 20_000 }, () => random.int(0, n - 1));
      // Shapes: slices of 0..5,000 rows over 20,000 (three chunks, boundaries inside slices); slices
      // of 0..13 rows (counts not multiples of 8); exactly 8,192 and 8,193 rows; one row; no range.
      const shapes: [Int32Array, Int32Array][] = [
        randomSlices(random, 20_000, 5000),
        randomSlices(random, 500, 13),
        [Int32Array.of(0), Int32Array.of(8192)],
        [Int32Array.of(7, 8199), Int32Array.of(8192, 1)],
        [Int32Array.of(3), Int32Array.of(1)],
        [Int32Array.of(5, 9), Int32Array.of(0, 0)],
      ];
      for (const [starts, counts] of shapes) {
        const total = counts.reduce((a, b) => a + b, 0);
        const a = new Float32Array(total + 1).fill(-7);
        const b = new Float32Array(total + 1).fill(-7);
        expect(half.scoreRanges(query, list, starts, counts, starts.length, a)).toBe(total);
        expect(single.scoreRanges(query, list, starts, counts, starts.length, b)).toBe(total);
        expect(firstDifference(a, b)).toBeNull();
      }
      expect(
        half.scoreRanges(query, list, new Int32Array(0), new Int32Array(0), 0, new Float32Array(0)),
      ).toBe(0);
    }
  });

  it('scoreRanges equals the float32 kernel over decoded rows of any finite halves (subnormals, ±0, ±65504) and wide queries', () => {
    const random = createRandom(62);
    for (const d of [65, 7, 8, 1]) {
      const n = 2000;
      const halves = allocateKernelHalves(n * d);
      for (let i = 0; i < halves.length; i++) {
        let h = random.int(0, 0xffff);
        while ((h & 0x7c00) === 0x7c00) h = random.int(0, 0xffff); // finite rows only
        halves[i] = h;
      }
      halves.set([0x0000, 0x8000, 0x0001, 0x83ff, 0x7bff, 0xfbff, 0x0400].slice(0, halves.length));
      const decoded = halvesAndDecoded(halves);
      const half = KernelRows.of(halves, d)!;
      const single = KernelRows.of(decoded, d)!;
      for (let trial = 0; trial < 4; trial++) {
        // Components from 2^-140 (float32 subnormals) to just under 65536, and signed zeros.
        const query = Float32Array.from({ length: d }, () => random.normal() * 2 ** random.int(-140, 14));
        if (trial === 3) query.set([-0, 65535.99, 2 ** -149].slice(0, d));
        const list = Int32Array.from({ length: 9000 }, () => random.int(0, n - 1));
        const [starts, counts] = randomSlices(random, list.length, 700);
        const a = new Float32Array(list.length);
        const b = new Float32Array(list.length);
        half.scoreRanges(query, list, starts, counts, starts.length, a);
        single.scoreRanges(query, list, starts, counts, starts.length, b);
        expect(firstDifference(a, b)).toBeNull();
        const ea = new Float64Array(list.length);
        const eb = new Float64Array(list.length);
        half.exactScores(query, list, list.length, ea);
        single.exactScores(query, list, list.length, eb);
        expect(firstDifference(ea, eb)).toBeNull();
      }
    }
  });

  it('exactScores is bit for bit a JavaScript float64 loop s += q[p] * table[h], in chunks past 8,192 rows', () => {
    const random = createRandom(63);
    const table = halfTable();
    for (const d of [65, 7, 8, 1]) {
      const n = 3000;
      const halves = allocateKernelHalves(n * d);
      encodeHalves(unitRows(random, n, d), halves);
      const scorer = KernelRows.of(halves, d)!;
      const query = unitRows(random, 1, d);
      for (const count of [0, 1, 3, 4, 13, 8193, 20_001]) {
        const list = Int32Array.from({ length: count }, () => random.int(0, n - 1));
        const out = new Float64Array(count + 1).fill(-7);
        scorer.exactScores(query, list, count, out);
        const expected = new Float64Array(count + 1).fill(-7);
        for (let j = 0; j < count; j++) {
          let s = 0;
          for (let p = 0; p < d; p++) s += query[p]! * table[halves[list[j]! * d + p]!]!;
          expected[j] = s;
        }
        expect(firstDifference(out, expected)).toBeNull();
      }
    }
  });

  it('rejects a query component the 2^112 prescale would overflow (|q| ≥ 65536); ±Infinity scores as over float32 rows', () => {
    const halves = allocateKernelHalves(8);
    halves.set([0x3c00, 0x0000, 0xc000, 0x0001, 0x3c00, 0x3c00, 0x3c00, 0x3c00]);
    const half = KernelRows.of(halves, 4)!;
    const single = KernelRows.of(halvesAndDecoded(halves), 4)!;
    const list = Int32Array.of(0, 1);
    const one = Int32Array.of(0);
    const two = Int32Array.of(2);
    for (const q of [Float32Array.of(65536, 0, 0, 0), Float32Array.of(0, 0, 0, -1e30)]) {
      expect(() => half.scoreRanges(q, list, one, two, 1, new Float32Array(2))).toThrow(RangeError);
      expect(() => half.exactScores(q, list, 2, new Float64Array(2))).toThrow(/\|q\| < 65536/);
    }
    const q = Float32Array.of(Infinity, -Infinity, 1, 65535);
    const a = new Float32Array(2);
    const b = new Float32Array(2);
    half.scoreRanges(q, list, one, two, 1, a);
    single.scoreRanges(q, list, one, two, 1, b);
    expect(firstDifference(a, b)).toBeNull();
    expect(Number.isNaN(a[0])).toBe(true); // ∞·1 + (−∞)·0: NaN, as over float32 rows
  });

  it('readRow copies a row as float32, decoded from halves or as stored, and checks its arguments', () => {
    const random = createRandom(64);
    const d = 7;
    const floats = unitRows(random, 10, d);
    const halves = allocateKernelHalves(70);
    encodeHalves(floats, halves);
    const rows = allocateKernelRows(70);
    rows.set(floats);
    const out = new Float32Array(d + 1).fill(-7);
    KernelRows.of(halves, d)!.readRow(9, out);
    expect(Array.from(out)).toEqual([...Array.from(halves.subarray(63, 70), (h) => halfTable()[h]!), -7]);
    for (let p = 0; p < d; p++) expect(Math.abs(out[p]! - floats[63 + p]!)).toBeLessThanOrEqual(2 ** -12);
    KernelRows.of(rows, d)!.readRow(3, out);
    expect(Array.from(out.subarray(0, d))).toEqual(Array.from(floats.subarray(21, 28)));
    const scorer = KernelRows.of(halves, d)!;
    expect(() => scorer.readRow(10, out)).toThrow(RangeError);
    expect(() => scorer.readRow(-1, out)).toThrow(RangeError);
    expect(() => scorer.readRow(0.5, out)).toThrow(RangeError);
    expect(() => scorer.readRow(0, new Float32Array(d - 1))).toThrow(/into 6 floats/);
  });

  it('places the halves after the scratch area of one WebAssembly memory; null for any other array; allocation errors', () => {
    const halves = allocateKernelHalves(130);
    expect(halves.byteOffset).toBe(KERNEL_ROWS_SCRATCH_BYTES);
    expect(halves.buffer.byteLength).toBe(KERNEL_ROWS_SCRATCH_BYTES + 65536); // 260 bytes: one more page
    expect(Array.from(halves.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(KernelRows.of(halves, 65)).toBe(KernelRows.of(halves, 65));
    expect(KernelRows.of(halves, 13)?.precision).toBe('float16');
    expect(KernelRows.of(halves, 3)).toBeNull(); // 130 is not a multiple of 3
    expect(KernelRows.of(halves.subarray(65), 65)).toBeNull(); // not the whole array
    expect(KernelRows.of(new Uint16Array(130), 65)).toBeNull();
    expect(KernelRows.of(allocateKernelHalves(2 * 4097), 4097)).toBeNull(); // past the query area
    // The other element type over the same bytes is no scorer's rows.
    const rows = allocateKernelRows(130);
    expect(KernelRows.of(rows, 65)?.precision).toBe('float32');
    expect(KernelRows.of(new Uint16Array(rows.buffer, KERNEL_ROWS_SCRATCH_BYTES, 130), 65)).toBeNull();
    expect(KernelRows.of(new Float32Array(halves.buffer, KERNEL_ROWS_SCRATCH_BYTES, 130), 65)).toBeNull();
    expect(() => allocateKernelHalves(-1)).toThrow(RangeError);
    expect(() => allocateKernelHalves(1.5)).toThrow(/kernel halves: expected a non-negative integer/);
    expect(() => allocateKernelHalves(2 ** 31)).toThrow(/2147483648 halves .* exceed WebAssembly's 4 GiB/);
    // allocateHalfRows: kernel halves when they fit, else an ordinary array (not allocated here: 4 GiB).
    expect(KernelRows.of(allocateHalfRows(130), 65)?.precision).toBe('float16');
    expect(() => allocateHalfRows(-1)).toThrow(RangeError);
    expect(() => allocateHalfRows(0.5)).toThrow(RangeError);
  });

  it('is halfKernel.wat compiled by wabt (the shipped base64 matches its source)', async () => {
    expect(await watBinaryBase64('src/stores/embedded/halfKernel.wat')).toBe(HALF_KERNEL_BASE64);
  });
});
