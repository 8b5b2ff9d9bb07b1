import { badUserInput } from './badUserInput.js';

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time with a time zone (`2026-11-29T10:00:00Z`,
 * `2026-11-29T11:00:00.5+01:00`) to Unix ms, or `null` when it is not one.
 * Calendar-checked (no 31 February); leap seconds (`:60`) are not accepted.
 * Fractions beyond milliseconds are truncated.
 */
export function rfc3339ToMillis(value: string): number | null {
  const m = RFC_3339.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (day < 1 || date.getUTCDate() !== day) return null;
  const millis = Number((m[7] ?? '.').slice(1, 4).padEnd(3, '0'));
  date.setUTCHours(hour, minute, second, millis);
  const sign = m[8]?.startsWith('-') ? -1 : 1;
  const offset = m[9] === undefined ? 0 : sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() - offset;
}

/**
 * Parses a `DateTime` argument to Unix ms.
 * @throws PublicError BAD_USER_INPUT naming `argument` when it is not RFC 3339.
 */
export function parseDateTime(value: string, argument: string): number {
  const ms = rfc3339ToMillis(value);
  if (ms === null) {
    throw badUserInput(argument, 'be an RFC 3339 date-time such as "2026-11-29T10:00:00Z"', value);
  }
  return ms;
}

/** {@link parseDateTime} for an optional argument: `null` and `undefined` give `null`. */
export function optionalDateTime(value: string | null | undefined, argument: string): number | null {
  return value === null || value === undefined ? null : parseDateTime(value, argument);
}
