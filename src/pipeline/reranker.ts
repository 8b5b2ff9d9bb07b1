import type { PipelineQuery } from './pipelineQuery.js';
import type { RankedList } from './rankedList.js';

/**
 * Re-orders a ranked list (diversity, caps, promotions, exploration…). It may
 * move items, adjust their reported scores and annotate candidates (append a
 * source kind, set `promotionId`), but `order` must stay a permutation of the
 * same candidates: it can never bring back an item a filter removed, and
 * never drops one (a cap moves items down instead). A rejection skips the
 * re-ranker, keeps the previous order and reports it in `degraded`, unless
 * the surface marks it fail-closed.
 */
export interface Reranker<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  rerank(query: Q, list: RankedList): Promise<void> | void;
}
