import { describe, expect, it } from 'vitest';
import { watBinaryBase64 } from '../../support/watBinary.js';
import { createRandom } from '../../../src/domain/random.js';
import { CODE_KERNEL_BASE64, CodeScorer } from '../../../src/stores/ann/codeScorer.js';

describe('CodeScorer (int8 codes, SIMD kernel)', () => {
  it('scores weights against row ranges as the float64 sum does, to float32 accuracy', () => {
    const random = createRandom(3);
    for (const d of [1, 15, 16, 17, 65]) {
      const n = 40;
      const scorer = new CodeScorer(d, n);
      expect(scorer.stride % 16).toBe(0);
      for (let r = 0; r < n; r++)
        for (let p = 0; p < d; p++) scorer.codes[r * scorer.stride + p] = random.int(-127, 127);
      const w = Float32Array.from({ length: d }, () => random.normal());
      const starts = Int32Array.of(3, 20, 39);
      const counts = Int32Array.of(5, 0, 1);
      const got = scorer.scoreRanges(w, starts, counts, 3);
      const rows = [3, 4, 5, 6, 7, 39];
      expect(got.length).toBe(rows.length);
      rows.forEach((r, j) => {
        let s = 0;
        let mag = 0;
        for (let p = 0; p < d; p++) {
          s += w[p]! * scorer.codes[r * scorer.stride + p]!;
          mag += Math.abs(w[p]! * scorer.codes[r * scorer.stride + p]!);
        }
        expect(Math.abs(got[j]! - s)).toBeLessThanOrEqual(d * 2 ** -23 * mag + 1e-6);
      });
    }
  });

  it('hand-worked: weights (0.5, −2) against codes (4, 3) and (−127, 127) give −4 and −317.5', () => {
    const scorer = new CodeScorer(2, 2);
    scorer.codes.set([4, 3], 0);
    scorer.codes.set([-127, 127], scorer.stride);
    expect(
      Array.from(scorer.scoreRanges(Float32Array.of(0.5, -2), Int32Array.of(0), Int32Array.of(2), 1)),
    ).toEqual([-4, -317.5]);
  });

  it('is codeKernel.wat compiled by wabt (the shipped base64 matches its source)', async () => {
    expect(await watBinaryBase64('src/stores/ann/codeKernel.wat')).toBe(CODE_KERNEL_BASE64);
  });
});
