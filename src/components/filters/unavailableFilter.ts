import type { Filter } from '../../pipeline/filter.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { hasItemColumnReads } from '../../stores/itemColumnReads.js';
import { candidateModelRows, rememberItemColumns } from '../itemColumnsMemo.js';

/**
 * Drops items that are not in the catalog or are marked `available: false`.
 *
 * From a store with `ItemColumnReads` (src/stores/itemColumnReads.ts; the
 * memory store) it reads the candidates' catalog fields and counters as one
 * synchronous column read, kept on the query for the `itemFeatures` hydrator
 * (`rememberItemColumns`); the request's `items` loader then reads only the
 * query's context items (recent, session, seed), whose titles the reasons need.
 * The candidates' model rows for that read come from their sources' hints
 * where valid (`candidateModelRows`), else from the bundle's id → row index.
 *
 * Otherwise it reads the catalog rows of all candidates in one batch (the
 * request's `items` loader), together with the context items, so the whole
 * request reads the item family once. It also queues the candidates'
 * `itemCounters` read (without waiting for it), so the `itemFeatures`
 * hydrator that follows finds the counters loaded: both families are read in
 * the same event-loop turn.
 */
export const unavailableFilter: Filter<RecommendationQuery> = {
  name: 'unavailable',
  async filter(q, candidates) {
    const loader = q.env.loaders.items;
    const n = candidates.length;
    const ids = new Array<string>(n);
    for (let j = 0; j < n; j++) ids[j] = candidates[j]!.itemId;
    const store = q.env.store;
    if (hasItemColumnReads(store)) {
      const context = q.contextItemIds.length > 0 ? loader.loadMany(q.contextItemIds) : null;
      // With the counters and the model rows: the itemFeatures hydrator reads its rows from this read.
      const bundle = q.model.bundle;
      const modelRows = candidateModelRows(bundle, candidates);
      const columns = store.readItemColumns(ids, { ids: bundle.itemIds, at: modelRows });
      rememberItemColumns(q, candidates, { columns, modelRows });
      if (context !== null) await context;
      const available = columns.available;
      return candidates.filter((_, j) => available[j] === 1);
    }
    // Both loads are queued before the first await, so they share one store read.
    const read = loader.loadMany(ids);
    const context = q.contextItemIds.length > 0 ? loader.loadMany(q.contextItemIds) : null;
    // The hydrator reads the survivors' counters next: queue them now, in the same store turn, so it
    // finds them loaded instead of waiting another event-loop turn (a superset: same store calls).
    q.env.loaders.itemCounters.prefetch(ids);
    const items = await read;
    if (context !== null) await context;
    return candidates.filter((_, j) => {
      const item = items[j];
      return item !== null && item !== undefined && !(item instanceof Error) && item.available !== false;
    });
  },
};
