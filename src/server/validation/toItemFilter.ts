import type { ItemFilterInput } from '../../services/serviceTypes.js';
import { LIMITS } from '../limits.js';
import { badUserInput } from './badUserInput.js';
import { requireIdList } from './requireIdList.js';
import { requireShortString } from './requireShortString.js';

/** The GraphQL `ItemFilter` input as graphql-js hands it over. */
export interface ItemFilterArgument {
  readonly categoriesAny?: readonly string[] | null;
  readonly categoriesNone?: readonly string[] | null;
  readonly excludeItemIds?: readonly string[] | null;
}

/**
 * Validates an `ItemFilter` argument: each list at most {@link LIMITS.maxBatch}
 * entries; categories non-empty short strings; ids valid ids.
 * @param argument the argument name (`filter`), used in error messages.
 * @returns the engine's filter, or `null` when there is none. Empty lists are kept (they mean "no constraint").
 * @throws PublicError BAD_USER_INPUT naming the offending path, e.g. `filter.categoriesAny[2]`.
 */
export function toItemFilter(
  filter: ItemFilterArgument | null | undefined,
  argument = 'filter',
): ItemFilterInput | null {
  if (filter === null || filter === undefined) return null;
  const categories = (list: readonly string[] | null | undefined, name: string): readonly string[] | null => {
    if (list === null || list === undefined) return null;
    const path = `${argument}.${name}`;
    if (list.length > LIMITS.maxBatch)
      throw badUserInput(path, `hold at most ${LIMITS.maxBatch} categories`, list);
    list.forEach((c, i) => requireShortString(c, `${path}[${i}]`));
    return list;
  };
  const exclude = filter.excludeItemIds;
  return {
    categoriesAny: categories(filter.categoriesAny, 'categoriesAny'),
    categoriesNone: categories(filter.categoriesNone, 'categoriesNone'),
    excludeItemIds:
      exclude === null || exclude === undefined ? null : requireIdList(exclude, `${argument}.excludeItemIds`),
  };
}
