import { createHash } from 'node:crypto';
import type { QdrantClient, Schemas } from '@qdrant/js-client-rest';
import type { VectorEntry, VectorPayload } from '../vectorIndex.js';
import { checkEntryDimensions } from '../vectorIndex.js';
import { itemPointId } from './pointIds.js';
import { VectorIndexConfigError, toVectorIndexError } from './qdrantErrors.js';
import { AVAILABLE_FIELD, CATEGORIES_FIELD, ITEM_ID_FIELD } from './qdrantFilter.js';

/*
 * Collection naming, shape checks and the bootstrap upload of the Qdrant
 * adapter (docs/qdrant.md, "Collection lifecycle").
 */

/** Collection metadata keys recgate writes (flat: Qdrant merges metadata updates key by key). */
export const META = {
  modelVersion: 'recgate_model_version',
  dimension: 'recgate_dimension',
  complete: 'recgate_complete',
  points: 'recgate_points',
} as const;

/** Progress of a bootstrap upload, reported after every batch. */
export interface BootstrapProgress {
  readonly collection: string;
  /** Points uploaded so far in this run. */
  readonly uploaded: number;
  /** Points to upload, when known (`itemCount` or an array of items); null otherwise. */
  readonly total: number | null;
}

/**
 * The versioned collection name `<base>_<modelVersion>`. Characters outside
 * `[A-Za-z0-9_-]` become `_`, and when any did, `_` + the first 8 hex digits
 * of SHA-1(base + "_" + modelVersion) are appended so that two versions that
 * differ only in such characters never share a collection. Registry versions
 * (`vYYYYMMDD-HHMMSS`) need no change: `recgate_v20240501-120000`.
 * @throws RangeError for an empty base or version, or a name over 255 characters.
 */
export function collectionName(base: string, modelVersion: string): string {
  if (base.length === 0 || modelVersion.length === 0) {
    throw new RangeError(
      `collection base name and model version must be non-empty, got "${base}", "${modelVersion}"`,
    );
  }
  const raw = `${base}_${modelVersion}`;
  const clean = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = clean === raw ? raw : `${clean}_${createHash('sha1').update(raw).digest('hex').slice(0, 8)}`;
  if (name.length > 255)
    throw new RangeError(`collection name is ${name.length} characters; Qdrant allows 255`);
  return name;
}

/** What {@link ensureCollection} needs. */
export interface EnsureCollectionOptions {
  readonly client: QdrantClient;
  /** For messages only (never holds the API key). */
  readonly url: string;
  readonly collection: string;
  readonly modelVersion: string;
  readonly dimension: number;
  readonly batchSize: number;
  readonly items?: Iterable<VectorEntry> | AsyncIterable<VectorEntry>;
  readonly itemCount?: number;
  readonly onProgress?: (progress: BootstrapProgress) => void;
}

/**
 * Makes sure the collection exists, has the expected shape and holds every
 * item, uploading only when needed. Idempotent:
 * 1. `GET /collections/{name}`; 404 and no `items` → VectorIndexConfigError.
 * 2. Absent: `PUT /collections/{name}` (cosine, `dimension`, metadata
 *    `recgate_complete: false`); a 409 (another replica won the race) is fine.
 * 3. Present: the vector size must equal `dimension` and the distance be
 *    Cosine, else VectorIndexConfigError. `recgate_complete: true` → done, no upload.
 * 4. Otherwise (new, or an upload interrupted earlier): payload indexes
 *    (keyword `item_id`, keyword `categories`, bool `available`), then every
 *    item upserted in batches of `batchSize` with `wait=true` and progress
 *    after each, then `PATCH` metadata `recgate_complete: true`. An
 *    interrupted upload is redone from the start on the next open: point ids
 *    are deterministic, so re-upserting overwrites instead of duplicating.
 * @returns the number of points uploaded (0 when the collection was complete).
 * @throws VectorIndexConfigError / VectorIndexUnavailableError (see qdrantErrors.ts);
 *   RangeError for an item vector whose length is not `dimension`.
 */
export async function ensureCollection(o: EnsureCollectionOptions): Promise<number> {
  const { client, collection: name } = o;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toVectorIndexError(err, `${what} of collection \`${name}\``, o.url);
    }
  };
  let info = await readInfo(o);
  if (info === null) {
    if (o.items === undefined) {
      throw new VectorIndexConfigError(
        404,
        `Qdrant at ${o.url} has no collection \`${name}\` (model ${o.modelVersion}) and no items were given to create it: ` +
          'start the gateway with the model so it can bootstrap the collection, or check the collection base name',
      );
    }
    try {
      await client.api().createCollection({
        collection_name: name,
        vectors: { size: o.dimension, distance: 'Cosine' },
        metadata: {
          [META.modelVersion]: o.modelVersion,
          [META.dimension]: o.dimension,
          [META.complete]: false,
        },
      });
    } catch (err) {
      if ((err as { status?: unknown }).status !== 409) {
        throw toVectorIndexError(err, `creation of collection \`${name}\``, o.url);
      }
      info = await readInfo(o);
    }
  }
  if (info !== null) {
    checkShape(info, o);
    if (info.config.metadata?.[META.complete] === true) return 0;
    if (o.items === undefined) {
      throw new VectorIndexConfigError(
        null,
        `Qdrant collection \`${name}\` at ${o.url} is incomplete (an earlier upload was interrupted) ` +
          'and no items were given to finish it: start the gateway with the model to redo the upload',
      );
    }
  }
  const indexes: [string, Schemas['PayloadFieldSchema']][] = [
    [ITEM_ID_FIELD, 'keyword'],
    [CATEGORIES_FIELD, 'keyword'],
    [AVAILABLE_FIELD, 'bool'],
  ];
  for (const [field_name, field_schema] of indexes) {
    await call(`payload index ${field_name}`, () =>
      client.createPayloadIndex(name, { field_name, field_schema, wait: true }),
    );
  }
  const total = o.itemCount ?? (Array.isArray(o.items) ? (o.items as readonly VectorEntry[]).length : null);
  let uploaded = 0;
  let batch: Schemas['PointStruct'][] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const points = batch;
    batch = [];
    await call('upsert', () => client.upsert(name, { wait: true, points }));
    uploaded += points.length;
    o.onProgress?.({ collection: name, uploaded, total });
  };
  for await (const entry of o.items!) {
    batch.push(toPoint(entry, o.dimension));
    if (batch.length >= o.batchSize) await flush();
  }
  await flush();
  await call('metadata update', () =>
    client.updateCollection(name, { metadata: { [META.complete]: true, [META.points]: uploaded } }),
  );
  return uploaded;
}

/**
 * The Qdrant point of an entry: UUID v5 id, the vector as numbers (a
 * non-finite component stores the zero vector, as the exact index does), and
 * the payload `{ item_id, categories?, available? }` (absent fields = the port's defaults).
 * @throws RangeError when the vector's length is not `dimension`.
 */
export function toPoint(entry: VectorEntry, dimension: number): Schemas['PointStruct'] {
  checkEntryDimensions([entry], dimension);
  const finite = entry.vector.every((v) => Number.isFinite(v));
  return {
    id: itemPointId(entry.itemId),
    vector: finite ? Array.from(entry.vector) : new Array<number>(dimension).fill(0),
    payload: toPayload(entry.itemId, entry.payload),
  };
}

function toPayload(itemId: string, payload: VectorPayload | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { [ITEM_ID_FIELD]: itemId };
  if (payload?.categories !== undefined) out[CATEGORIES_FIELD] = [...payload.categories];
  if (payload?.available !== undefined) out[AVAILABLE_FIELD] = payload.available;
  return out;
}

/** `GET /collections/{name}`; null on 404. */
async function readInfo(o: EnsureCollectionOptions): Promise<Schemas['CollectionInfo'] | null> {
  try {
    return await o.client.getCollection(o.collection);
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return null;
    throw toVectorIndexError(err, `lookup of collection \`${o.collection}\``, o.url);
  }
}

/** Throws VectorIndexConfigError unless the collection has one unnamed cosine vector of `dimension`. */
function checkShape(info: Schemas['CollectionInfo'], o: EnsureCollectionOptions): void {
  const vectors = info.config.params.vectors as { size?: unknown; distance?: unknown } | undefined;
  const where = `Qdrant collection \`${o.collection}\` at ${o.url}`;
  if (vectors === undefined || typeof vectors.size !== 'number') {
    throw new VectorIndexConfigError(
      null,
      `${where} has named vectors; recgate expects one unnamed vector per point`,
    );
  }
  if (vectors.size !== o.dimension) {
    throw new VectorIndexConfigError(
      null,
      `${where} holds ${vectors.size}-dimensional vectors but model ${o.modelVersion} has ${o.dimension} ` +
        '(d + 1 after the MIPS-to-cosine transform): the collection belongs to another model; delete it or change the base name',
    );
  }
  if (vectors.distance !== 'Cosine') {
    throw new VectorIndexConfigError(
      null,
      `${where} uses ${String(vectors.distance)} distance; recgate needs Cosine`,
    );
  }
  const version = info.config.metadata?.[META.modelVersion];
  if (typeof version === 'string' && version !== o.modelVersion) {
    throw new VectorIndexConfigError(
      null,
      `${where} was created for model ${version}, not ${o.modelVersion}: delete it or change the base name`,
    );
  }
}
