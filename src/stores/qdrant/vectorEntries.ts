import type { ItemIdList } from '../../domain/itemIdList.js';
import type { VectorEntry, VectorPayload } from '../vectorIndex.js';

/**
 * The entries of a registry version for a VectorIndex bootstrap, lazily:
 * row i of `vectors` (n×dimension, row-major, e.g. a served model's
 * `bundle.itemVectors` with dimension d + 1) under `itemIds[i]`, with the
 * payload `payloads.get(itemIds[i])` (a served model's `catalog` fits as is;
 * a missing entry = no payload). Vectors are views into `vectors`, not copies.
 * @throws RangeError at the first read when `vectors.length !== itemIds.length × dimension`.
 */
export function* vectorEntries(
  itemIds: ItemIdList,
  vectors: Float32Array,
  dimension: number,
  payloads?: ReadonlyMap<string, VectorPayload>,
): Generator<VectorEntry> {
  if (vectors.length !== itemIds.length * dimension) {
    throw new RangeError(
      `expected ${itemIds.length}×${dimension} = ${itemIds.length * dimension} values, got ${vectors.length}`,
    );
  }
  for (let i = 0; i < itemIds.length; i++) {
    const itemId = itemIds.at(i)!;
    const vector = vectors.subarray(i * dimension, (i + 1) * dimension);
    const payload = payloads?.get(itemId);
    yield payload === undefined ? { itemId, vector } : { itemId, vector, payload };
  }
}
