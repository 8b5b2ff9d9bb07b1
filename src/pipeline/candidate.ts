/**
 * One item proposed by candidate generation, as it travels through the
 * pipeline. The orchestrator creates it when sources are merged; later stages
 * read it and re-rankers may annotate it (`sources`, `promotionId`), never
 * replace it.
 *
 * - `sources`: every source kind that proposed the item (e.g. `EMBEDDING`,
 *   `POPULAR`), in merge order, without duplicates; a re-ranker may append one
 *   (e.g. `EXPLORATION`).
 * - `via`: parallel to `sources`: the item that led that source to this one
 *   (the recent item whose neighbour list held it, the seed…), or null. Used
 *   for reasons such as "Because you watched …".
 * - `sourceScore`: the score the first proposing source gave it (unit of that source).
 * - `fusion`: reciprocal-rank fusion over the sources that proposed it,
 *   Σ 1/(60 + rank) (Cormack, Clarke & Büttcher, SIGIR 2009); the fallback
 *   order when the scorer fails open.
 * - `promotionId`: the promotion that placed or boosted it, set by a re-ranker.
 */
export interface Candidate {
  readonly itemId: string;
  readonly sources: string[];
  readonly via: (string | null)[];
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
}

/** RRF constant k of Cormack et al. 2009. */
export const RRF_K = 60;

/**
 * Adds a source's hit to a candidate (or to a new one). Returns the candidate.
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
    return {
      itemId: hit.itemId,
      sources: [kind],
      via: [hit.via ?? null],
      sourceScore: hit.score,
      fusion: rrf,
      promotionId: null,
    };
  }
  if (!existing.sources.includes(kind)) {
    existing.sources.push(kind);
    existing.via.push(hit.via ?? null);
    existing.fusion += rrf;
  }
  return existing;
}
