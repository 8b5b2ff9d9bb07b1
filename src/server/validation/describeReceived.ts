/**
 * Describes a received argument value for an error message: short strings are
 * quoted, long ones are reported by length in Unicode code points, the unit
 * the id and text limits count (never echoed in full), lists by length,
 * numbers as written.
 */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    if (value.length === 0) return 'an empty string';
    if (value.trim().length === 0) return `a blank string of ${value.length} characters`;
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${codePoints(value)} characters`;
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Unicode code points in `s` (a surrogate pair counts once), without an array of them. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
