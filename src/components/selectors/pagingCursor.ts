import { PublicError } from '../../errors.js';

/** What a cursor points at: the stored list of request `requestId`, from `offset` (0-based). */
export interface PagingCursor {
  readonly requestId: string;
  readonly offset: number;
}

/** Opaque cursor: base64url of `{"r": requestId, "o": offset}`. */
export function encodeCursor(cursor: PagingCursor): string {
  return Buffer.from(JSON.stringify({ r: cursor.requestId, o: cursor.offset }), 'utf8').toString('base64url');
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
  const v = value as { r?: unknown; o?: unknown } | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.r !== 'string' ||
    v.r === '' ||
    typeof v.o !== 'number' ||
    !Number.isInteger(v.o) ||
    v.o < 0
  ) {
    const shown = after.length > 40 ? `${after.slice(0, 40)}…` : after;
    throw new PublicError(
      'BAD_USER_INPUT',
      `after: expected a cursor from a previous page's pageInfo.endCursor, received "${shown}"`,
      'after',
    );
  }
  return { requestId: v.r, offset: v.o };
}
