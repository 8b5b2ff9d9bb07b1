import type { Filter } from '../../pipeline/filter.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { recallItemColumns } from '../itemColumnsMemo.js';

/**
 * The request's `ItemFilter`: `excludeItemIds` drops those ids;
 * `categoriesAny` keeps items in at least one listed category;
 * `categoriesNone` drops items in any listed category. A missing or empty
 * list is no constraint. Category checks read the `unavailable` filter's
 * column read when it kept one (the memory store, `recallItemColumns`), else
 * the catalog rows through the request's `items` loader (already loaded by
 * `unavailable`: no extra read).
 */
export const requestFilter: Filter<RecommendationQuery> = {
  name: 'requestFilter',
  async filter(q, candidates) {
    const f = q.filter;
    const exclude = f?.excludeItemIds?.length ? new Set(f.excludeItemIds) : null;
    const any = f?.categoriesAny?.length ? new Set(f.categoriesAny) : null;
    const none = f?.categoriesNone?.length ? new Set(f.categoriesNone) : null;
    if (exclude === null && any === null && none === null) return candidates;
    let kept = exclude === null ? candidates : candidates.filter((c) => !exclude.has(c.itemId));
    if (any === null && none === null) return kept;
    // The `unavailable` filter's column read when it kept one (the memory store), else the loader.
    const recalled = recallItemColumns(q, kept);
    const items = recalled === null ? await q.env.loaders.items.loadMany(kept.map((c) => c.itemId)) : null;
    kept = kept.filter((_, j) => {
      let categories: readonly string[];
      if (items === null) categories = recalled!.columns.categories[j]!;
      else {
        const item = items[j];
        categories = item && !(item instanceof Error) ? item.categories : [];
      }
      if (any !== null && !categories.some((c) => any.has(c))) return false;
      if (none !== null && categories.some((c) => none.has(c))) return false;
      return true;
    });
    return kept;
  },
};
