import type { Interaction, InteractionType } from '../../src/domain/interaction.js';
import type { BadRowKind } from './dataset.js';
import { describeValue } from './describeValue.js';
import { parseTimestamp } from './parseTimestamp.js';
import type { TimestampFormat } from './parseTimestamp.js';

/** Earliest accepted interaction time: 1990-01-01T00:00:00Z, in Unix ms. */
export const MIN_TIMESTAMP_MS = Date.UTC(1990, 0, 1);

/** Slack allowed past `now` for clock skew: one day, in ms. */
export const FUTURE_SLACK_MS = 86_400_000;

/**
 * One interaction row as read from a file, before validation. Ids are the
 * raw field text (trimmed by the validator); `timestamp` is the raw text or a
 * JSON number; `value` is the raw text, a JSON number, or `null` / `''` when
 * absent.
 */
export interface RawInteraction {
  readonly userId: string;
  readonly itemId: string;
  readonly timestamp: string | number;
  readonly type: InteractionType;
  readonly value: string | number | null;
}

/**
 * What a valid row looks like for one dataset.
 * - `timestampFormat`: see {@link parseTimestamp}.
 * - `minTimestamp` / `maxTimestamp`: accepted range, Unix ms inclusive
 *   (normally {@link MIN_TIMESTAMP_MS} and `now + FUTURE_SLACK_MS`).
 * - `rating`: accepted `RATING` values, inclusive; `step` (e.g. 0.5 or 1)
 *   requires the value to be a multiple of it, `null` accepts any real.
 */
export interface InteractionRules {
  readonly timestampFormat: TimestampFormat;
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  readonly rating: { readonly min: number; readonly max: number; readonly step: number | null };
}

/** The first problem {@link validateInteraction} found in a row, with a short one-line reason. */
export interface RowProblem {
  readonly kind: Exclude<BadRowKind, 'duplicate' | 'malformed'>;
  readonly reason: string;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Validates one row, checking in this order (the first failure wins):
 * 1. `missingId`: user or item id empty after trimming;
 * 2. `badTimestamp`: unparsable, or outside `[minTimestamp, maxTimestamp]`;
 * 3. `valueOutOfRange`: `RATING` without a value, with a non-numeric or
 *    non-finite value, outside `rules.rating` or off its step; `VIEW` with a
 *    non-numeric, non-finite or negative dwell time (seconds; may be absent).
 * Values of other types are dropped (`value: null`).
 * Duplicates are detected by the caller. Pure; never throws.
 *
 * @returns the {@link Interaction} (ids trimmed, timestamp in Unix ms), or a
 *   {@link RowProblem} (tell them apart with `'kind' in result`).
 */
export function validateInteraction(raw: RawInteraction, rules: InteractionRules): Interaction | RowProblem {
  const userId = raw.userId.trim();
  const itemId = raw.itemId.trim();
  if (userId === '' || itemId === '') {
    const which = userId === '' && itemId === '' ? 'user and item id' : userId === '' ? 'user id' : 'item id';
    return { kind: 'missingId', reason: `missing ${which}` };
  }
  const timestamp = parseTimestamp(raw.timestamp, rules.timestampFormat);
  if (Number.isNaN(timestamp)) {
    const empty = typeof raw.timestamp === 'string' && raw.timestamp.trim() === '';
    return {
      kind: 'badTimestamp',
      reason: empty ? 'empty timestamp' : `unparsable timestamp ${describeValue(raw.timestamp)}`,
    };
  }
  if (timestamp < rules.minTimestamp) {
    return {
      kind: 'badTimestamp',
      reason: `timestamp ${describeValue(raw.timestamp)} (${isoOrRaw(timestamp)}) is before ${isoOrRaw(rules.minTimestamp).slice(0, 10)}`,
    };
  }
  if (timestamp > rules.maxTimestamp) {
    return {
      kind: 'badTimestamp',
      reason: `timestamp ${describeValue(raw.timestamp)} (${isoOrRaw(timestamp)}) is in the future`,
    };
  }
  const rawValue = typeof raw.value === 'string' ? raw.value.trim() : raw.value;
  const present = rawValue !== null && rawValue !== '';
  let value: number | null = null;
  if (raw.type === 'RATING') {
    if (!present) return { kind: 'valueOutOfRange', reason: 'RATING without a value' };
    value = toNumber(rawValue);
    const { min, max, step } = rules.rating;
    if (!Number.isFinite(value)) {
      return { kind: 'valueOutOfRange', reason: `rating ${describeValue(rawValue)} is not a finite number` };
    }
    if (value < min || value > max) {
      return { kind: 'valueOutOfRange', reason: `rating ${value} outside ${min}..${max}` };
    }
    if (step !== null && !Number.isInteger((value - min) / step)) {
      return { kind: 'valueOutOfRange', reason: `rating ${value} is not a multiple of ${step}` };
    }
  } else if (raw.type === 'VIEW') {
    if (present) {
      value = toNumber(rawValue);
      if (!Number.isFinite(value)) {
        return { kind: 'valueOutOfRange', reason: `VIEW seconds ${describeValue(rawValue)} is not a finite number` };
      }
      if (value < 0) return { kind: 'valueOutOfRange', reason: `VIEW seconds ${value} is negative` };
    }
  }
  return { userId, itemId, timestamp, type: raw.type, value };
}

function toNumber(raw: string | number): number {
  if (typeof raw === 'number') return raw;
  return NUMBER.test(raw) ? Number(raw) : NaN;
}

/** ISO 8601 of a Unix-ms time, or the number itself when outside the Date range. */
function isoOrRaw(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
