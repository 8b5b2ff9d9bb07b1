/**
 * Nearest-neighbour search over item embeddings (port). Adapters: the
 * in-process exact index (embedded default, `src/stores/embedded/`) and
 * Qdrant (`src/stores/qdrant/`); both pass `test/contracts/vectorIndexContract.ts`.
 *
 * Contract:
 * - `search` returns at most `k` hits, best first; scores are cosine similarities.
 * - Every hit satisfies every constraint given: never an id for which
 *   `exclude(id)` is true, never an item outside `allow` when `allow` is given,
 *   and every constraint of `filter` ({@link VectorFilter}). Constraints remove
 *   items before the top k is cut, so a search still fills `k` when enough
 *   items qualify (an adapter may cap how deep it looks; its docs say where).
 * - `filter` is the push-down form (a remote index evaluates it server-side);
 *   `exclude` / `allow` are opaque predicates that an adapter evaluates in
 *   process. Callers may give both; they combine with AND.
 * - Items carry an optional {@link VectorPayload}; an item without one (or
 *   with fields missing) has no categories and counts as available.
 * - `dimension` is the length of every stored vector and of a query; a query
 *   or vector of another length rejects with a RangeError.
 * - A failure rejects; callers decide whether to fail open.
 */
export interface VectorIndex {
  readonly name: string;
  readonly dimension: number;
  search(query: Float32Array, k: number, options?: VectorSearchOptions): Promise<VectorHit[]>;
  /** The stored vector of an item (L2-normalised), or null when unknown. */
  vectorOf(itemId: string): Promise<Float32Array | null>;
  /**
   * Adds or replaces items (e.g. items added after training). An entry
   * replaces the whole item, payload included: an entry without `payload`
   * leaves the item with none (no categories, available).
   */
  upsert(entries: readonly VectorEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link VectorIndex.search}; every constraint given applies (AND). */
export interface VectorSearchOptions {
  /** Opaque predicate: true drops the item. Evaluated in process. */
  readonly exclude?: (itemId: string) => boolean;
  /** Opaque predicate: false drops the item. Evaluated in process. */
  readonly allow?: (itemId: string) => boolean;
  /** Structured constraints an adapter may push down to its backend. */
  readonly filter?: VectorFilter;
}

/**
 * Structured search constraints. A missing or empty list is no constraint
 * (never "match nothing"); `availableOnly` false or missing is no constraint.
 */
export interface VectorFilter {
  /** Items never returned. */
  readonly excludeIds?: readonly string[];
  /** Keep only items in at least one of these categories (an item without categories fails it). */
  readonly categoriesAny?: readonly string[];
  /** Drop items in any of these categories (an item without categories passes it). */
  readonly categoriesNone?: readonly string[];
  /** Drop items whose payload says `available: false` (unknown counts as available). */
  readonly availableOnly?: boolean;
}

/**
 * What the index knows about an item besides its vector, for filtering.
 * A `CatalogItem` fits as is. Missing `categories` = none; missing `available` = true.
 */
export interface VectorPayload {
  readonly categories?: readonly string[];
  readonly available?: boolean;
}

/** One item to store: its id, its vector (length `dimension`, any norm) and optional payload. */
export interface VectorEntry {
  readonly itemId: string;
  readonly vector: Float32Array;
  readonly payload?: VectorPayload;
}

/**
 * Checks that every entry's vector has `dimension` components, before an
 * index stores any of them (an upsert is all or nothing on this check).
 * @throws RangeError `vector of <itemId> has <n> components; the index holds <dimension>`.
 */
export function checkEntryDimensions(entries: readonly VectorEntry[], dimension: number): void {
  for (const e of entries) {
    if (e.vector.length !== dimension) {
      throw new RangeError(
        `vector of ${e.itemId} has ${e.vector.length} components; the index holds ${dimension}`,
      );
    }
  }
}

/** One search hit: an item id and its cosine similarity to the query. */
export interface VectorHit {
  readonly itemId: string;
  readonly score: number;
  /**
   * A hint, from in-process indexes: the item's position in the `itemIds`
   * the index was built from (`fromVectors`; the served model's ids) when
   * those are distinct; −1 for an item upserted later; absent from a remote
   * index (Qdrant) or the HNSW one. Callers that keep the
   * same ids read the row from it after checking `itemIds[row] === itemId`
   * (a candidate's `row`, src/pipeline/candidate.ts), saving an id → row lookup.
   */
  readonly row?: number;
}

/**
 * `payloads.get(id)` for an index build, which reads the payload of every
 * item once: for a catalog that can answer the two fields by id
 * (`categoriesOf` and `availableOf`, as the registry's `CatalogTable` does),
 * just those two, without building each whole item (its attributes, and at
 * 200,000 items or more its title decoded from the packed titles); else the
 * map's own `get`. Either way the payload has the item's `categories` and
 * `available` (each undefined when the item has none), or is undefined for
 * an id the map does not have.
 */
export function payloadReader(
  payloads: ReadonlyMap<string, VectorPayload> | undefined,
): (id: string) => VectorPayload | undefined {
  if (payloads === undefined) return () => undefined;
  const fields = payloads as Partial<PayloadFields>;
  if (typeof fields.categoriesOf !== 'function' || typeof fields.availableOf !== 'function') {
    return (id) => payloads.get(id);
  }
  const table = payloads as unknown as PayloadFields;
  // Membership by `has`: an item kept as parsed may have no `categories` (categoriesOf is then undefined too).
  return (id) =>
    payloads.has(id) ? { categories: table.categoriesOf(id), available: table.availableOf(id) } : undefined;
}

/** The two payload fields a catalog answers by id (undefined when the id is not in it). */
interface PayloadFields {
  categoriesOf(id: string): readonly string[] | undefined;
  availableOf(id: string): boolean | undefined;
}
