import { PublicError } from '../../errors.js';
import { shownId } from '../../services/shownId.js';

/**
 * What a cursor points at: the stored list of request `requestId`, from
 * position `offset` (0-based), after `served` items were served (the rank of
 * the next one is `served + 1`). `served` is less than `offset` when earlier
 * pages skipped items hidden since the list was ranked; absent (cursors made
 * before it existed, or first pages), it is `offset`.
 */
export interface PagingCursor {
  readonly requestId: string;
  readonly offset: number;
  readonly served?: number;
}

/** Opaque cursor: base64url of `{"r": requestId, "o": offset}`, with `"s": served` when it differs from the offset. */
export function encodeCursor(cursor: PagingCursor): string {
  const served = cursor.served ?? cursor.offset;
  const json =
    served === cursor.offset
      ? { r: cursor.requestId, o: cursor.offset }
      : { r: cursor.requestId, o: cursor.offset, s: served };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/**
 * Reads a cursor made by {@link encodeCursor}.
 * @throws PublicError BAD_USER_INPUT (field `after`) when it is not one.
 */
export function decodeCursor(after: string): PagingCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  const v = value as { r?: unknown; o?: unknown; s?: unknown } | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.r !== 'string' ||
    v.r === '' ||
    typeof v.o !== 'number' ||
    !Number.isInteger(v.o) ||
    v.o < 0 ||
    (v.s !== undefined && (typeof v.s !== 'number' || !Number.isInteger(v.s) || v.s < 0 || v.s > v.o))
  ) {
    // shownId cuts by code points (never half a surrogate pair) and JSON-quotes (attack report, session 32).
    throw new PublicError(
      'BAD_USER_INPUT',
      `after: expected a cursor from a previous page's pageInfo.endCursor, received ${shownId(after)}`,
      'after',
    );
  }
  return v.s === undefined ? { requestId: v.r, offset: v.o } : { requestId: v.r, offset: v.o, served: v.s };
}
