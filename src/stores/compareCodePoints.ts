/**
 * Compares two strings by Unicode code point, which is the order of their
 * UTF-8 bytes (Redis's order of equal-score sorted-set members, `memcmp`),
 * not by UTF-16 code unit as `<` and `Array.prototype.sort` do: the two
 * differ when a surrogate pair (U+10000 and above, e.g. emoji) meets a
 * character in U+E000..U+FFFF (e.g. fullwidth forms). For well-formed
 * strings (validated ids are: validateId rejects lone surrogates).
 * @returns negative, 0 or positive, as `a` sorts before, with or after `b`. O(common prefix).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

/**
 * A UTF-16 code unit's rank in code point order, for the first unit where two
 * strings differ: surrogates (D800..DFFF, which start code points ≥ U+10000)
 * move above E000..FFFF, each range keeping its own order.
 */
function codeUnitRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}
