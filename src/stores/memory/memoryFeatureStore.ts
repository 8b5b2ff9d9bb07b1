import { ItemIdRange, ItemIdRows, PackedIdList } from '../../domain/itemIdList.js';
import type { ItemIdList } from '../../domain/itemIdList.js';
import type { CatalogItem } from '../../domain/interaction.js';
import type { Promotion } from '../../services/serviceTypes.js';
import { DISMISSIVE_TYPES } from '../dismissiveTypes.js';
import { DEFAULT_MAX_IMPRESSIONS_PER_USER } from '../featureStore.js';
import type {
  FeatureStore,
  HistoryEntry,
  ItemCounters,
  StoredRankedList,
  UserFeatures,
  PagingCacheUsage,
  UserSeed,
} from '../featureStore.js';
import { decayCounter } from '../decayCounter.js';
import { emptyItemColumns, NO_CATEGORIES } from '../itemColumnReads.js';
import type { ItemColumnReads, ItemColumns, ItemRows } from '../itemColumnReads.js';
import { CounterColumns } from './counterColumns.js';
import { trimImpressions } from './trimImpressions.js';
import type { ImpressionMap } from './trimImpressions.js';
import { indexCatalog, isIndexedCatalog } from '../../../models/registry/catalogTable.js';
import type { IndexedCatalog } from '../../../models/registry/catalogTable.js';
import type {
  BatchWrites,
  CounterIncrement,
  DeferredVector,
  FoldInHistory,
  FoldInReads,
  FoldInState,
  InteractionWrite,
  LazyFoldIn,
} from '../featureStoreBatchWrites.js';
import type { AdmittedUsers, UserAdmission } from '../userAdmission.js';
import { RankedListRing } from './rankedListRing.js';
import type { RankedListCodec } from './rankedListRing.js';

/** Options of {@link MemoryFeatureStore}. */
export interface MemoryFeatureStoreOptions {
  /** Half-life of the `popularity` counter, in days. @default 90 */
  readonly popularityHalfLifeDays?: number;
  /** Half-life of the `trend` counter, in days. @default 7 */
  readonly trendingHalfLifeDays?: number;
  /** How many history entries a user keeps in `recent`. @default 50 */
  readonly historySize?: number;
  /** Clock in Unix ms: counters are decayed to it on read, ranked lists expire by it. @default Date.now */
  readonly now?: () => number;
  /**
   * Most ranked lists kept for paging; past it the oldest is dropped (its
   * cursor then answers "expired"), so traffic cannot grow memory without bound.
   * @default 10000
   */
  readonly maxRankedLists?: number;
  /**
   * Bytes of the paging cache: ranked lists are kept encoded in a ring of
   * this size outside V8's heap (src/stores/memory/rankedListRing.ts),
   * allocated in 8-MiB segments as it first fills (or at once:
   * `reservePagingCache`) and committed by the OS as it is written; a new list overwrites the oldest ones. A list larger than a
   * segment (8 MiB, or the whole ring when smaller) is kept alone, as an
   * object, until the next one (the newest list is always kept).
   * A byte budget bounds the cache whatever the list length and feature count
   * (issue #6: memory at 1M items).
   * @default 32 MiB (33,554,432; the gateway's `RECGATE_PAGING_MAX_MB`)
   */
  readonly maxRankedListBytes?: number;
  /**
   * How the paging ring encodes lists. The gateway passes `storedListCodec`
   * (src/components/selectors/storedListCodec.ts), a column form for the
   * lists it stores.
   * @default STRUCTURED_CLONE_CODEC (`v8.serialize`; takes any list)
   */
  readonly rankedListCodec?: RankedListCodec;
  /**
   * Allocate the paging ring when the store is made (up to 4 GiB of it, in
   * buffers of up to 1 GiB, their pages committed by the OS only as lists are
   * written; best effort: what is not allocated then is allocated as the ring
   * fills) instead of segment by segment under load. V8 counts each segment
   * as external memory and starts major GCs for it, which at 1M items delay
   * the requests in flight by 100–300 ms each (`RankedListRing.reserve`).
   * The gateway sets it; tests that make many stores leave it off.
   * @default false
   */
  readonly reservePagingCache?: boolean;
  /**
   * Most items whose impressions a user keeps: past it, the items shown
   * longest ago are dropped (the rule of `FeatureStore.recordImpressions`),
   * so a long-lived user's state, and the copy every `getUsers` makes of it,
   * stay bounded (~80 bytes per item). An integer ≥ 1. The gateway's
   * `RECGATE_IMPRESSIONS_PER_USER`.
   * @default 500 ({@link DEFAULT_MAX_IMPRESSIONS_PER_USER})
   */
  readonly maxImpressionsPerUser?: number;
  /**
   * Most users the store holds, counted with the seeded ones (a bound on
   * memory: ~2.5 KB per user created by one feedback event, docs/operations.md).
   * Enforced by {@link MemoryFeatureStore.admitUsers} (the {@link UserAdmission}
   * the feedback service asks before it logs an event): a new user past it is
   * refused there. Seeding and writes are never refused, so a model with more
   * training users than this still loads (and then admits no new user), and
   * a logged event always applies. An integer ≥ 0; 0 = no limit. The
   * gateway's `RECGATE_MEMORY_MAX_USERS` (default 1,000,000 there).
   * @default 0 (no limit)
   */
  readonly maxUsers?: number;
}

/**
 * {@link MemoryFeatureStoreOptions.maxRankedListBytes}'s default: 32 MiB
 * (~3,700 lists kept to 200 positions, the gateway's `RECGATE_PAGING_MAX_POSITIONS`,
 * in `storedListCodec`'s form at 1M items).
 */
export const DEFAULT_MAX_RANKED_LIST_BYTES = 32 * 2 ** 20;

/** Names of the {@link FeatureStore} methods counted in {@link MemoryFeatureStore.calls}. */
export type FeatureStoreMethod = Exclude<keyof FeatureStore, 'name'>;

/** Names of the optional batch methods (stores/featureStoreBatchWrites.ts) counted in {@link MemoryFeatureStore.calls}. */
export type BatchMethod = keyof BatchWrites | keyof FoldInReads | keyof LazyFoldIn | keyof ItemColumnReads;

interface UserState {
  interactionCount: number;
  /**
   * Most recent first, at most `historySize`: entries, or for a seeded user
   * whose entries differ only in their item (the usual seed), the items and
   * their one type, value and time, turned into entries on read and into an
   * array at the first write (issue #6: ~1 KB less per seeded user).
   */
  recent: HistoryEntry[] | UniformHistory;
  /**
   * A seeded list until the first write turns it into a Set (seeding 16k users builds no Set):
   * an array, or with packed catalog ids the items' catalog positions ({@link ItemIdRows}).
   */
  seen: Set<string> | ItemIdList;
  /** null until the first dismissal (most users have none: no empty Set per user). */
  dismissed: Set<string> | null;
  /** Category → weight; a seeded user's as two arrays until the first write (a Map each costs ~0.3 KB). */
  categoryWeights: Map<string, number> | NumberColumns;
  /** Category → Unix ms, kept as {@link categoryWeights} is. */
  categoryLastSeen: Map<string, number> | NumberColumns;
  vector: Float32Array | null;
  /** A fold-in written by {@link MemoryFeatureStore.applyUserInteractionsLazily}, run at the next vector read. */
  pendingVector: DeferredVector | null;
  /** null until the first impression is recorded; at most `maxImpressionsPerUser` items. */
  impressions: ImpressionMap | null;
}

/** History entries that differ only in their item, most recent first. */
interface UniformHistory {
  /** An array, or with packed catalog ids the items' catalog positions ({@link ItemIdRows}). */
  readonly itemIds: ItemIdList;
  readonly type: HistoryEntry['type'];
  readonly value: number | null;
  readonly timestamp: number;
}

/** The user's history as a new array of entries (the caller may keep it: later writes do not change it). */
function historyOf(u: UserState): HistoryEntry[] {
  const recent = u.recent;
  if (Array.isArray(recent)) return recent.slice();
  const { itemIds, type, value, timestamp } = recent as UniformHistory;
  const out = new Array<HistoryEntry>(itemIds.length);
  for (let k = 0; k < itemIds.length; k++) out[k] = { itemId: itemIds.at(k)!, type, value, timestamp };
  return out;
}

/**
 * Keeps `recent` (sorted, trimmed) as a {@link UniformHistory} when every
 * entry has the same type, value and time, otherwise as it is.
 */
function compactHistory(recent: HistoryEntry[]): HistoryEntry[] | UniformHistory {
  if (recent.length === 0) return recent;
  const { type, value, timestamp } = recent[0]!;
  for (const e of recent) {
    if (e.type !== type || !Object.is(e.value, value) || !Object.is(e.timestamp, timestamp)) return recent;
  }
  return { itemIds: recent.map((e) => e.itemId), type, value, timestamp };
}

/** A small string → number map as two arrays (the values unboxed): `values[i]` is the value of `keys[i]`. */
interface NumberColumns {
  readonly keys: readonly string[];
  readonly values: readonly number[];
}

/** The columns of a record (its keys in order). */
function numberColumns(record: Readonly<Record<string, number>>): NumberColumns {
  const keys = Object.keys(record);
  return { keys, values: keys.map((k) => record[k]!) };
}

/** A new Map with the entries of `m` in order. */
function mapOf(m: Map<string, number> | NumberColumns): Map<string, number> {
  if (m instanceof Map) return new Map(m);
  const out = new Map<string, number>();
  for (let i = 0; i < m.keys.length; i++) out.set(m.keys[i]!, m.values[i]!);
  return out;
}

interface CounterState {
  popularity: number;
  trend: number;
  updatedAt: number;
}

/**
 * The catalog adopted by {@link MemoryFeatureStore.seedCatalog}, read in
 * place: its items (replaced ones in `replaced`) and the counters of its ids
 * by catalog position. Memory (issue #6: 25 MB at 1M items as float64
 * columns and a flag column): the counters read the given seed arrays in
 * place and copy a block of positions to float64 at its first write
 * ({@link CounterColumns}), and `hasCounters` is null when every position
 * has counters.
 */
interface BaseCatalog {
  readonly catalog: IndexedCatalog;
  readonly replaced: Map<string, CatalogItem>;
  readonly counters: CounterColumns;
  /**
   * Per position 1 when it has counters, 0 when not; null when every
   * position has them (a write only adds counters, so that stays true).
   */
  readonly hasCounters: Uint8Array | null;
}

/** True when catalog position k of `base` has counters. */
function hasCountersAt(base: BaseCatalog, k: number): boolean {
  return base.hasCounters === null || base.hasCounters[k] === 1;
}

/** The model's counters handed to {@link MemoryFeatureStore.seedCatalog}, by model row. */
export interface SeedCounters {
  /** The model's item ids: row i holds the counters of `itemIds.at(i)`. */
  readonly itemIds: ItemIdList;
  /**
   * Decayed popularity by row: float64, or float32 (the model's column,
   * issue #6). The store may keep the array and read it for its life, but
   * never writes to it: do not change it afterwards.
   */
  readonly popularity: Float32Array | Float64Array;
  /** Decayed trend by row, kept as {@link popularity} is. */
  readonly trend: Float32Array | Float64Array;
  /** Unix ms every counter is current at. */
  readonly updatedAt: number;
}

const DAY_MS = 86_400_000;

/** How many `putRankedList` calls between two sweeps of expired lists. */
const SWEEP_EVERY = 256;

/**
 * The embedded {@link FeatureStore}: everything in process memory, lost on
 * restart (the gateway re-seeds from the registry and could replay the event
 * log). Single process only; use the Redis adapter to share state between replicas.
 *
 * - Item counters are exponentially decayed counts kept as (value, updatedAt):
 *   a write first decays the stored value to the event time, then adds the
 *   weight (an event older than `updatedAt` adds its weight already decayed to
 *   `updatedAt`); a read returns the value decayed to `now()` (never grown when
 *   `now()` is before `updatedAt`). value(t) = value · 0.5^((t − updatedAt) / halfLife).
 * - Ranked lists expire `ttlMs` after `putRankedList`, by `now()`; an expired
 *   list reads as null and is swept periodically.
 * - Reads return copies: a caller may keep a snapshot while feedback changes the user.
 * - Impressions are kept for at most `maxImpressionsPerUser` items per user
 *   (the most recently shown; {@link trimImpressions}), so that copy is bounded too.
 * - With `maxUsers`, holds at most that many users for new feedback: the
 *   {@link UserAdmission} ({@link admitUsers}) refuses a new user past it, so
 *   the feedback service refuses that user's events before logging them
 *   (seeding and logged events are never refused; docs/operations.md).
 * - `calls` counts every port method call, by method name (the batching test reads it).
 * - Offers the optional batch writes and fold-in read of feedback
 *   (stores/featureStoreBatchWrites.ts): one call per user and one per batch
 *   instead of two per event, and a read that skips the `seen` set (issue #6).
 * - Offers lazy fold-in ({@link LazyFoldIn}): a user vector written as a
 *   {@link DeferredVector} is computed at the next read of that user's vector
 *   (`getUsers`, `getFoldInStates`), once, however many batches came before.
 */
export class MemoryFeatureStore
  implements FeatureStore, BatchWrites, FoldInReads, LazyFoldIn, ItemColumnReads, UserAdmission
{
  readonly name = 'memory';
  /** Calls per port method since construction or {@link resetCalls}. */
  readonly calls: Record<string, number> = {};
  private readonly users = new Map<string, UserState>();
  /** {@link MemoryFeatureStoreOptions.maxUsers}; 0 = no limit. */
  private readonly maxUsers: number;
  /** New users admitted by {@link admitUsers} and not released: id → how many admissions hold it. */
  private readonly admitted = new Map<string, number>();
  /** How many ids of {@link admitted} are not (yet) in {@link users}: the slots they hold. */
  private admittedNew = 0;
  /** Counters of the ids outside {@link base} (whose counters are columns there). */
  private readonly counters = new Map<string, CounterState>();
  /** Items outside {@link base}, in insertion order (all of them when nothing was adopted). */
  private readonly items = new Map<string, CatalogItem>();
  /** The seeded catalog, read in place (issue #6: no map or object per item of its own). */
  private base: BaseCatalog | null = null;
  private readonly promotions = new Map<string, Promotion>();
  /** The paging cache: ranked lists as bytes in one ring outside the heap ({@link RankedListRing}). */
  private readonly rankedLists: RankedListRing;
  private readonly popularityHalfLifeMs: number;
  private readonly trendHalfLifeMs: number;
  private readonly historySize: number;
  private readonly maxImpressionsPerUser: number;
  private readonly now: () => number;
  private putsSinceSweep = 0;

  /**
   * @throws RangeError for a non-positive half-life, a history size,
   *   `maxRankedLists`, `maxRankedListBytes` or `maxImpressionsPerUser` that is
   *   not an integer ≥ 1, or a `maxUsers` that is not an integer ≥ 0.
   */
  constructor(options: MemoryFeatureStoreOptions = {}) {
    const popularity = options.popularityHalfLifeDays ?? 90;
    const trend = options.trendingHalfLifeDays ?? 7;
    const historySize = options.historySize ?? 50;
    if (!(popularity > 0) || !(trend > 0)) {
      throw new RangeError(`half-lives must be > 0 days, got popularity ${popularity}, trend ${trend}`);
    }
    if (!Number.isInteger(historySize) || historySize < 1) {
      throw new RangeError(`historySize must be an integer ≥ 1, got ${historySize}`);
    }
    this.popularityHalfLifeMs = popularity * DAY_MS;
    this.trendHalfLifeMs = trend * DAY_MS;
    this.historySize = historySize;
    this.now = options.now ?? Date.now;
    const maxRankedLists = options.maxRankedLists ?? 10_000;
    if (!(Number.isInteger(maxRankedLists) && maxRankedLists >= 1)) {
      throw new RangeError(`maxRankedLists must be an integer ≥ 1, got ${maxRankedLists}`);
    }
    const maxRankedListBytes = options.maxRankedListBytes ?? DEFAULT_MAX_RANKED_LIST_BYTES;
    if (!(Number.isInteger(maxRankedListBytes) && maxRankedListBytes >= 1)) {
      throw new RangeError(`maxRankedListBytes must be an integer ≥ 1, got ${maxRankedListBytes}`);
    }
    this.rankedLists = new RankedListRing(maxRankedListBytes, maxRankedLists, options.rankedListCodec);
    if (options.reservePagingCache === true) this.rankedLists.reserve();
    this.maxImpressionsPerUser = options.maxImpressionsPerUser ?? DEFAULT_MAX_IMPRESSIONS_PER_USER;
    if (!(Number.isInteger(this.maxImpressionsPerUser) && this.maxImpressionsPerUser >= 1)) {
      throw new RangeError(`maxImpressionsPerUser must be an integer ≥ 1, got ${this.maxImpressionsPerUser}`);
    }
    this.maxUsers = options.maxUsers ?? 0;
    if (!(Number.isInteger(this.maxUsers) && this.maxUsers >= 0)) {
      throw new RangeError(`maxUsers must be an integer ≥ 0 (0 = no limit), got ${this.maxUsers}`);
    }
  }

  /** How many users the store holds now (seeded and created by writes); not counted in {@link calls}. */
  userCount(): number {
    return this.users.size;
  }

  /**
   * {@link UserAdmission}: which of `userIds` may be written, by the rule of
   * {@link MemoryFeatureStoreOptions.maxUsers} (the contract is in
   * stores/userAdmission.ts). O(distinct ids); not counted in {@link calls}.
   */
  admitUsers(userIds: readonly string[]): AdmittedUsers {
    const limit = this.maxUsers;
    if (limit === 0) return { refused: new Set(), limit, release: () => undefined };
    const refused = new Set<string>();
    const held: string[] = [];
    for (const id of new Set(userIds)) {
      if (this.users.has(id)) continue;
      const holders = this.admitted.get(id);
      if (holders !== undefined) {
        this.admitted.set(id, holders + 1);
        held.push(id);
      } else if (this.users.size + this.admittedNew < limit) {
        this.admitted.set(id, 1);
        this.admittedNew++;
        held.push(id);
      } else {
        refused.add(id);
      }
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const id of held) {
        const holders = this.admitted.get(id)!;
        if (holders > 1) {
          this.admitted.set(id, holders - 1);
          continue;
        }
        this.admitted.delete(id);
        if (!this.users.has(id)) this.admittedNew--;
      }
    };
    return { refused, limit, release };
  }

  /** Stores a user's state; a new user admitted by {@link admitUsers} no longer holds a slot of its own. */
  private putUser(userId: string, state: UserState): void {
    if (!this.users.has(userId) && this.admitted.has(userId)) this.admittedNew--;
    this.users.set(userId, state);
  }

  /** The ranked lists kept for paging: how many and their encoded bytes (at most the ring's size but for one oversized list). */
  rankedListUsage(): PagingCacheUsage {
    return this.rankedLists.usage();
  }

  /** Sets every call count back to zero. */
  resetCalls(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
  }

  async getUsers(userIds: readonly string[]): Promise<(UserFeatures | null)[]> {
    this.count('getUsers');
    return userIds.map((id) => {
      const u = this.users.get(id);
      if (u === undefined) return null;
      resolveVector(u);
      return snapshot(id, u);
    });
  }

  async applyInteraction(
    userId: string,
    entry: HistoryEntry,
    update: {
      readonly categories: readonly string[];
      readonly weight: number;
      readonly vector?: Float32Array | null;
    },
  ): Promise<void> {
    this.count('applyInteraction');
    const u = this.userState(userId);
    this.applyTo(u, entry, update.categories, update.weight);
    if (update.vector !== undefined) setVector(u, update.vector);
  }

  /**
   * The fold-in read of feedback (stores/featureStoreBatchWrites.ts): the
   * `recent`, `dismissed` and `vector` of {@link getUsers}, copied the same
   * way, without copying the rest of the user (the `seen` set grows with every
   * item the user touches).
   */
  async getFoldInStates(userIds: readonly string[]): Promise<(FoldInState | null)[]> {
    this.count('getFoldInStates');
    return userIds.map((userId) => {
      const u = this.users.get(userId);
      if (u === undefined) return null;
      resolveVector(u);
      return {
        userId,
        recent: historyOf(u),
        dismissed: new Set(u.dismissed),
        vector: u.vector === null ? null : Float32Array.from(u.vector),
      };
    });
  }

  /**
   * The lazy fold-in read ({@link LazyFoldIn}): `recent` and `dismissed` as
   * {@link getFoldInStates} copies them, leaving a pending vector pending.
   */
  async getFoldInHistories(userIds: readonly string[]): Promise<(FoldInHistory | null)[]> {
    this.count('getFoldInHistories');
    return userIds.map((userId) => {
      const u = this.users.get(userId);
      if (u === undefined) return null;
      return { userId, recent: historyOf(u), dismissed: new Set(u.dismissed) };
    });
  }

  /**
   * The lazy batch write ({@link LazyFoldIn}): {@link applyUserInteractions}
   * with the vector computed by `vector` at the next read of the user's
   * vector (`undefined` keeps the stored or pending one), in one synchronous step.
   */
  async applyUserInteractionsLazily(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: DeferredVector | undefined,
  ): Promise<void> {
    this.count('applyUserInteractionsLazily');
    if (writes.length === 0) return;
    const u = this.userState(userId);
    for (const w of writes) this.applyTo(u, w.entry, w.categories, w.weight);
    if (vector !== undefined) u.pendingVector = vector;
  }

  /**
   * The batch write of one user's events (stores/featureStoreBatchWrites.ts):
   * exactly {@link applyInteraction} for each write in order, the last one
   * carrying `vector` (`undefined` keeps the stored one, null deletes it), in
   * one synchronous step.
   */
  async applyUserInteractions(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: Float32Array | null | undefined,
  ): Promise<void> {
    this.count('applyUserInteractions');
    if (writes.length === 0) return;
    const u = this.userState(userId);
    for (const w of writes) this.applyTo(u, w.entry, w.categories, w.weight);
    if (vector !== undefined) setVector(u, vector);
  }

  /**
   * The batch counter write (stores/featureStoreBatchWrites.ts):
   * {@link incrementItemCounters} for each increment in order. Rejects at the
   * first invalid increment, the earlier ones applied (like the single calls).
   */
  async incrementItemCountersBatch(increments: readonly CounterIncrement[]): Promise<void> {
    this.count('incrementItemCountersBatch');
    for (const i of increments) await this.incrementItemCounters(i.itemId, i.weight, i.at);
  }

  /** One interaction's change to a user's state, but the vector (see {@link applyInteraction}). */
  private applyTo(u: UserState, entry: HistoryEntry, categories: readonly string[], weight: number): void {
    if (!Array.isArray(u.recent)) u.recent = historyOf(u);
    insertByTime(u.recent as HistoryEntry[], { ...entry }, this.historySize);
    if (!(u.seen instanceof Set)) u.seen = new Set(u.seen);
    u.seen.add(entry.itemId);
    if (DISMISSIVE_TYPES.has(entry.type)) {
      (u.dismissed ??= new Set()).add(entry.itemId);
    } else {
      u.interactionCount++;
      if (weight > 0 && Number.isFinite(weight)) {
        for (const c of new Set(categories)) {
          const weights =
            u.categoryWeights instanceof Map
              ? u.categoryWeights
              : (u.categoryWeights = mapOf(u.categoryWeights));
          const lastSeen =
            u.categoryLastSeen instanceof Map
              ? u.categoryLastSeen
              : (u.categoryLastSeen = mapOf(u.categoryLastSeen));
          weights.set(c, (weights.get(c) ?? 0) + weight);
          lastSeen.set(c, Math.max(lastSeen.get(c) ?? -Infinity, entry.timestamp));
        }
      }
    }
  }

  /**
   * Counts the impressions, then keeps the user's `maxImpressionsPerUser`
   * most recently shown items (the port's rule, {@link trimImpressions}).
   */
  async recordImpressions(userId: string, itemIds: readonly string[], at: number): Promise<void> {
    this.count('recordImpressions');
    const u = this.userState(userId);
    if (itemIds.length === 0) return;
    const impressions = (u.impressions ??= new Map());
    for (const itemId of itemIds) {
      const prev = impressions.get(itemId);
      impressions.set(itemId, { count: (prev?.count ?? 0) + 1, lastAt: Math.max(prev?.lastAt ?? at, at) });
    }
    trimImpressions(impressions, this.maxImpressionsPerUser);
  }

  async getItemCounters(itemIds: readonly string[]): Promise<(ItemCounters | null)[]> {
    this.count('getItemCounters');
    const n = itemIds.length;
    const has = new Uint8Array(n);
    const popularity = new Float64Array(n);
    const trend = new Float64Array(n);
    const at = new Float64Array(n);
    this.decayedCounters(itemIds, null, has, popularity, trend, at);
    const out = new Array<ItemCounters | null>(n);
    for (let j = 0; j < n; j++) {
      out[j] = has[j] === 1 ? { popularity: popularity[j]!, trend: trend[j]!, updatedAt: at[j]! } : null;
    }
    return out;
  }

  /**
   * {@link ItemColumnReads}: the catalog fields and decayed counters of
   * `itemIds` as columns, the values `getItems` and `getItemCounters` give
   * now, without an object per item (issue #6). `rows` (positions in the
   * served model's ids) replace the lookup by id when the adopted catalog
   * lists exactly those ids (a catalog seeded from the served model).
   */
  readItemColumns(itemIds: readonly string[], rows?: ItemRows): ItemColumns {
    this.count('readItemColumns');
    const n = itemIds.length;
    const out = emptyItemColumns(n);
    const base = this.base;
    // The caller's positions when they index the adopted catalog's own id list (no lookup by id).
    const known = rows !== undefined && base !== null && rows.ids === base.catalog.ids ? rows.at : null;
    // Catalog positions, looked up once for both passes (-1: not in the adopted catalog).
    const positions = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const id = itemIds[j]!;
      const k = known === null ? base?.catalog.positionOf(id) : known[j]! >= 0 ? known[j] : undefined;
      positions[j] = k ?? -1;
      const item =
        k === undefined
          ? (this.items.get(id) ?? null)
          : base!.replaced.size === 0
            ? undefined
            : base!.replaced.get(id);
      if (item === null) continue;
      out.known[j] = 1;
      if (item === undefined) {
        const catalog = base!.catalog;
        out.available[j] = catalog.availableAt(k!) ? 1 : 0;
        out.createdAt[j] = catalog.createdAtAt(k!);
        out.categories[j] = catalog.categoriesAt(k!);
      } else {
        out.available[j] = item.available !== false ? 1 : 0;
        out.createdAt[j] = item.createdAt ?? NaN;
        out.categories[j] = item.categories ?? NO_CATEGORIES;
      }
    }
    this.decayedCounters(itemIds, positions, out.hasCounters, out.popularity, out.trend, null);
    return out;
  }

  /**
   * The counters of `itemIds` decayed to now (or to their own time when
   * stamped later), written at index j: `has[j]` 1 when the item has
   * counters; `popularity[j]`, `trend[j]` and (when given) `at[j]`, the time
   * they are decayed to. Entries of items without counters are left as they are.
   * `positions`: the items' positions in the adopted catalog (-1 for none),
   * when the caller has looked them up; null to look them up here.
   */
  private decayedCounters(
    itemIds: readonly string[],
    positions: Int32Array | null,
    has: Uint8Array,
    popularityOut: Float64Array,
    trendOut: Float64Array,
    atOut: Float64Array | null,
  ): void {
    const now = this.now();
    // The decay factors depend only on `updatedAt`, which seeded counters share: computed once
    // per run of equal stamps (two Math.pow per item were most of this read). value · factor
    // equals countersAt's decayCounter(value, …) bit for bit: decayCounter(1, …) is that factor.
    let stamp = NaN;
    let at = now;
    let popularityFactor = 1;
    let trendFactor = 1;
    const base = this.base;
    for (let j = 0; j < itemIds.length; j++) {
      const id = itemIds[j]!;
      const k = positions === null ? (base?.catalog.positionOf(id) ?? -1) : positions[j]!;
      let popularity: number;
      let trend: number;
      let updatedAt: number;
      if (k >= 0) {
        if (!hasCountersAt(base!, k)) continue;
        updatedAt = base!.counters.updatedAtAt(k);
        popularity = base!.counters.popularityAt(k);
        trend = base!.counters.trendAt(k);
      } else {
        const c = this.counters.get(id);
        if (c === undefined) continue;
        ({ updatedAt, popularity, trend } = c);
      }
      if (updatedAt !== stamp) {
        stamp = updatedAt;
        at = Math.max(now, stamp);
        popularityFactor = decayCounter(1, at - stamp, this.popularityHalfLifeMs);
        trendFactor = decayCounter(1, at - stamp, this.trendHalfLifeMs);
      }
      has[j] = 1;
      popularityOut[j] = popularity * popularityFactor;
      trendOut[j] = trend * trendFactor;
      if (atOut !== null) atOut[j] = at;
    }
  }

  async incrementItemCounters(itemId: string, weight: number, at: number): Promise<void> {
    this.count('incrementItemCounters');
    if (!Number.isFinite(weight) || !Number.isFinite(at)) {
      throw new RangeError(`counter increment needs a finite weight and time, got ${weight} at ${at}`);
    }
    const base = this.base;
    const k = base?.catalog.positionOf(itemId);
    const c: CounterState | undefined =
      k === undefined
        ? this.counters.get(itemId)
        : !hasCountersAt(base!, k)
          ? undefined
          : {
              popularity: base!.counters.popularityAt(k),
              trend: base!.counters.trendAt(k),
              updatedAt: base!.counters.updatedAtAt(k),
            };
    let next: CounterState;
    if (c === undefined) {
      next = { popularity: weight, trend: weight, updatedAt: at };
    } else if (at >= c.updatedAt) {
      next = {
        popularity: decayCounter(c.popularity, at - c.updatedAt, this.popularityHalfLifeMs) + weight,
        trend: decayCounter(c.trend, at - c.updatedAt, this.trendHalfLifeMs) + weight,
        updatedAt: at,
      };
    } else {
      // A late event: its weight, decayed from its own time to the stored time.
      next = {
        popularity: c.popularity + decayCounter(weight, c.updatedAt - at, this.popularityHalfLifeMs),
        trend: c.trend + decayCounter(weight, c.updatedAt - at, this.trendHalfLifeMs),
        updatedAt: c.updatedAt,
      };
    }
    this.setCounters(itemId, next.popularity, next.trend, next.updatedAt);
  }

  /** Stores an id's counters: in the adopted catalog's columns for its ids, in the map otherwise. */
  private setCounters(itemId: string, popularity: number, trend: number, updatedAt: number): void {
    const base = this.base;
    const k = base?.catalog.positionOf(itemId);
    if (k === undefined) {
      const c = this.counters.get(itemId);
      if (c === undefined) this.counters.set(itemId, { popularity, trend, updatedAt });
      else {
        c.popularity = popularity;
        c.trend = trend;
        c.updatedAt = updatedAt;
      }
      return;
    }
    const b = base!;
    b.counters.set(k, popularity, trend, updatedAt);
    if (b.hasCounters !== null) b.hasCounters[k] = 1;
  }

  /**
   * The seeded catalog's ids (the array given to {@link seedCatalog}'s
   * catalog, not a copy: do not write to it) while they are every id of
   * {@link listItemIds}, in its order; null when no catalog was seeded or
   * items beyond it were added. Lets `LiveCounterRanking` keep this array
   * instead of copying 1M ids (issue #6).
   */
  itemIdsInOrder(): ItemIdList | null {
    return this.base !== null && this.items.size === 0 ? this.base.catalog.ids : null;
  }

  /**
   * Bulk read for the popular/trending ranking (not a port method, so not
   * counted in {@link calls}): every catalog item id in {@link listItemIds}
   * order with its counters decayed to `at`, as float32 columns, `chunkSize`
   * ids per chunk so the caller can yield to the event loop between chunks.
   * The values are those of {@link getItemCounters} at `at` (0 for an item
   * without counters or a non-finite value), without an object per item; the
   * decay factor is computed once per run of equal `updatedAt` (seeded
   * counters share one), and the counters are walked beside the catalog
   * (no lookup while both are in the same order). Items upserted while a
   * caller iterates come in later chunks.
   *
   * The chunks' arrays are reused: a chunk is valid until the next `next()`
   * (copy what you keep). At 1M items a fresh id array (~130 KB, in V8's
   * large-object space) and two fresh 64-KB float32 columns per chunk made
   * ~61 of each per refresh, garbage for the old generation and external
   * memory (issue #6, BENCHMARKS.md, the session of 2026-12-02 16:38). The
   * last, partial chunk gets its own id array and subarray views of the columns.
   * A full chunk of the seeded catalog's ids is an `ItemIdRange` of
   * {@link itemIdsInOrder}'s list (no string per id when it is packed); the
   * ids of upserted items come as strings in the reused array.
   * @param chunkSize ids per chunk, an integer ≥ 1. @default 16384
   * @param at Unix ms to decay to; a counter stamped after it is returned as it is. @default now()
   * @throws RangeError for a chunk size that is not an integer ≥ 1 (on the first `next()`).
   */
  *itemCounterChunks(
    chunkSize = 16384,
    at = this.now(),
  ): Generator<{ ids: ItemIdList; popularity: Float32Array; trend: Float32Array }, void, void> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new RangeError(`chunkSize must be an integer ≥ 1, got ${chunkSize}`);
    }
    let updatedAt = NaN;
    let popularityFactor = 1;
    let trendFactor = 1;
    // Reused by every chunk (see above); `n` ids of the current chunk are filled.
    const ids: string[] = [];
    const popularity = new Float32Array(chunkSize);
    const trend = new Float32Array(chunkSize);
    let n = 0;
    // The adopted catalog first (its keys come first in listItemIds), its counters read by position.
    const base = this.base;
    const baseIds: ItemIdList = base?.catalog.ids ?? [];
    for (let k = 0; k < baseIds.length; k++) {
      if (hasCountersAt(base!, k)) {
        const stamp = base!.counters.updatedAtAt(k);
        if (stamp !== updatedAt) {
          updatedAt = stamp;
          const elapsed = Math.max(at, updatedAt) - updatedAt;
          popularityFactor = decayCounter(1, elapsed, this.popularityHalfLifeMs);
          trendFactor = decayCounter(1, elapsed, this.trendHalfLifeMs);
        }
        const p = base!.counters.popularityAt(k) * popularityFactor;
        const t = base!.counters.trendAt(k) * trendFactor;
        popularity[n] = Number.isFinite(p) ? p : 0;
        trend[n] = Number.isFinite(t) ? t : 0;
      } else {
        popularity[n] = 0;
        trend[n] = 0;
      }
      // Full chunks of the catalog name their ids as a range of its list: no string per id (packed ids).
      if (++n === chunkSize) {
        yield { ids: new ItemIdRange(baseIds, k + 1 - n, n), popularity, trend };
        n = 0;
      }
    }
    // A chunk that the catalog's last ids share with upserted items lists them as strings.
    for (let j = 0; j < n; j++) ids[j] = baseIds.at(baseIds.length - n + j)!;
    // Counters are usually stored in catalog order (seeded in one pass): walk both maps side by side
    // and look an id up only when the orders differ (a string-keyed Map.get costs ~0.5 µs at 1M keys).
    const walk = this.counters.entries();
    let next = walk.next();
    for (const id of this.items.keys()) {
      let c: CounterState | undefined;
      if (!next.done && next.value[0] === id) {
        c = next.value[1];
        next = walk.next();
      } else {
        c = this.counters.get(id);
      }
      if (c !== undefined) {
        if (c.updatedAt !== updatedAt) {
          updatedAt = c.updatedAt;
          const elapsed = Math.max(at, updatedAt) - updatedAt;
          // decayCounter(1, …) is the factor decayCounter(value, …) multiplies by.
          popularityFactor = decayCounter(1, elapsed, this.popularityHalfLifeMs);
          trendFactor = decayCounter(1, elapsed, this.trendHalfLifeMs);
        }
        const p = c.popularity * popularityFactor;
        const t = c.trend * trendFactor;
        popularity[n] = Number.isFinite(p) ? p : 0;
        trend[n] = Number.isFinite(t) ? t : 0;
      } else {
        popularity[n] = 0;
        trend[n] = 0;
      }
      ids[n++] = id;
      if (n === chunkSize) {
        yield { ids, popularity, trend };
        n = 0;
      }
    }
    if (n > 0)
      yield { ids: ids.slice(0, n), popularity: popularity.subarray(0, n), trend: trend.subarray(0, n) };
  }

  async putItemCounters(
    entries: readonly { readonly itemId: string; readonly counters: ItemCounters }[],
  ): Promise<void> {
    this.count('putItemCounters');
    for (const { itemId, counters } of entries) {
      this.setCounters(itemId, counters.popularity, counters.trend, counters.updatedAt);
    }
  }

  /**
   * Seeds the catalog and the model's counters in one step: the same state
   * as `upsertItems([...catalog.values()])` followed by `putItemCounters`
   * with `{ popularity: popularity[i], trend: trend[i], updatedAt }` for each
   * `itemIds[i]` (and counted as those two calls in {@link calls}), but on an
   * empty store the catalog is read in place: no item object, map entry or
   * counter object per item (issue #6: two 1M-entry maps and 1M counter
   * objects at 1M items). Its counters become columns by catalog position
   * (when the catalog's ids are `itemIds` itself, the given arrays read in
   * place, each block of positions copied to float64 at its first write:
   * see {@link CounterColumns}), using
   * the catalog's id → position map when it is an
   * {@link IndexedCatalog} (a registry's `CatalogTable`; a plain map gets an
   * index of its own). Items upserted later shadow the catalog's; new ids
   * follow its ids in {@link listItemIds}.
   * @param catalog read for the store's life: do not change it afterwards.
   * @throws RangeError when `popularity` or `trend` is shorter than `itemIds`.
   */
  async seedCatalog(catalog: ReadonlyMap<string, CatalogItem>, counters: SeedCounters): Promise<void> {
    this.count('upsertItems');
    this.count('putItemCounters');
    const { itemIds, popularity, trend, updatedAt } = counters;
    if (popularity.length < itemIds.length || trend.length < itemIds.length) {
      throw new RangeError(
        `seedCatalog: ${itemIds.length} item ids, ${popularity.length} popularity and ${trend.length} trend values`,
      );
    }
    if (this.base !== null || this.items.size > 0 || this.counters.size > 0) {
      for (const item of catalog.values()) this.upsertItem(item);
      for (let i = 0; i < itemIds.length; i++)
        this.setCounters(itemIds.at(i)!, popularity[i]!, trend[i]!, updatedAt);
      return;
    }
    const indexed = isIndexedCatalog(catalog) ? catalog : indexCatalog(catalog);
    const n = indexed.ids.length;
    if (indexed.ids === itemIds) {
      // The model's rows are the catalog's positions: the counters read the given arrays in place,
      // and every position has counters.
      this.base = {
        catalog: indexed,
        replaced: new Map(),
        counters: new CounterColumns(n, { popularity, trend, updatedAt }),
        hasCounters: null,
      };
      return;
    }
    this.base = {
      catalog: indexed,
      replaced: new Map(),
      counters: new CounterColumns(n, { popularity: null, trend: null, updatedAt: 0 }),
      hasCounters: new Uint8Array(n),
    };
    for (let i = 0; i < itemIds.length; i++)
      this.setCounters(itemIds.at(i)!, popularity[i]!, trend[i]!, updatedAt);
  }

  async getItems(itemIds: readonly string[]): Promise<(CatalogItem | null)[]> {
    this.count('getItems');
    const base = this.base;
    const out = new Array<CatalogItem | null>(itemIds.length);
    // One lookup by id per item: its catalog position, then the item at that position.
    for (let j = 0; j < itemIds.length; j++) {
      const id = itemIds[j]!;
      const k = base?.catalog.positionOf(id);
      if (k === undefined) out[j] = this.items.get(id) ?? null;
      else out[j] = (base!.replaced.size === 0 ? undefined : base!.replaced.get(id)) ?? base!.catalog.at(k);
    }
    return out;
  }

  async upsertItems(items: readonly CatalogItem[]): Promise<void> {
    this.count('upsertItems');
    for (const item of items) this.upsertItem(item);
  }

  private upsertItem(item: CatalogItem): void {
    if (this.base !== null && this.base.catalog.has(item.id)) this.base.replaced.set(item.id, item);
    else this.items.set(item.id, item);
  }

  async listItemIds(): Promise<string[]> {
    this.count('listItemIds');
    return this.base === null ? [...this.items.keys()] : [...this.base.catalog.ids, ...this.items.keys()];
  }

  async listPromotions(): Promise<Promotion[]> {
    this.count('listPromotions');
    return [...this.promotions.values()];
  }

  async upsertPromotion(promotion: Promotion): Promise<void> {
    this.count('upsertPromotion');
    this.promotions.set(promotion.id, promotion);
  }

  async deletePromotion(id: string): Promise<boolean> {
    this.count('deletePromotion');
    return this.promotions.delete(id);
  }

  async putRankedList(list: StoredRankedList, ttlMs: number): Promise<void> {
    this.count('putRankedList');
    const now = this.now();
    if (++this.putsSinceSweep >= SWEEP_EVERY) {
      this.putsSinceSweep = 0;
      this.rankedLists.sweep(now);
    }
    this.rankedLists.put(list, now + ttlMs);
  }

  async getRankedList(requestId: string): Promise<StoredRankedList | null> {
    this.count('getRankedList');
    return this.rankedLists.get(requestId, this.now());
  }

  /**
   * Replaces each given user's state ({@link FeatureStore.seedUsers}). The
   * store keeps `seed.vector` itself rather than a copy and never writes to
   * it: do not change it afterwards (seedFeatureStore passes views of the
   * model's user-vector column). Other fields are copied or rebuilt.
   */
  async seedUsers(users: readonly UserSeed[]): Promise<void> {
    this.count('seedUsers');
    const asRows = this.seedRows(users);
    for (const seed of users) {
      const recent = seed.recent.slice().sort((a, b) => b.timestamp - a.timestamp);
      if (recent.length > this.historySize) recent.length = this.historySize;
      const history = compactHistory(recent);
      this.putUser(seed.userId, {
        interactionCount: seed.interactionCount,
        recent: Array.isArray(history) ? history : { ...history, itemIds: asRows(history.itemIds) },
        seen: asRows(seed.seen),
        dismissed: seed.dismissed.length === 0 ? null : new Set(seed.dismissed),
        categoryWeights: numberColumns(seed.categoryWeights),
        categoryLastSeen: numberColumns(seed.categoryLastSeen),
        // Kept as given, not copied (issue #6): the store never writes into a stored vector (a write
        // replaces it with a copy, reads return copies), so a view of the model's user-vector column
        // costs no second copy (~7 MB for the 20,000 users of the 1M bench catalog).
        vector: seed.vector,
        pendingVector: null,
        impressions: null,
      });
    }
  }

  /**
   * How {@link seedUsers} keeps a seeded user's item lists: with packed
   * catalog ids ({@link PackedIdList}, a large model's), as catalog positions
   * in one Int32Array per call ({@link ItemIdRows}), so the users hold no
   * string per item (issue #6: the 20,000 seeded users of the 1M bench
   * catalog held ~660k item-id strings, the most numerous objects a major GC
   * marked once the catalog's ids were packed); a list naming an item outside
   * the catalog stays a copied array. Otherwise every list is a copied array.
   */
  private seedRows(users: readonly UserSeed[]): (ids: ItemIdList) => ItemIdList {
    const copy = (ids: ItemIdList): ItemIdList => [...ids];
    const base = this.base;
    if (base === null || !(base.catalog.ids instanceof PackedIdList)) return copy;
    let total = 0;
    for (const seed of users) total += seed.seen.length + Math.min(seed.recent.length, this.historySize);
    const rows = new Int32Array(total);
    let used = 0;
    return (ids) => {
      const start = used;
      if (start + ids.length > rows.length) return copy(ids);
      for (let k = 0; k < ids.length; k++) {
        const position = base.catalog.positionOf(ids.at(k)!);
        if (position === undefined) {
          used = start;
          return copy(ids);
        }
        rows[used++] = position;
      }
      return new ItemIdRows(base.catalog.ids, rows, start, ids.length);
    };
  }

  async close(): Promise<void> {
    this.count('close');
  }

  private count(method: FeatureStoreMethod | BatchMethod): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  private userState(userId: string): UserState {
    let u = this.users.get(userId);
    if (u === undefined) {
      u = {
        interactionCount: 0,
        recent: [],
        seen: new Set(),
        dismissed: null,
        categoryWeights: new Map(),
        categoryLastSeen: new Map(),
        vector: null,
        pendingVector: null,
        impressions: null,
      };
      this.putUser(userId, u);
    }
    return u;
  }
}

/** Replaces the user's vector (null deletes it) with a copy; a pending lazy fold-in is dropped unread. */
function setVector(u: UserState, vector: Float32Array | null): void {
  u.vector = vector === null ? null : Float32Array.from(vector);
  u.pendingVector = null;
}

/** Runs the user's pending lazy fold-in, if any, and stores its vector (null keeps the stored one). */
function resolveVector(u: UserState): void {
  const pending = u.pendingVector;
  if (pending === null) return;
  u.pendingVector = null;
  const vector = pending(u.vector);
  if (vector !== null) u.vector = vector;
}

/** A copy of a user's state, so later writes do not change what a caller holds. */
function snapshot(userId: string, u: UserState): UserFeatures {
  return {
    userId,
    interactionCount: u.interactionCount,
    recent: historyOf(u),
    seen: new Set(u.seen),
    dismissed: new Set(u.dismissed),
    categoryWeights: mapOf(u.categoryWeights),
    categoryLastSeen: mapOf(u.categoryLastSeen),
    vector: u.vector === null ? null : Float32Array.from(u.vector),
    impressions: new Map(u.impressions === null ? [] : [...u.impressions].map(([id, v]) => [id, { ...v }])),
  };
}

/**
 * Inserts `entry` into `recent` (most recent first) before the first entry that
 * is not strictly more recent, so among equal timestamps the latest arrival
 * comes first; trims to `max`. O(history size).
 */
function insertByTime(recent: HistoryEntry[], entry: HistoryEntry, max: number): void {
  let k = 0;
  while (k < recent.length && recent[k]!.timestamp > entry.timestamp) k++;
  recent.splice(k, 0, entry);
  if (recent.length > max) recent.length = max;
}
