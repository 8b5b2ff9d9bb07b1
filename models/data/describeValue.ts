/** Longest raw value quoted in a bad-row reason, in characters. */
const MAX_SHOWN = 40;

/**
 * Quotes a raw field value for a one-line bad-row reason or error message:
 * JSON-style quoting (control characters escaped), Unicode line separators
 * escaped too, and values longer than 40 characters cut with `…`.
 * Non-string values (from JSON Lines) are shown as JSON.
 */
export function describeValue(raw: unknown): string {
  let text: string;
  if (typeof raw === 'string') {
    text = raw.length > MAX_SHOWN ? `${raw.slice(0, MAX_SHOWN)}…` : raw;
    text = JSON.stringify(text);
  } else {
    text = JSON.stringify(raw) ?? String(raw);
    if (text.length > MAX_SHOWN) text = `${text.slice(0, MAX_SHOWN)}…`;
  }
  return text.replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
