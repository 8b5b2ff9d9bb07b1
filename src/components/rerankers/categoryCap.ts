/**
 * Caps categories in the top of a list: scanning `order`, an item any of whose
 * categories already has `cap` items in the top `window` is deferred; the top
 * is filled by the next items that fit. Deferred items follow the top (in
 * their original order), then the rest. When too few items fit, deferred
 * items fill the top after all (the cap cannot be met). An item counts
 * towards each of its categories.
 * @param cap ≥ 1 items per category; 0 returns `order` unchanged.
 * @returns a permutation of `order`.
 */
export function capCategories(
  order: readonly number[],
  categoriesOf: (index: number) => readonly string[],
  cap: number,
  window: number,
): number[] {
  if (cap <= 0 || window <= 0) return order.slice();
  const counts = new Map<string, number>();
  const top: number[] = [];
  const deferred: number[] = [];
  let j = 0;
  for (; j < order.length && top.length < window; j++) {
    const idx = order[j]!;
    const cats = categoriesOf(idx);
    if (cats.some((c) => (counts.get(c) ?? 0) >= cap)) {
      deferred.push(idx);
      continue;
    }
    top.push(idx);
    for (const c of new Set(cats)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return top.concat(deferred, order.slice(j));
}
