/**
 * Describes a received argument value for an error message: short strings are
 * quoted, long ones are reported by length (never echoed in full), lists by
 * length, numbers as written.
 */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    if (value.length === 0) return 'an empty string';
    if (value.trim().length === 0) return `a blank string of ${value.length} characters`;
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
