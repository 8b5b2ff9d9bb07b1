import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { createRandom } from '../../../src/domain/random.js';
import {
  GATHER_KERNEL_BASE64,
  KERNEL_ROWS_SCRATCH_BYTES,
  KernelRows,
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
    const wabt = await wabtInit();
    const wat = readFileSync(
      new URL('../../../src/stores/embedded/gatherKernel.wat', import.meta.url),
      'utf8',
    );
    const module = wabt.parseWat('gatherKernel.wat', wat, { simd: true });
    try {
      expect(Buffer.from(module.toBinary({}).buffer).toString('base64')).toBe(GATHER_KERNEL_BASE64);
    } finally {
      module.destroy();
    }
  });
});
