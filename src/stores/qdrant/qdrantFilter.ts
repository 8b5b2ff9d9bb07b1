import type { Schemas } from '@qdrant/js-client-rest';
import type { VectorFilter } from '../vectorIndex.js';
import { itemPointId } from './pointIds.js';

/** Payload field holding the original recgate item id (keyword index). */
export const ITEM_ID_FIELD = 'item_id';
/** Payload field holding the item's categories, an array of strings (keyword index). */
export const CATEGORIES_FIELD = 'categories';
/** Payload field holding the item's availability, a boolean (bool index). */
export const AVAILABLE_FIELD = 'available';

/** A Qdrant filter as sent in a query body (REST `Filter`). */
export type QdrantFilter = Schemas['Filter'];

/** How a {@link VectorFilter} is evaluated: the part sent to Qdrant and the part kept in process. */
export interface QdrantFilterPlan {
  /** The request body's `filter`; undefined when nothing is pushed down (the key is then omitted). */
  readonly filter: QdrantFilter | undefined;
  /** Ids excluded after the search (the list was longer than the push-down limit); null = none. */
  readonly postExcludeIds: ReadonlySet<string> | null;
}

/**
 * Translates the port's filter into a Qdrant filter (docs/qdrant.md has the table):
 * - `categoriesAny` → `must: [{ key: "categories", match: { any: [...] } }]`
 *   (an array field matches when at least one element is listed; a point
 *   without categories does not match, as the port requires);
 * - `categoriesNone` → `must_not: [{ key: "categories", match: { any: [...] } }]`,
 *   not `match.except`: on an array field `except` matches when at least one
 *   element is unlisted, so ["Comedy", "Drama"] would pass `except: ["Drama"]`,
 *   and a point without categories would fail it;
 * - `availableOnly` → `must_not: [{ key: "available", match: { value: false } }]`,
 *   so a point without the field counts as available (the port's rule);
 * - `excludeIds` of at most `maxPushDownIds` distinct ids →
 *   `must_not: [{ has_id: [uuid v5, ...] }]`; a longer list is not sent
 *   (a giant `must_not` is slow to parse and plan) and comes back as
 *   `postExcludeIds` for the caller to apply after an over-fetching search.
 * Empty lists are never sent: Qdrant's empty-list semantics differ between
 * clauses (`should: []` and `match: { any: [] }` match nothing, `must: []`
 * and `must_not: []` everything), and the port says empty = no constraint.
 * `should` is never used. Lists are de-duplicated, first occurrence first.
 */
export function toQdrantFilter(
  filter: VectorFilter | undefined,
  options: { readonly maxPushDownIds: number },
): QdrantFilterPlan {
  if (filter === undefined) return { filter: undefined, postExcludeIds: null };
  const must: Schemas['Condition'][] = [];
  const mustNot: Schemas['Condition'][] = [];
  const any = distinct(filter.categoriesAny);
  if (any.length > 0) must.push({ key: CATEGORIES_FIELD, match: { any } });
  const excluded = distinct(filter.excludeIds);
  let postExcludeIds: ReadonlySet<string> | null = null;
  if (excluded.length > options.maxPushDownIds) postExcludeIds = new Set(excluded);
  else if (excluded.length > 0) mustNot.push({ has_id: excluded.map(itemPointId) });
  const none = distinct(filter.categoriesNone);
  if (none.length > 0) mustNot.push({ key: CATEGORIES_FIELD, match: { any: none } });
  if (filter.availableOnly === true) mustNot.push({ key: AVAILABLE_FIELD, match: { value: false } });
  if (must.length === 0 && mustNot.length === 0) return { filter: undefined, postExcludeIds };
  const out: QdrantFilter = {};
  if (must.length > 0) out.must = must;
  if (mustNot.length > 0) out.must_not = mustNot;
  return { filter: out, postExcludeIds };
}

/** The list without duplicates, in first-occurrence order; [] for undefined. */
function distinct(list: readonly string[] | undefined): string[] {
  return list === undefined || list.length === 0 ? [] : [...new Set(list)];
}
