import type { Random } from '../../src/domain/random.js';
import { shuffleIndices } from './shuffleIndices.js';

/**
 * Splits rows with 0/1 labels into a training and a held-out part, stratified
 * by label: for each class, round(share·count) of its rows, chosen uniformly
 * with the seeded source, are held out, but at least one row of each present
 * class stays in training. Stratifying keeps a rare positive class (1–5 %)
 * represented in both parts (Kohavi, "A study of cross-validation and
 * bootstrap", IJCAI 1995, recommends stratification).
 *
 * @param y n labels, each 0 or 1 (not checked: callers validate).
 * @param share in [0, 1); 0 returns every row in `train` and draws nothing.
 * @returns row indices of each part, ascending; together a partition of 0..n−1.
 */
export function stratifiedSplit(
  y: Float32Array,
  n: number,
  share: number,
  random: Random,
): { train: Int32Array; validation: Int32Array } {
  if (share === 0) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return { train: all, validation: new Int32Array(0) };
  }
  const held = new Uint8Array(n);
  for (const label of [0, 1]) {
    let count = 0;
    for (let i = 0; i < n; i++) if (y[i] === label) count++;
    const rows = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) if (y[i] === label) rows[k++] = i;
    shuffleIndices(rows, random);
    const nHeld = Math.min(Math.round(share * count), count - 1);
    for (let j = 0; j < nHeld; j++) held[rows[j] as number] = 1;
  }
  let nHeldTotal = 0;
  for (let i = 0; i < n; i++) nHeldTotal += held[i] as number;
  const train = new Int32Array(n - nHeldTotal);
  const validation = new Int32Array(nHeldTotal);
  let t = 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    if (held[i] === 1) validation[h++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
