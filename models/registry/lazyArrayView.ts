/**
 * A read-only array of `length` elements whose element `i` is built by
 * `at(i)` on each read, so a million-row table kept in typed-array columns
 * can stand where the code reads `readonly T[]` without a million objects on
 * the heap (issue #6: the 1M catalog held 1M item states and 2M neighbour
 * typed arrays as separate objects).
 *
 * It is a `Proxy` over an empty array of that length: index reads, `length`,
 * `in`, iteration and the read-only `Array.prototype` methods (`map`,
 * `forEach`, `slice`, …) work as on an array; every write (set, delete,
 * define) throws a TypeError. Each read builds a new element, so callers must
 * not rely on identity (`view[i] === view[i]` is false for objects) and should
 * read an element once per use. An index read costs a Proxy trap and a string
 * to number conversion (about 0.1 µs), fine for the tens of reads a request
 * makes; scanning every element is O(length) allocations.
 * @param length a non-negative integer; RangeError otherwise.
 * @param at builds element i, 0 ≤ i < length.
 */
export function lazyArrayView<T>(length: number, at: (i: number) => T): readonly T[] {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`length must be an integer ≥ 0, got ${length}`);
  }
  const index = (property: string | symbol): number => {
    if (typeof property !== 'string') return -1;
    const i = Number(property);
    return Number.isInteger(i) && i >= 0 && i < length && String(i) === property ? i : -1;
  };
  const readOnly = (): never => {
    throw new TypeError('a lazy array view is read-only');
  };
  // The target is an EMPTY array: it gives the prototype and makes Array.isArray true, while
  // `length` is answered here. A target of `length` holes would cost 8 bytes per element on
  // the heap, which every major GC scans (16 MB for the two 1M-row views of a 1M catalog).
  const target: T[] = [];
  return new Proxy(target, {
    get(t, property, receiver) {
      if (property === 'length') return length;
      const i = index(property);
      return i >= 0 ? at(i) : (Reflect.get(t, property, receiver) as unknown);
    },
    has: (t, property) => index(property) >= 0 || Reflect.has(t, property),
    getOwnPropertyDescriptor(t, property) {
      // The target's own `length` is writable and non-configurable, so another value may be reported.
      if (property === 'length')
        return { value: length, writable: true, enumerable: false, configurable: false };
      const i = index(property);
      // Non-configurable would clash with the (empty) target's descriptor: report a configurable, read-only value.
      if (i >= 0) return { value: at(i), writable: false, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(t, property);
    },
    ownKeys: (t) => [...Array.from({ length }, (_, i) => String(i)), ...Reflect.ownKeys(t)],
    set: readOnly,
    deleteProperty: readOnly,
    defineProperty: readOnly,
  });
}
