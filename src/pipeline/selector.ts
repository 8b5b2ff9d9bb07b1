import type { PipelineQuery } from './pipelineQuery.js';
import type { RankedList } from './rankedList.js';

/**
 * The first page of a ranked list: `positions` are indices into
 * `list.candidates`, best first (at most `query.first`); `rank` of the j-th is
 * `offset + j + 1`. `endCursor` continues the same list (null when nothing follows).
 */
export interface PageSelection {
  readonly positions: readonly number[];
  readonly offset: number;
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

/**
 * Chooses the page to return from the final ranked list (top `first`) and
 * makes the rest reachable (e.g. stores the list for cursor paging). Never
 * reorders. A rejection fails the request.
 */
export interface Selector<Q extends PipelineQuery = PipelineQuery> {
  readonly name: string;
  select(query: Q, list: RankedList): Promise<PageSelection>;
}
