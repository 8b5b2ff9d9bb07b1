/**
 * Novelty of a list: mean self-information −log2(share(i)) of its items (Zhou et al., "Solving
 * the apparent diversity–accuracy dilemma of recommender systems", PNAS 107(10), 2010; Castells,
 * Vargas & Wang, "Novelty and diversity metrics for recommender systems: choice, discovery and
 * relevance", DDR@ECIR 2011; evaluation.md: "mean −log2 of item popularity share"). recgate's
 * share is the interaction share of `popularityShareFrom`.
 * @param list item ids (e.g. a top-k list).
 * @param popularityShare item id → share in (0, 1].
 * @returns bits, ≥ 0 (higher = less popular items); 0 for an empty list.
 * @throws RangeError when a share is not in (0, 1].
 */
export function novelty(list: readonly string[], popularityShare: (itemId: string) => number): number {
  if (list.length === 0) return 0;
  let sum = 0;
  for (const id of list) {
    const share = popularityShare(id);
    if (!(share > 0 && share <= 1)) {
      throw new RangeError(`popularity share of item "${id}" must be in (0, 1], got ${share}`);
    }
    sum -= Math.log2(share);
  }
  return sum / list.length;
}
