/** Longest client-supplied id an error message echoes verbatim, in code points. */
export const MAX_SHOWN_ID = 64;

/**
 * A client-supplied id as an error message may echo it: JSON-quoted, and cut
 * to {@link MAX_SHOWN_ID} code points with an ellipsis when longer, so a
 * message never grows with (or replays) an attacker's payload.
 */
export function shownId(id: string): string {
  const points = [...id];
  return JSON.stringify(points.length > MAX_SHOWN_ID ? `${points.slice(0, MAX_SHOWN_ID).join('')}…` : id);
}
