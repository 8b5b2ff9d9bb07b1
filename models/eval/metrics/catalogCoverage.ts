/**
 * Catalog coverage: distinct items recommended to anyone / catalog size (Ge, Delgado-Battenfeld
 * & Jannach, "Beyond accuracy: evaluating recommender systems by coverage and serendipity",
 * RecSys 2010: "prediction/catalog coverage"; Microsoft Recommenders' `catalog_coverage`).
 * Truncate the lists to k first for coverage@k.
 * @param lists one recommendation list per user; ids should be catalog items (an id outside the
 *   catalog still counts, so the value could then exceed 1).
 * @param catalogSize number of items that could be recommended.
 * @returns a value in [0, 1]; 0 for no lists.
 * @throws RangeError unless `catalogSize` is a positive integer.
 */
export function catalogCoverage(lists: Iterable<readonly string[]>, catalogSize: number): number {
  if (!Number.isInteger(catalogSize) || catalogSize < 1) {
    throw new RangeError(`catalogSize must be a positive integer, got ${catalogSize}`);
  }
  const seen = new Set<string>();
  for (const list of lists) for (const id of list) seen.add(id);
  return seen.size / catalogSize;
}
