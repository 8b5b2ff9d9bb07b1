/**
 * A user×item implicit-feedback matrix in compressed sparse row form, stored
 * twice (by user and by item) so both ALS half-steps read rows directly.
 * Row `u` of the user side is `userItems[userPtr[u] .. userPtr[u+1])` with
 * weights alongside; likewise for items. Weights are the raw preference
 * strengths `w` (confidence is `1 + alpha·w`, see {@link trainIals}).
 */
export interface ImplicitMatrix {
  readonly nUsers: number;
  readonly nItems: number;
  readonly userPtr: Int32Array;
  readonly userItems: Int32Array;
  readonly userWeights: Float32Array;
  readonly itemPtr: Int32Array;
  readonly itemUsers: Int32Array;
  readonly itemWeights: Float32Array;
}

/** One (user index, item index, weight) entry; duplicates are summed. */
export interface MatrixEntry {
  readonly user: number;
  readonly item: number;
  readonly weight: number;
}

/**
 * Builds an {@link ImplicitMatrix} from entries. Entries with the same
 * (user, item) are merged by summing their weights; entries with a
 * non-positive or non-finite weight are ignored.
 * @throws RangeError when an index is not an integer in `[0, nUsers)` / `[0, nItems)`.
 */
export function buildImplicitMatrix(
  entries: Iterable<MatrixEntry>,
  nUsers: number,
  nItems: number,
): ImplicitMatrix {
  const merged = new Map<number, number>();
  for (const e of entries) {
    if (!(e.weight > 0) || !Number.isFinite(e.weight)) continue;
    if (
      !Number.isInteger(e.user) ||
      !Number.isInteger(e.item) ||
      e.user < 0 ||
      e.user >= nUsers ||
      e.item < 0 ||
      e.item >= nItems
    ) {
      throw new RangeError(`matrix entry (${e.user}, ${e.item}) is outside ${nUsers}×${nItems}`);
    }
    const key = e.user * nItems + e.item;
    merged.set(key, (merged.get(key) ?? 0) + e.weight);
  }
  const nnz = merged.size;
  const userCount = new Int32Array(nUsers);
  const itemCount = new Int32Array(nItems);
  for (const key of merged.keys()) {
    userCount[Math.floor(key / nItems)]!++;
    itemCount[key % nItems]!++;
  }
  const userPtr = prefixSum(userCount);
  const itemPtr = prefixSum(itemCount);
  const userItems = new Int32Array(nnz);
  const userWeights = new Float32Array(nnz);
  const itemUsers = new Int32Array(nnz);
  const itemWeights = new Float32Array(nnz);
  const userFill = userPtr.slice(0, nUsers);
  const itemFill = itemPtr.slice(0, nItems);
  const keys = [...merged.keys()].sort((a, b) => a - b);
  for (const key of keys) {
    const u = Math.floor(key / nItems);
    const i = key % nItems;
    const w = merged.get(key)!;
    const up = userFill[u]!++;
    userItems[up] = i;
    userWeights[up] = w;
    const ip = itemFill[i]!++;
    itemUsers[ip] = u;
    itemWeights[ip] = w;
  }
  return { nUsers, nItems, userPtr, userItems, userWeights, itemPtr, itemUsers, itemWeights };
}

function prefixSum(counts: Int32Array): Int32Array {
  const ptr = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) ptr[i + 1] = ptr[i]! + counts[i]!;
  return ptr;
}
