/** The shared empty category list. */
export const NO_CATEGORIES: readonly string[] = Object.freeze([]);

/**
 * Interns category lists: equal lists (same strings in the same order) share
 * one frozen array, so a million items drawn from a few hundred distinct lists
 * hold a few hundred arrays. Used by the in-process vector indexes for their
 * per-row payloads.
 */
export class CategoryInterner {
  private readonly lists = new Map<string, readonly string[]>();

  /** The shared frozen copy of `list` ({@link NO_CATEGORIES} for none or an empty list). */
  intern(list: readonly string[] | undefined): readonly string[] {
    if (list === undefined || list.length === 0) return NO_CATEGORIES;
    const key = JSON.stringify(list); // unambiguous, unlike a join: no separator can collide
    let shared = this.lists.get(key);
    if (shared === undefined) {
      shared = Object.freeze([...list]);
      this.lists.set(key, shared);
    }
    return shared;
  }
}
