/** The shared empty category list. */
export const NO_CATEGORIES: readonly string[] = Object.freeze([]);

/**
 * Interns category lists: equal lists (same strings in the same order) share
 * one frozen array and one code, so a million items drawn from a few hundred
 * distinct lists hold a few hundred arrays. Used by the in-process vector
 * indexes for their per-row payloads, which keep a code per row (an
 * Int32Array: 4 bytes per row instead of an 8-byte reference, issue #6).
 */
export class CategoryInterner {
  private readonly codes = new Map<string, number>();
  private readonly distinct: (readonly string[])[] = [NO_CATEGORIES];

  /**
   * The distinct lists by code (do not write to it): code 0 is
   * {@link NO_CATEGORIES}, the others in order of first {@link code} call.
   */
  get lists(): readonly (readonly string[])[] {
    return this.distinct;
  }

  /** The code of `list`: 0 for none or an empty list, otherwise the index of its shared frozen copy in {@link lists}. */
  code(list: readonly string[] | undefined): number {
    if (list === undefined || list.length === 0) return 0;
    const key = JSON.stringify(list); // unambiguous, unlike a join: no separator can collide
    let code = this.codes.get(key);
    if (code === undefined) {
      code = this.distinct.length;
      this.distinct.push(Object.freeze([...list]));
      this.codes.set(key, code);
    }
    return code;
  }

  /** The shared frozen copy of `list` ({@link NO_CATEGORIES} for none or an empty list). */
  intern(list: readonly string[] | undefined): readonly string[] {
    return this.distinct[this.code(list)]!;
  }
}
