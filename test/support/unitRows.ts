import type { Random } from '../../src/domain/random.js';

/** `n` random unit rows of `d` floats, row-major (normal components, scaled to length 1). */
export function unitRows(random: Random, n: number, d: number): Float32Array {
  const rows = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let p = 0; p < d; p++) {
      const x = random.normal();
      rows[i * d + p] = x;
      norm += x * x;
    }
    for (let p = 0; p < d; p++) rows[i * d + p] = rows[i * d + p]! / Math.sqrt(norm);
  }
  return rows;
}
