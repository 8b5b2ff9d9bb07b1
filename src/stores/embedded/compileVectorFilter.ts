import type { VectorFilter } from '../vectorIndex.js';

/**
 * A {@link VectorFilter} turned into sets for O(1) checks per candidate.
 * Each field is null when the filter sets no such constraint.
 */
export interface CompiledVectorFilter {
  readonly excludeIds: ReadonlySet<string> | null;
  readonly categoriesAny: ReadonlySet<string> | null;
  readonly categoriesNone: ReadonlySet<string> | null;
  readonly availableOnly: boolean;
}

/**
 * Compiles a filter once per search. Empty or missing lists become null (no
 * constraint, per the port's contract); returns null when nothing constrains.
 * O(total list length).
 */
export function compileVectorFilter(filter: VectorFilter | undefined): CompiledVectorFilter | null {
  if (filter === undefined) return null;
  const set = (list: readonly string[] | undefined): ReadonlySet<string> | null =>
    list !== undefined && list.length > 0 ? new Set(list) : null;
  const compiled: CompiledVectorFilter = {
    excludeIds: set(filter.excludeIds),
    categoriesAny: set(filter.categoriesAny),
    categoriesNone: set(filter.categoriesNone),
    availableOnly: filter.availableOnly === true,
  };
  const constrains =
    compiled.excludeIds !== null ||
    compiled.categoriesAny !== null ||
    compiled.categoriesNone !== null ||
    compiled.availableOnly;
  return constrains ? compiled : null;
}

/**
 * True when an item with this id, categories (empty = none) and availability
 * passes every constraint of `f`.
 */
export function passesVectorFilter(
  f: CompiledVectorFilter,
  itemId: string,
  categories: readonly string[],
  available: boolean,
): boolean {
  if (f.excludeIds !== null && f.excludeIds.has(itemId)) return false;
  if (f.availableOnly && !available) return false;
  if (f.categoriesAny !== null && !categories.some((c) => f.categoriesAny!.has(c))) return false;
  if (f.categoriesNone !== null && categories.some((c) => f.categoriesNone!.has(c))) return false;
  return true;
}
