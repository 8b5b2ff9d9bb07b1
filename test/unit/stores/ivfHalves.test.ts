import { expect, it } from 'vitest';
import { encodeHalfRows } from '../../../src/domain/itemVectors.js';
import { IvfVectorIndex } from '../../../src/stores/ann/ivfVectorIndex.js';
import { allocateKernelHalves, allocateKernelRows } from '../../../src/stores/embedded/kernelRows.js';
import { createRandom } from '../../../src/domain/random.js';

/**
 * Regression (attack on the float16 work): with a repeated id the halves
 * cannot be scanned in place, and the index copied their bit patterns (15360
 * for 1.0) as if they were values. They are decoded first now.
 */
it('IVF over halves with a repeated id scores the decoded values, with storage none and float32', async () => {
  const rnd = createRandom(3);
  const n = 300,
    d = 5;
  const floats = allocateKernelRows(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < d; p++) {
      floats[i * d + p] = rnd.next() * 2 - 1;
      s += floats[i * d + p]! ** 2;
    }
    for (let p = 0; p < d; p++) floats[i * d + p]! /= Math.sqrt(s);
  }
  const halves = allocateKernelHalves(n * d);
  encodeHalfRows(floats, d, halves);
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  ids[n - 1] = 'i0'; // one repeated id (a later duplicate replaces the earlier one's vector)
  for (const storage of ['none', 'float32'] as const) {
    const i32 = IvfVectorIndex.fromVectors(ids, floats, d, { storage, ivf: { lists: 4, probes: 4 } });
    const i16 = IvfVectorIndex.fromVectors(ids, halves, d, { storage, ivf: { lists: 4, probes: 4 } });
    const q = floats.slice(7 * d, 8 * d);
    const a = await i32.search(q, 5);
    const b = await i16.search(q, 5);
    const v = await i16.vectorOf('i7');
    expect(i16.storage).toBe('float32'); // a repeated id: no in-place scan, a decoded copy
    expect(b.map((h) => h.itemId)).toEqual(a.map((h) => h.itemId));
    b.forEach((h, k) => expect(Math.abs(h.score - a[k]!.score)).toBeLessThan(1e-3));
    Array.from(v!).forEach((x, p) => expect(Math.abs(x - q[p]!)).toBeLessThan(1e-3));
  }
});
