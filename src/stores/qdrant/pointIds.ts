import { createHash } from 'node:crypto';

/**
 * Qdrant point ids are unsigned integers or UUIDs; recgate's item ids are
 * arbitrary strings. An item's point id is its name-based UUID v5
 * (RFC 9562 §5.5, formerly RFC 4122 §4.3) in {@link ITEM_ID_NAMESPACE}: the
 * same item id gives the same point id on every replica and every run, so
 * upserts are idempotent. The original id is kept in the point's payload.
 */

/**
 * The UUID v5 namespace of recgate item ids: uuid5(NAMESPACE_URL,
 * "urn:recgate:item-id"), computed with Python's `uuid` module. Changing it
 * changes every point id: never do it for an existing collection.
 */
export const ITEM_ID_NAMESPACE = '1862a344-b0b1-54ed-96d2-010000b293aa';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The name-based (SHA-1) UUID v5 of `name` (UTF-8) in `namespace`:
 * SHA-1(namespace bytes ‖ name bytes), first 16 bytes, version nibble 5,
 * variant bits 10. Lower-case canonical form `xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx`.
 * @throws TypeError when `namespace` is not a canonical UUID.
 */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError(`namespace must be a UUID, got "${namespace}"`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Qdrant point id (UUID v5 in {@link ITEM_ID_NAMESPACE}) of a recgate item id. */
export function itemPointId(itemId: string): string {
  return uuidV5(itemId, ITEM_ID_NAMESPACE);
}
