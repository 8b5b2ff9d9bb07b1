import { PublicError } from '../errors.js';

/**
 * The error for a key (user, item) that the in-process fallback does not know
 * while the shared feature store is down: the key may well exist in the store,
 * so answering "unknown" (null, NOT_FOUND) would be wrong. Used by `user(id)`,
 * `item`/`items` and `similarItems` (docs/api.md, UNAVAILABLE).
 * @param what the kind in the message's prefix, e.g. `user`, `item`, `itemId`.
 * @param described how the message names the key, e.g. `this user`, `item "42"`.
 * @param field the argument path for `extensions.field`, e.g. `id`, `ids[3]`.
 * @returns a PublicError UNAVAILABLE (not thrown: `items` places it in the list).
 */
export function unknownWhileDegraded(what: string, described: string, field: string): PublicError {
  return new PublicError(
    'UNAVAILABLE',
    `${what}: the feature store did not answer and its in-process fallback does not know ${described}; retry shortly`,
    field,
  );
}
