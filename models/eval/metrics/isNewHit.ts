/**
 * Whether position `i` (0-based) of `ranked` is a hit that counts: the id is in `relevant`
 * and this is its first occurrence in the list. A repeated id is a miss at every later
 * position, so a list with duplicates can never score above a list without them (no metric
 * exceeds 1). Allocation-free; O(i) only when the id is relevant.
 */
export function isNewHit(ranked: readonly string[], i: number, relevant: ReadonlySet<string>): boolean {
  const id = ranked[i];
  return id !== undefined && relevant.has(id) && ranked.indexOf(id) === i;
}
