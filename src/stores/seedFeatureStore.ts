import type { UserStateRecord } from '../../models/registry/publishVersion.js';
import type { CatalogItem, InteractionType } from '../domain/interaction.js';
import type { ServedModel } from '../inference/servedModel.js';
import type { FeatureStore, HistoryEntry, ItemCounters, UserSeed } from './featureStore.js';
import type { MemoryFeatureStore } from './memory/memoryFeatureStore.js';
import { yieldToEventLoop } from '../pipeline/yieldToEventLoop.js';

/** Default {@link SeedFeatureStoreOptions.chunkSize} of a store without `seedCatalog` (Redis, a given adapter). */
export const SHARED_SEED_CHUNK_USERS = 100;
/** Default {@link SeedFeatureStoreOptions.itemChunkSize}. */
export const SEED_CHUNK_ITEMS = 1000;

/** Options of {@link seedFeatureStore}. */
export interface SeedFeatureStoreOptions {
  /**
   * Unix ms the seeded counters are current at (their decay runs from it).
   * @default the bundle's `referenceTime` (the last training interaction)
   */
  readonly referenceTime?: number;
  /**
   * Unix ms the seeded history entries (`recent`) are stamped with. The
   * training state keeps the order of a user's recent items but not their
   * times, so every entry gets this one time; the store orders `recent` by
   * timestamp, so feedback stamped later sorts first. The gateway passes the
   * model's publish time: feedback received after it (live, or replayed from
   * the event log after a restart) then comes before the training history.
   * @default `referenceTime`
   */
  readonly historyTime?: number;
  /**
   * Users per `seedUsers` call, and per event-loop turn: each call is
   * followed by a yield to the event loop (`setImmediate`), so a seed into a
   * running gateway (a re-seed of an emptied Redis, a new model's snapshot)
   * leaves requests and `/healthz` served between chunks.
   * @default 100 ({@link SHARED_SEED_CHUNK_USERS}: one Redis pipeline of ~1,000 commands, about
   *   10 ms of JavaScript on a 2-core host, docs/redis.md), or 50 for a store with `seedCatalog`
   *   (the memory store): small chunks die in V8's young generation instead of being promoted
   *   (issue #6: −40 MB of start-up peak at 1M items)
   */
  readonly chunkSize?: number;
  /**
   * Items per `upsertItems` and per `putItemCounters` call of a store
   * without `seedCatalog`, each followed by a yield to the event loop, like
   * {@link chunkSize}. (The memory store's `seedCatalog` takes the catalog
   * in one call: it reads it in place.)
   * @default 1000 ({@link SEED_CHUNK_ITEMS})
   */
  readonly itemChunkSize?: number;
}

/**
 * Loads a served model's training-time state into a feature store, so the
 * gateway starts where training ended:
 * - the catalog (`upsertItems`, in chunks of `itemChunkSize` items);
 * - item counters: the bundle's decayed `popularity` and `trend` as of the
 *   reference time (`putItemCounters`, in chunks of `itemChunkSize`);
 *   a store with `seedCatalog` (the memory store) gets both in that one call
 *   instead, which reads the catalog in place (no array of 1M items);
 * - each user (`seedUsers`, in chunks): `seen`, `interactionCount`,
 *   `categoryLastSeen`, category weights = share × interactionCount (the
 *   positive interactions per category), `recent` as history entries stamped
 *   with `historyTime` in the record's order (most recent first), of type
 *   RATING when the training data had a rating scale and CLICK otherwise, with
 *   a null value (the record keeps no type or value: they were positives), and
 *   the trained user vector (`bundle.userVectors` row; null for a user the
 *   retrieval model does not know). `dismissed` starts empty.
 *
 * Never one long task: after each chunk (of users, of items) it yields to
 * the event loop, so the records parsed from `users`, the commands built and
 * the replies handled in one turn stay bounded by the chunk sizes whatever
 * the model's size (a gateway re-seeding an emptied Redis keeps answering
 * `/healthz` and requests: docs/redis.md). Nothing else changes: the same
 * writes, in the same order.
 *
 * Replaces the state of every seeded user; other users and promotions are untouched.
 * @throws Error when the store lacks the optional bulk methods `seedUsers` and `putItemCounters`.
 */
export async function seedFeatureStore(
  store: FeatureStore,
  model: ServedModel,
  users: Iterable<UserStateRecord>,
  options: SeedFeatureStoreOptions = {},
): Promise<void> {
  if (store.seedUsers === undefined || store.putItemCounters === undefined) {
    throw new Error(`feature store "${store.name}" cannot be seeded: it lacks seedUsers and putItemCounters`);
  }
  const { bundle } = model;
  const referenceTime = options.referenceTime ?? bundle.referenceTime;
  const historyTime = options.historyTime ?? referenceTime;
  const catalogSeedable = isCatalogSeedable(store);
  const chunkSize = Math.max(1, options.chunkSize ?? (catalogSeedable ? 50 : SHARED_SEED_CHUNK_USERS));
  const itemChunkSize = Math.max(1, options.itemChunkSize ?? SEED_CHUNK_ITEMS);

  if (catalogSeedable) {
    // The memory store reads the catalog in place and keeps counters as columns (issue #6).
    const n = bundle.itemIds.length;
    await store.seedCatalog(model.catalog, {
      itemIds: bundle.itemIds,
      popularity: seedColumn(bundle.popularity, n),
      trend: seedColumn(bundle.trend, n),
      updatedAt: referenceTime,
    });
  } else {
    // Taken from the catalog chunk by chunk: an array of every item at once was the start-up peak of a
    // gateway on Redis (issue #6: ~1.25 GB at 1M items, ~0.6 GB of it these objects).
    let items: CatalogItem[] = [];
    for (const item of model.catalog.values()) {
      items.push(item);
      if (items.length >= itemChunkSize) {
        await writeAndYield(store.upsertItems(items));
        items = [];
      }
    }
    if (items.length > 0) await writeAndYield(store.upsertItems(items));
    const ids = bundle.itemIds;
    for (let start = 0; start < ids.length; start += itemChunkSize) {
      const counters: { itemId: string; counters: ItemCounters }[] = [];
      for (let i = start; i < Math.min(ids.length, start + itemChunkSize); i++) {
        counters.push({
          itemId: ids.at(i)!,
          counters: {
            popularity: finiteOrZero(bundle.popularity[i]),
            trend: finiteOrZero(bundle.trend[i]),
            updatedAt: referenceTime,
          },
        });
      }
      await writeAndYield(store.putItemCounters(counters));
    }
  }

  const type: InteractionType = model.manifest.training.ratingScale === null ? 'CLICK' : 'RATING';
  const d = bundle.dimension;
  let chunk: UserSeed[] = [];
  for (const record of users) {
    const row = bundle.userIndex.get(record.userId);
    const recent: HistoryEntry[] = record.recent.map((itemId) => ({
      itemId,
      type,
      value: null,
      timestamp: historyTime,
    }));
    // fromEntries defines own keys, so a category named "__proto__" keeps its weight.
    const categoryWeights: Record<string, number> = Object.fromEntries(
      Object.entries(record.categoryShare).map(([c, share]) => [c, share * record.interactionCount]),
    );
    chunk.push({
      userId: record.userId,
      interactionCount: record.interactionCount,
      recent,
      seen: record.seen,
      dismissed: [],
      categoryWeights,
      categoryLastSeen: record.categoryLastSeen,
      // A view, not a copy: the memory store keeps it as is (issue #6), others serialise it.
      vector: row === undefined ? null : bundle.userVectors.subarray(row * d, (row + 1) * d),
    });
    if (chunk.length >= chunkSize) {
      await writeAndYield(store.seedUsers(chunk));
      chunk = [];
    }
  }
  if (chunk.length > 0) await store.seedUsers(chunk);
}

/**
 * Waits for `write` and for the event loop's next turn: at the same time, so
 * a store that answers over the network (Redis) lets the loop turn while its
 * reply is on the way and costs no extra turn per chunk, while one that
 * answers in microtasks (the memory store) still yields.
 * @throws what `write` rejects with.
 */
async function writeAndYield(write: Promise<void>): Promise<void> {
  await Promise.all([write, yieldToEventLoop()]);
}

/** A store with the memory store's `seedCatalog` (the catalog and counters in one step). */
function isCatalogSeedable(
  store: FeatureStore,
): store is FeatureStore & Pick<MemoryFeatureStore, 'seedCatalog'> {
  return typeof (store as Partial<MemoryFeatureStore>).seedCatalog === 'function';
}

/**
 * The counter values `finiteOrZero(column[i])` for i < n: `column` itself
 * when it holds exactly those (n values, all finite), so the memory store
 * reads the model's float32 column in place (issue #6: 16 MB at 1M items;
 * it never writes to it), otherwise a float64 copy with 0 for a missing or
 * non-finite value.
 */
export function seedColumn(column: Float32Array, n: number): Float32Array | Float64Array {
  let finite = column.length === n;
  for (let i = 0; finite && i < n; i++) finite = Number.isFinite(column[i]!);
  if (finite) return column;
  return Float64Array.from({ length: n }, (_, i) => finiteOrZero(column[i]));
}

function finiteOrZero(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}
