/**
 * Area under the ROC curve via the Mann–Whitney U statistic (Hanley & McNeil,
 * "The meaning and use of the area under a ROC curve", Radiology 1982): the
 * probability that a random positive scores above a random negative, a tie
 * counting ½. Computed from mid-ranks: AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋),
 * R₊ the sum of the positives' ranks in ascending score order, tied scores
 * sharing the mean of their ranks.
 *
 * @param scores n finite scores; higher means "more likely positive".
 * @param labels n labels, each 0 or 1.
 * @returns AUC in [0, 1]; 0.5 for uninformative scores. O(n log n).
 * @throws RangeError on a length mismatch, a non-finite score, a label other
 *   than 0/1, or when either class is absent (AUC is undefined).
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) {
    throw new RangeError(`auc: scores and labels must have the same length, got ${n} and ${labels.length}`);
  }
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    const label = labels[i] as number;
    if (!Number.isFinite(s)) throw new RangeError(`auc: scores must be finite, got ${s} at ${i}`);
    if (label !== 0 && label !== 1) throw new RangeError(`auc: labels must be 0 or 1, got ${label} at ${i}`);
    positives += label;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError(`auc: needs both classes, got ${positives} positives and ${negatives} negatives`);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    const value = scores[order[start] as number] as number;
    let end = start + 1;
    while (end < n && scores[order[end] as number] === value) end++;
    // Ranks start+1 … end (1-based) share their mean.
    const midRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) positiveRankSum += (labels[order[k] as number] as number) * midRank;
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
