/**
 * Adapts a store batch read to DataLoader's batch contract: the result has
 * the same length and order as `keys`, `null` for missing keys, and a store
 * that returns a wrong-length array is an error (never a shifted array).
 */
export async function batchByKeys<V>(
  loaderName: string,
  keys: readonly string[],
  read: (keys: readonly string[]) => Promise<readonly (V | null)[]>,
): Promise<(V | null)[]> {
  const values = await read(keys);
  if (values.length !== keys.length) {
    throw new Error(`${loaderName}: the store returned ${values.length} values for ${keys.length} keys`);
  }
  return values.slice();
}
