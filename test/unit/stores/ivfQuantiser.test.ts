import { describe, expect, it } from 'vitest';
import { encodeHalfRows, float32Vectors } from '../../../src/domain/itemVectors.js';
import { createRandom } from '../../../src/domain/random.js';
import {
  itemVectorIvfRows,
  stridedIvfRows,
  trainIvfQuantiser,
} from '../../../src/stores/ann/ivfQuantiser.js';
import type { IvfRows } from '../../../src/stores/ann/ivfQuantiser.js';
import { unitRows } from '../../support/unitRows.js';

/** The options every case trains with (seeded: the same draws for every source). */
const options = (lists: number, trainingSample: number) => ({
  lists,
  trainingSample,
  iterations: 6,
  random: createRandom(17),
});

describe('trainIvfQuantiser', () => {
  it('gives the same lists however the rows are kept: strided float32, packed float32, or halves and their decoded copy', () => {
    const n = 3000;
    const d = 8;
    const rows = unitRows(createRandom(5), n, d);
    const stride = d + 4;
    const strided = new Float32Array(n * stride).fill(Number.NaN);
    for (let i = 0; i < n; i++) strided.set(rows.subarray(i * d, (i + 1) * d), i * stride);
    const fromStrided = trainIvfQuantiser(stridedIvfRows(strided, stride, d, n), options(40, 500));
    const fromPacked = trainIvfQuantiser(itemVectorIvfRows(rows, d), options(40, 500));
    expect(fromStrided.lists).toBeGreaterThan(30);
    expect(fromPacked.listOf).toEqual(fromStrided.listOf);
    expect(fromPacked.centroids).toEqual(fromStrided.centroids);

    const halves = new Uint16Array(n * d);
    encodeHalfRows(rows, d, halves);
    const fromHalves = trainIvfQuantiser(itemVectorIvfRows(halves, d), options(40, 500));
    const fromDecoded = trainIvfQuantiser(itemVectorIvfRows(float32Vectors(halves, d), d), options(40, 500));
    expect(fromHalves.listOf).toEqual(fromDecoded.listOf);
    expect(fromHalves.centroids).toEqual(fromDecoded.centroids);
  });

  it('reads the rows a group at a time, never all of them at once (issue #6: no float32 copy of every half)', () => {
    const n = 200_000;
    const d = 4;
    const rows = unitRows(createRandom(9), n, d);
    const inner = itemVectorIvfRows(rows, d);
    let largest = 0;
    let read = 0;
    const counting: IvfRows = {
      count: n,
      dimension: d,
      gather(indices, out) {
        largest = Math.max(largest, indices.length);
        read += indices.length;
        inner.gather(indices, out);
      },
    };
    const progress: number[] = [];
    const q = trainIvfQuantiser(counting, {
      ...options(400, 4000),
      onProgress: (p) => {
        if (p.stage === 'coarse') progress.push(p.done);
      },
    });
    // The sample (4,000), 65,536 rows of the first-level assignment, or one of ~20 groups (~10,000 rows).
    expect(largest).toBeLessThanOrEqual(65_536);
    // Every row once for each level, and the sample.
    expect(read).toBe(2 * n + 4000);
    expect(progress).toEqual([65_536, 131_072, 196_608, 200_000]);
    // A partition into about the lists asked for, each row in one.
    expect(q.listOf.length).toBe(n);
    const sizes = new Int32Array(q.lists);
    for (const l of q.listOf) sizes[l]!++;
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(q.lists).toBeGreaterThan(350);
  });
});
