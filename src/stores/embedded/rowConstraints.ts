import type { VectorSearchOptions } from '../vectorIndex.js';

/**
 * A search's constraints on rows, compiled once per search by
 * {@link compileRowConstraints}: the rows of `filter.excludeIds` are marked
 * in the index's `blocked` array (and listed in `blockedRows`, so the index
 * unmarks them when the search ends); the category sets are null when the
 * filter sets none. Shared by the in-process indexes (`ExactVectorIndex`,
 * `IvfVectorIndex`), which keep rows' payloads as columns.
 */
export interface RowConstraints {
  readonly blockedRows: number[];
  readonly availableOnly: boolean;
  readonly categoriesAny: ReadonlySet<string> | null;
  readonly categoriesNone: ReadonlySet<string> | null;
  readonly exclude: ((itemId: string) => boolean) | undefined;
  readonly allow: ((itemId: string) => boolean) | undefined;
}

/**
 * The constraints of one search, or null when nothing constrains (an empty
 * list is no constraint). Marks the rows of `filter.excludeIds` in `blocked`
 * (1 = blocked); the caller must unmark `blockedRows` when the search ends.
 * @param rowOf the row of an item id, undefined for an unknown id (ignored).
 */
export function compileRowConstraints(
  { filter, exclude, allow }: VectorSearchOptions,
  rowOf: (itemId: string) => number | undefined,
  blocked: Uint8Array,
): RowConstraints | null {
  const blockedRows: number[] = [];
  for (const id of filter?.excludeIds ?? []) {
    const row = rowOf(id);
    if (row !== undefined && blocked[row] === 0) {
      blocked[row] = 1;
      blockedRows.push(row);
    }
  }
  const set = (list: readonly string[] | undefined): ReadonlySet<string> | null =>
    list !== undefined && list.length > 0 ? new Set(list) : null;
  const c: RowConstraints = {
    blockedRows,
    availableOnly: filter?.availableOnly === true,
    categoriesAny: set(filter?.categoriesAny),
    categoriesNone: set(filter?.categoriesNone),
    exclude,
    allow,
  };
  const constrains =
    blockedRows.length > 0 ||
    c.availableOnly ||
    c.categoriesAny !== null ||
    c.categoriesNone !== null ||
    exclude !== undefined ||
    allow !== undefined;
  return constrains ? c : null;
}

/**
 * Whether `row` passes the constraints that read the payload columns: not
 * blocked, available when `availableOnly`, and its categories
 * (`categoryLists[categoryCodes[row]]`, as a `CategoryInterner` codes them)
 * meet `categoriesAny` / `categoriesNone`. The id predicates (`exclude`,
 * `allow`) are the caller's to apply, since only it knows the row's id.
 */
export function passesPayload(
  c: RowConstraints,
  row: number,
  blocked: Uint8Array,
  available: Uint8Array,
  categoryCodes: Int32Array,
  categoryLists: readonly (readonly string[])[],
): boolean {
  if (blocked[row] === 1) return false;
  if (c.availableOnly && available[row] === 0) return false;
  if (c.categoriesAny !== null || c.categoriesNone !== null) {
    let any = c.categoriesAny === null;
    for (const x of categoryLists[categoryCodes[row]!]!) {
      if (c.categoriesNone?.has(x) === true) return false;
      if (!any && c.categoriesAny!.has(x)) any = true;
    }
    if (!any) return false;
  }
  return true;
}
