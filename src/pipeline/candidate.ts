import { idAtRowIs } from '../domain/itemIdList.js';
import type { ItemIdList } from '../domain/itemIdList.js';
/**
 * One item proposed by candidate generation, as it travels through the
 * pipeline. The orchestrator creates it when sources are merged; later stages
 * read it and re-rankers may annotate it (`sources`, `promotionId`), never
 * replace it.
 *
 * - `sources`: every source kind that proposed the item (e.g. `EMBEDDING`,
 *   `POPULAR`), in merge order, without duplicates; a re-ranker may add one
 *   (e.g. `EXPLORATION`) with {@link addCandidateSource}. The arrays are
 *   read-only and may be shared between candidates (a one-source candidate
 *   holds a frozen array per kind): add a kind only by replacing the array.
 * - `via`: parallel to `sources`: the item that led that source to this one
 *   (the recent item whose neighbour list held it, the seed…), or null. Used
 *   for reasons such as "Because you watched …".
 * - `sourceScore`: the score the first proposing source gave it (unit of that source).
 * - `fusion`: reciprocal-rank fusion over the sources that proposed it,
 *   Σ 1/(60 + rank) (Cormack, Clarke & Büttcher, SIGIR 2009); the fallback
 *   order when the scorer fails open.
 * - `row`: a hint, the item's row in the served model of the query
 *   (`q.model.bundle.itemIds`), from a source that knew it (the neighbour
 *   sources; popular and trending; the embedding sources through the
 *   in-process vector index's `VectorHit.row`), or −1 (no hint). A merge with
 *   the query's `rowIndex` replaces it with the checked row (−1: not in the model). A reader checks it against the bundle's ids
 *   before trusting it (`candidateModelRows`), so a wrong or stale hint only
 *   costs the id → row lookup it would have saved.
 * - `promotionId`: the promotion that placed or boosted it, set by a re-ranker.
 */
export interface Candidate {
  readonly itemId: string;
  row: number;
  sources: readonly string[];
  via: readonly (string | null)[];
  sourceScore: number;
  fusion: number;
  promotionId: string | null;
}

/** What a candidate source returns for one item: its id, the source's score, and optionally the item that led to it. */
export interface SourceHit {
  readonly itemId: string;
  /** Higher is better; the unit is the source's own (cosine, count…). */
  readonly score: number;
  /** The item that led the source to this one (for reasons), if any. */
  readonly via?: string | null;
  /**
   * A hint: the item's row in the query's served model (`q.model.bundle.itemIds`),
   * when the source knows it without a lookup (an integer ≥ 0); absent or −1 otherwise.
   * Only saves the id → row lookup; a wrong one is detected and ignored.
   */
  readonly row?: number;
}

/**
 * The rows candidates' `row` hints name: item id per row and its inverse (a
 * served model's `itemIds` and `itemIndex`, which a `ModelBundle` is).
 */
export interface CandidateRowIndex {
  /** Item id per row. */
  readonly itemIds: ItemIdList;
  /** Item id → row (the inverse of `itemIds`; a repeated id maps to its last row). */
  readonly itemIndex: ReadonlyMap<string, number>;
}

/**
 * Whether checked hints can be trusted for `index`: its ids are distinct
 * (`itemIndex.size === itemIds.length`). With a repeated id the index answers
 * the id's last row, and a hint may name an earlier one.
 */
export function rowHintsUsable(index: CandidateRowIndex): boolean {
  return index.itemIndex.size === index.itemIds.length;
}

/**
 * The row of `itemId` in `index`, −1 when it has none: `hint` when it is an
 * integer row holding `itemId` (one string comparison, usually of the same
 * string object) and `usable` ({@link rowHintsUsable}), else
 * `index.itemIndex.get(itemId)`. A wrong, out-of-range or stale hint
 * therefore gives the same row as no hint, at the cost of the lookup.
 */
export function checkedRow(
  index: CandidateRowIndex,
  itemId: string,
  hint: number | undefined,
  usable: boolean,
): number {
  if (usable && hint !== undefined && hint >= 0 && idAtRowIs(index.itemIds, hint, itemId)) return hint;
  return index.itemIndex.get(itemId) ?? -1;
}

/** RRF constant k of Cormack et al. 2009. */
export const RRF_K = 60;

/** Frozen one-kind `sources` arrays, shared by every candidate of one source (no array per candidate). */
const oneKind = new Map<string, readonly string[]>();
/** The shared `via` of a one-source candidate that no item led to. */
const NO_VIA: readonly (string | null)[] = Object.freeze([null]);

/**
 * Adds a source's hit to a candidate (or to a new one). Returns the candidate.
 * A new candidate takes the hit's `row` hint (−1 without one); an existing
 * one without a hint takes a later hit's.
 * @param rank 0-based position of the hit in the source's list.
 */
export function addSourceHit(
  existing: Candidate | undefined,
  kind: string,
  hit: SourceHit,
  rank: number,
): Candidate {
  const rrf = 1 / (RRF_K + rank + 1);
  if (existing === undefined) {
    let sources = oneKind.get(kind);
    if (sources === undefined) {
      sources = Object.freeze([kind]);
      oneKind.set(kind, sources);
    }
    const via = hit.via ?? null;
    return {
      itemId: hit.itemId,
      row: hit.row ?? -1,
      sources,
      via: via === null ? NO_VIA : [via],
      sourceScore: hit.score,
      fusion: rrf,
      promotionId: null,
    };
  }
  if (addCandidateSource(existing, kind, hit.via ?? null)) existing.fusion += rrf;
  if (existing.row < 0 && hit.row !== undefined) existing.row = hit.row;
  return existing;
}

/**
 * Records that source `kind` (led by item `via`, or null) also proposed `c`:
 * appends both to new copies of its `sources` and `via` (they may be shared).
 * @returns false, changing nothing, when `kind` is already among its sources.
 */
export function addCandidateSource(c: Candidate, kind: string, via: string | null): boolean {
  if (c.sources.includes(kind)) return false;
  c.sources = [...c.sources, kind];
  c.via = [...c.via, via];
  return true;
}
