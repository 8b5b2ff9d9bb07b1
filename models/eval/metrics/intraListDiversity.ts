/**
 * Intra-list diversity over categories: 1 − mean Jaccard similarity of the category sets of all
 * n·(n − 1)/2 unordered pairs in the list (Ziegler et al., "Improving recommendation lists through
 * topic diversification", WWW 2005, intra-list similarity, with Jaccard as the item similarity).
 * Jaccard(A, B) = |A ∩ B| / |A ∪ B|; two items that both have **no** categories count as
 * identical (Jaccard 1), an item without categories and one with some as disjoint (Jaccard 0).
 * Repeated labels in `categoriesOf` are treated as a set.
 * @param list item ids (e.g. a top-k list); ids should be distinct.
 * @param categoriesOf item id → its category labels (genres), possibly empty.
 * @returns a value in [0, 1], 1 = no two items share a category; 0 for a list of fewer than 2 items.
 */
export function intraListDiversity(
  list: readonly string[],
  categoriesOf: (itemId: string) => readonly string[],
): number {
  const n = list.length;
  if (n < 2) return 0;
  const sets = list.map((id) => new Set(categoriesOf(id)));
  let similarity = 0;
  for (let i = 0; i < n; i++) {
    const a = sets[i] as Set<string>;
    for (let j = i + 1; j < n; j++) similarity += jaccard(a, sets[j] as Set<string>);
  }
  return 1 - similarity / ((n * (n - 1)) / 2);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const small = a.size <= b.size ? a : b;
  const large = small === a ? b : a;
  let shared = 0;
  for (const label of small) if (large.has(label)) shared++;
  return shared / (a.size + b.size - shared);
}
