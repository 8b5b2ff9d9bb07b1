/**
 * Nearest-neighbour search over item embeddings (port). Adapters: the
 * in-process exact index (embedded default), Qdrant (later).
 *
 * Contract:
 * - `search` returns at most `k` hits, best first, scores are cosine similarities,
 *   never an id for which `exclude(id)` is true, never an item outside `allow`
 *   when `allow` is given.
 * - `dimension` is the length of every stored vector and of a query.
 * - A failure rejects; callers decide whether to fail open.
 */
export interface VectorIndex {
  readonly name: string;
  readonly dimension: number;
  search(
    query: Float32Array,
    k: number,
    options?: {
      readonly exclude?: (itemId: string) => boolean;
      readonly allow?: (itemId: string) => boolean;
    },
  ): Promise<VectorHit[]>;
  /** The stored vector of an item, or null when unknown. */
  vectorOf(itemId: string): Promise<Float32Array | null>;
  /** Adds or replaces vectors (items added after training). */
  upsert(entries: readonly { readonly itemId: string; readonly vector: Float32Array }[]): Promise<void>;
  close(): Promise<void>;
}

/** One search hit: an item id and its cosine similarity to the query. */
export interface VectorHit {
  readonly itemId: string;
  readonly score: number;
}
