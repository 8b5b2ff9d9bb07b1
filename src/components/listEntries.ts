import type { Promotion } from '../services/serviceTypes.js';
import type { RankedList } from '../pipeline/rankedList.js';
import { activePromotions } from './activePromotions.js';
import type { RecommendationQuery } from './recommendationQuery.js';
import { loadTitles, reasonsFor } from './reasons.js';
import type { ReasonContext } from './reasons.js';
import { isNewItem } from './rerankers/explorationSlotsReranker.js';

/** One item of a served page. `features` is the ranker's input row (manifest feature order). */
export interface ListEntry {
  readonly itemId: string;
  readonly score: number;
  readonly sources: readonly string[];
  readonly reasons: readonly string[];
  readonly promotion: Promotion | null;
  readonly features: readonly number[] | null;
}

/** Whether the candidate at index `idx` of the list is new to the catalog (unknown to the model or created after it). */
export function isNewAt(q: RecommendationQuery, idx: number): boolean {
  const rows = q.rows;
  if (rows === null) return false;
  return isNewItem(rows.modelRows[idx]!, rows.createdAt[idx]!, q.model.bundle.referenceTime);
}

/** The reason context of a query: its seed, the user's recent interaction types and loaded titles. */
export function reasonContext(q: RecommendationQuery, titleOf: (itemId: string) => string): ReasonContext {
  const types = new Map(q.recent.map((r) => [r.itemId, r.type]));
  return { seedItemId: q.seedItemId, typeOf: (id) => types.get(id), titleOf };
}

/**
 * The entries at `indices` (candidate indices, best first) with reasons, the
 * promotion that placed them and their feature rows.
 */
export async function listEntries(
  q: RecommendationQuery,
  list: RankedList,
  indices: readonly number[],
): Promise<ListEntry[]> {
  const via: string[] = [];
  for (const idx of indices) for (const v of list.candidates[idx]!.via) if (v !== null) via.push(v);
  const [titleOf, promotions] = await Promise.all([loadTitles(q.env.loaders, via), activePromotions(q)]);
  const ctx = reasonContext(q, titleOf);
  const byId = new Map(promotions.map((p) => [p.id, p]));
  const width = list.features.width;
  return indices.map((idx) => {
    const c = list.candidates[idx]!;
    return {
      itemId: c.itemId,
      score: list.scores[idx]!,
      sources: c.sources.slice(),
      reasons: reasonsFor(c.sources, c.via, isNewAt(q, idx), ctx),
      promotion: c.promotionId === null ? null : (byId.get(c.promotionId) ?? null),
      features: width > 0 ? Array.from(list.features.data.subarray(idx * width, (idx + 1) * width)) : null,
    };
  });
}
