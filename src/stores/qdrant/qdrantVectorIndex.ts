import { QdrantClient } from '@qdrant/js-client-rest';
import type { VectorEntry, VectorHit, VectorIndex, VectorSearchOptions } from '../vectorIndex.js';
import { itemPointId } from './pointIds.js';
import { collectionName, ensureCollection, toPoint } from './qdrantCollection.js';
import type { BootstrapProgress } from './qdrantCollection.js';
import { toVectorIndexError } from './qdrantErrors.js';
import { ITEM_ID_FIELD, toQdrantFilter } from './qdrantFilter.js';

/** Options of {@link QdrantVectorIndex.open}. */
export interface QdrantVectorIndexOptions {
  /** Qdrant REST URL, e.g. `http://127.0.0.1:6333`. Env `QDRANT_URL`. */
  readonly url: string;
  /** Sent as the `api-key` header; null or missing sends none. Env `QDRANT_API_KEY`. @default null */
  readonly apiKey?: string | null;
  /** Base name of the collection; the model version is appended ({@link collectionName}). */
  readonly collection: string;
  /** The served model's version (registry folder name). */
  readonly modelVersion: string;
  /** Vector length: the registry's d + 1. */
  readonly dimension: number;
  /** Time limit of each search and vector read, in ms (client-side; the request is aborted). @default 2000 */
  readonly timeoutMs?: number;
  /** Time limit of each start-up and write call (collection lookup and creation, payload index, one upsert batch), in ms. @default 60000 */
  readonly writeTimeoutMs?: number;
  /** Points per upsert request (bootstrap and `upsert`). @default 256 */
  readonly batchSize?: number;
  /** Longest `excludeIds` list sent as a `has_id` condition; longer lists are applied after the search. @default 1000 */
  readonly maxPushDownIds?: number;
  /** Most points one search reads, over-fetch and paging included; past it a search may return fewer than k. @default 10000 */
  readonly maxFetch?: number;
  /**
   * The items to bootstrap the collection with (e.g. `vectorEntries` over
   * the served model, vectorEntries.ts); read once, and only when the
   * collection is missing or incomplete. Missing: the collection must
   * already be complete. @default none
   */
  readonly items?: Iterable<VectorEntry> | AsyncIterable<VectorEntry>;
  /** Number of `items`, for progress reports (an array's length is used when omitted). @default unknown */
  readonly itemCount?: number;
  /** Called after every uploaded batch of the bootstrap. @default none */
  readonly onProgress?: (progress: BootstrapProgress) => void;
}

/** The documented defaults of {@link QdrantVectorIndexOptions}. */
export const QDRANT_DEFAULTS = {
  timeoutMs: 2000,
  writeTimeoutMs: 60_000,
  batchSize: 256,
  maxPushDownIds: 1000,
  maxFetch: 10_000,
} as const;

/**
 * The Qdrant {@link VectorIndex} (REST, `@qdrant/js-client-rest` 1.18, Qdrant
 * ≥ 1.16 for collection metadata). One collection per model version, one
 * point per item: id = UUID v5 of the item id, vector as given (Qdrant
 * normalises for Cosine), payload `{ item_id, categories, available }`.
 *
 * - `search` sends `POST /collections/{c}/points/query` with the query
 *   vector, the translated filter (qdrantFilter.ts), `with_payload: ["item_id"]`.
 *   `exclude` / `allow` and an `excludeIds` list longer than `maxPushDownIds`
 *   are applied to the answer in process: the first page asks for
 *   k + (post-excluded ids) points, and further pages (`offset`, doubling)
 *   follow while hits are missing, up to `maxFetch` points in all.
 *   A zero or non-finite query returns no hits, as in the exact index.
 * - `vectorOf` reads the point by id (`POST /collections/{c}/points`, `with_vector`).
 * - `upsert` writes batches of `batchSize` with `wait=true`.
 * - Every call has a client-side time limit (`timeoutMs` for reads,
 *   `writeTimeoutMs` for writes). Failures reject with
 *   VectorIndexUnavailableError (timeout, network, 429, 5xx) or
 *   VectorIndexConfigError (404, other 4xx, shape mismatch): qdrantErrors.ts.
 */
export class QdrantVectorIndex implements VectorIndex {
  readonly name = 'qdrant';

  private constructor(
    private readonly reader: QdrantClient,
    private readonly writer: QdrantClient,
    /** The versioned collection name. */
    readonly collection: string,
    readonly dimension: number,
    private readonly settings: {
      readonly url: string;
      readonly batchSize: number;
      readonly maxPushDownIds: number;
      readonly maxFetch: number;
    },
  ) {}

  /**
   * Connects, creates or checks the versioned collection and bootstraps it
   * when needed (ensureCollection in qdrantCollection.ts: idempotent; an
   * interrupted upload is redone on the next open).
   * @throws RangeError for an out-of-range option or item vector;
   *   VectorIndexConfigError for a URL without http(s)://, a missing
   *   collection without `items`, an incomplete one without `items`, a
   *   dimension, distance or model mismatch, a rejected API key or another
   *   4xx; VectorIndexUnavailableError when Qdrant is unreachable, times out
   *   or answers 429 / 5xx.
   */
  static async open(options: QdrantVectorIndexOptions): Promise<QdrantVectorIndex> {
    const s = { ...QDRANT_DEFAULTS, ...stripUndefined(options) };
    const positiveInt = (name: string, v: number): void => {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`${name}: expected a positive integer, received ${v}`);
    };
    positiveInt('dimension', s.dimension);
    positiveInt('batchSize', s.batchSize);
    positiveInt('maxFetch', s.maxFetch);
    if (!Number.isInteger(s.maxPushDownIds) || s.maxPushDownIds < 0) {
      throw new RangeError(`maxPushDownIds: expected an integer ≥ 0, received ${s.maxPushDownIds}`);
    }
    for (const key of ['timeoutMs', 'writeTimeoutMs'] as const) {
      if (!(s[key] > 0) || !Number.isFinite(s[key])) {
        throw new RangeError(`${key}: expected a positive number of ms, received ${s[key]}`);
      }
    }
    const url = redact(s.url);
    const client = (timeout: number): QdrantClient => {
      try {
        return new QdrantClient({
          url: s.url,
          ...(s.apiKey ? { apiKey: s.apiKey } : {}),
          timeout,
          checkCompatibility: false,
        });
      } catch (err) {
        throw toVectorIndexError(err, 'connection set-up', url);
      }
    };
    const name = collectionName(s.collection, s.modelVersion);
    const writer = client(s.writeTimeoutMs);
    await ensureCollection({
      client: writer,
      url,
      collection: name,
      modelVersion: s.modelVersion,
      dimension: s.dimension,
      batchSize: s.batchSize,
      ...(s.items !== undefined ? { items: s.items } : {}),
      ...(s.itemCount !== undefined ? { itemCount: s.itemCount } : {}),
      ...(s.onProgress !== undefined ? { onProgress: s.onProgress } : {}),
    });
    return new QdrantVectorIndex(client(s.timeoutMs), writer, name, s.dimension, {
      url,
      batchSize: s.batchSize,
      maxPushDownIds: s.maxPushDownIds,
      maxFetch: s.maxFetch,
    });
  }

  async search(query: Float32Array, k: number, options: VectorSearchOptions = {}): Promise<VectorHit[]> {
    if (query.length !== this.dimension) {
      throw new RangeError(
        `query has ${query.length} components; the index holds ${this.dimension}-dimensional vectors`,
      );
    }
    const want = Math.floor(k);
    if (!(want > 0)) return [];
    let norm = 0;
    for (const v of query) norm += v * v;
    if (!(norm > 0) || !Number.isFinite(norm)) return [];

    const { maxFetch, maxPushDownIds } = this.settings;
    const { filter, postExcludeIds } = toQdrantFilter(options.filter, { maxPushDownIds });
    const { exclude, allow } = options;
    const vector = Array.from(query);
    const hits: VectorHit[] = [];
    const taken = new Set<string>();
    let offset = 0;
    let limit = Math.min(maxFetch, want + (postExcludeIds?.size ?? 0));
    for (;;) {
      const page = await this.call('search', () =>
        this.reader.query(this.collection, {
          query: vector,
          limit,
          ...(offset > 0 ? { offset } : {}),
          ...(filter !== undefined ? { filter } : {}),
          with_payload: [ITEM_ID_FIELD],
          with_vector: false,
        }),
      );
      for (const point of page.points) {
        const itemId = point.payload?.[ITEM_ID_FIELD];
        if (typeof itemId !== 'string' || taken.has(itemId)) continue;
        if (postExcludeIds?.has(itemId) || exclude?.(itemId) || (allow !== undefined && !allow(itemId)))
          continue;
        taken.add(itemId);
        hits.push({ itemId, score: point.score });
        if (hits.length === want) return hits;
      }
      offset += page.points.length;
      if (page.points.length < limit || offset >= maxFetch) return hits;
      limit = Math.min(maxFetch - offset, 2 * limit);
    }
  }

  async vectorOf(itemId: string): Promise<Float32Array | null> {
    const points = await this.call('vector read', () =>
      this.reader.retrieve(this.collection, {
        ids: [itemPointId(itemId)],
        with_payload: false,
        with_vector: true,
      }),
    );
    const vector = points[0]?.vector;
    return Array.isArray(vector) && vector.every((v) => typeof v === 'number')
      ? Float32Array.from(vector as number[])
      : null;
  }

  async upsert(entries: readonly VectorEntry[]): Promise<void> {
    const points = entries.map((e) => toPoint(e, this.dimension));
    for (let i = 0; i < points.length; i += this.settings.batchSize) {
      const batch = points.slice(i, i + this.settings.batchSize);
      await this.call('upsert', () => this.writer.upsert(this.collection, { wait: true, points: batch }));
    }
  }

  /** Nothing to release: the client holds no session (its HTTP agent idles out). */
  async close(): Promise<void> {}

  /** Runs one client call, mapping its failure (qdrantErrors.ts). */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toVectorIndexError(err, `${what} in collection \`${this.collection}\``, this.settings.url);
    }
  }
}

/** The URL without user info (never print credentials). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
