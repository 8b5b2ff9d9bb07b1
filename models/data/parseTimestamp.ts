/**
 * How a dataset writes its timestamps.
 * - `unixSeconds`: an integer number of seconds since 1970-01-01 UTC (all the
 *   MovieLens and MovieTweetings files).
 * - `flexible`: the generic format's rule, see {@link parseTimestamp}.
 */
export type TimestampFormat = 'unixSeconds' | 'flexible';

/**
 * Numbers below this are Unix **seconds**, numbers at or above it Unix
 * **milliseconds** (`flexible` format). 1e11 s is the year 5138; 1e11 ms is
 * 1973-03-03, so every plausible timestamp (1990 onwards) is unambiguous.
 */
export const SECONDS_MS_CUTOFF = 1e11;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Parses a timestamp to Unix milliseconds (UTC), or returns `NaN` when the
 * text cannot be read. The range (not before 1990, not in the future) is
 * checked by the validator, not here.
 *
 * - `unixSeconds`: `raw` must be an optionally signed integer; the result is
 *   `raw × 1000`.
 * - `flexible` (generic format): a JSON number or numeric string is Unix
 *   seconds when its absolute value is below {@link SECONDS_MS_CUTOFF}
 *   (decimals allowed, rounded to the millisecond) and Unix milliseconds
 *   otherwise; any other string must be ISO 8601: `YYYY-MM-DD` (midnight UTC),
 *   `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or `±HH[:MM]` offset
 *   (no offset means UTC; a space may replace `T`). Impossible calendar dates
 *   (`2021-02-30`, hour 25) give `NaN`.
 */
export function parseTimestamp(raw: string | number, format: TimestampFormat): number {
  if (typeof raw === 'number') {
    if (format === 'unixSeconds') return Number.isInteger(raw) ? raw * 1000 : NaN;
    return numberToMs(raw);
  }
  const text = raw.trim();
  if (format === 'unixSeconds') return INTEGER.test(text) ? Number(text) * 1000 : NaN;
  if (DECIMAL.test(text)) return numberToMs(Number(text));
  return parseIso8601(text);
}

function numberToMs(n: number): number {
  if (!Number.isFinite(n)) return NaN;
  return Math.abs(n) < SECONDS_MS_CUTOFF ? Math.round(n * 1000) : Math.round(n);
}

function parseIso8601(text: string): number {
  const m = ISO_8601.exec(text);
  if (m === null) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = frac === '' ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Reject overflowing fields (Date.UTC silently rolls 2021-02-30 over to March).
  const check = new Date(Date.UTC(year, month - 1, day));
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return NaN;
  }
  return utc - zoneOffsetMs(zone);
}

/** `Z` → 0; `+02`, `+0200`, `+02:00` → 7_200_000; `-05:30` → -19_800_000. */
function zoneOffsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}
