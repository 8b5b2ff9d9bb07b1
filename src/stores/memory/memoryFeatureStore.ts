import type { CatalogItem } from '../../domain/interaction.js';
import type { Promotion } from '../../services/serviceTypes.js';
import { DISMISSIVE_TYPES } from '../dismissiveTypes.js';
import type {
  FeatureStore,
  HistoryEntry,
  ItemCounters,
  StoredRankedList,
  UserFeatures,
  UserSeed,
} from '../featureStore.js';
import { decayCounter } from '../decayCounter.js';

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
}

/** Names of the {@link FeatureStore} methods counted in {@link MemoryFeatureStore.calls}. */
export type FeatureStoreMethod = Exclude<keyof FeatureStore, 'name'>;

interface UserState {
  interactionCount: number;
  /** Most recent first, at most `historySize`. */
  recent: HistoryEntry[];
  /** A seeded array until the first write turns it into a Set (seeding 16k users builds no Set). */
  seen: Set<string> | readonly string[];
  dismissed: Set<string>;
  categoryWeights: Map<string, number>;
  categoryLastSeen: Map<string, number>;
  vector: Float32Array | null;
  impressions: Map<string, { count: number; lastAt: number }>;
}

interface CounterState {
  popularity: number;
  trend: number;
  updatedAt: number;
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
 * - `calls` counts every port method call, by method name (the batching test reads it).
 */
export class MemoryFeatureStore implements FeatureStore {
  readonly name = 'memory';
  /** Calls per port method since construction or {@link resetCalls}. */
  readonly calls: Record<string, number> = {};
  private readonly users = new Map<string, UserState>();
  private readonly counters = new Map<string, CounterState>();
  private readonly items = new Map<string, CatalogItem>();
  private readonly promotions = new Map<string, Promotion>();
  private readonly maxRankedLists: number;
  private readonly rankedLists = new Map<string, { list: StoredRankedList; expiresAt: number }>();
  private readonly popularityHalfLifeMs: number;
  private readonly trendHalfLifeMs: number;
  private readonly historySize: number;
  private readonly now: () => number;
  private putsSinceSweep = 0;

  /** @throws RangeError for a non-positive half-life or history size. */
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
    this.maxRankedLists = options.maxRankedLists ?? 10_000;
    if (!(Number.isInteger(this.maxRankedLists) && this.maxRankedLists >= 1)) {
      throw new RangeError(`maxRankedLists must be an integer ≥ 1, got ${this.maxRankedLists}`);
    }
  }

  /** Sets every call count back to zero. */
  resetCalls(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
  }

  async getUsers(userIds: readonly string[]): Promise<(UserFeatures | null)[]> {
    this.count('getUsers');
    return userIds.map((id) => {
      const u = this.users.get(id);
      return u === undefined ? null : snapshot(id, u);
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
    insertByTime(u.recent, { ...entry }, this.historySize);
    if (!(u.seen instanceof Set)) u.seen = new Set(u.seen);
    u.seen.add(entry.itemId);
    if (DISMISSIVE_TYPES.has(entry.type)) {
      u.dismissed.add(entry.itemId);
    } else {
      u.interactionCount++;
      if (update.weight > 0 && Number.isFinite(update.weight)) {
        for (const c of new Set(update.categories)) {
          u.categoryWeights.set(c, (u.categoryWeights.get(c) ?? 0) + update.weight);
          u.categoryLastSeen.set(c, Math.max(u.categoryLastSeen.get(c) ?? -Infinity, entry.timestamp));
        }
      }
    }
    if (update.vector !== undefined)
      u.vector = update.vector === null ? null : Float32Array.from(update.vector);
  }

  async recordImpressions(userId: string, itemIds: readonly string[], at: number): Promise<void> {
    this.count('recordImpressions');
    const u = this.userState(userId);
    for (const itemId of itemIds) {
      const prev = u.impressions.get(itemId);
      u.impressions.set(itemId, { count: (prev?.count ?? 0) + 1, lastAt: Math.max(prev?.lastAt ?? at, at) });
    }
  }

  async getItemCounters(itemIds: readonly string[]): Promise<(ItemCounters | null)[]> {
    this.count('getItemCounters');
    const now = this.now();
    const out = new Array<ItemCounters | null>(itemIds.length);
    // The decay factors depend only on `updatedAt`, which seeded counters share: computed once
    // per run of equal stamps (two Math.pow per item were most of this read). value · factor
    // equals countersAt's decayCounter(value, …) bit for bit: decayCounter(1, …) is that factor.
    let stamp = NaN;
    let at = now;
    let popularityFactor = 1;
    let trendFactor = 1;
    for (let j = 0; j < itemIds.length; j++) {
      const c = this.counters.get(itemIds[j]!);
      if (c === undefined) {
        out[j] = null;
        continue;
      }
      if (c.updatedAt !== stamp) {
        stamp = c.updatedAt;
        at = Math.max(now, stamp);
        popularityFactor = decayCounter(1, at - stamp, this.popularityHalfLifeMs);
        trendFactor = decayCounter(1, at - stamp, this.trendHalfLifeMs);
      }
      out[j] = { popularity: c.popularity * popularityFactor, trend: c.trend * trendFactor, updatedAt: at };
    }
    return out;
  }

  async incrementItemCounters(itemId: string, weight: number, at: number): Promise<void> {
    this.count('incrementItemCounters');
    if (!Number.isFinite(weight) || !Number.isFinite(at)) {
      throw new RangeError(`counter increment needs a finite weight and time, got ${weight} at ${at}`);
    }
    const c = this.counters.get(itemId);
    if (c === undefined) {
      this.counters.set(itemId, { popularity: weight, trend: weight, updatedAt: at });
    } else if (at >= c.updatedAt) {
      c.popularity = decayCounter(c.popularity, at - c.updatedAt, this.popularityHalfLifeMs) + weight;
      c.trend = decayCounter(c.trend, at - c.updatedAt, this.trendHalfLifeMs) + weight;
      c.updatedAt = at;
    } else {
      // A late event: its weight, decayed from its own time to the stored time.
      c.popularity += decayCounter(weight, c.updatedAt - at, this.popularityHalfLifeMs);
      c.trend += decayCounter(weight, c.updatedAt - at, this.trendHalfLifeMs);
    }
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
   * @param chunkSize ids per chunk, an integer ≥ 1. @default 16384
   * @param at Unix ms to decay to; a counter stamped after it is returned as it is. @default now()
   * @throws RangeError for a chunk size that is not an integer ≥ 1 (on the first `next()`).
   */
  *itemCounterChunks(
    chunkSize = 16384,
    at = this.now(),
  ): Generator<{ ids: string[]; popularity: Float32Array; trend: Float32Array }, void, void> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new RangeError(`chunkSize must be an integer ≥ 1, got ${chunkSize}`);
    }
    let updatedAt = NaN;
    let popularityFactor = 1;
    let trendFactor = 1;
    let ids: string[] = [];
    let popularity = new Float32Array(chunkSize);
    let trend = new Float32Array(chunkSize);
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
        popularity[ids.length] = Number.isFinite(p) ? p : 0;
        trend[ids.length] = Number.isFinite(t) ? t : 0;
      }
      ids.push(id);
      if (ids.length === chunkSize) {
        yield { ids, popularity, trend };
        ids = [];
        popularity = new Float32Array(chunkSize);
        trend = new Float32Array(chunkSize);
      }
    }
    if (ids.length > 0)
      yield { ids, popularity: popularity.subarray(0, ids.length), trend: trend.subarray(0, ids.length) };
  }

  async putItemCounters(
    entries: readonly { readonly itemId: string; readonly counters: ItemCounters }[],
  ): Promise<void> {
    this.count('putItemCounters');
    for (const { itemId, counters } of entries) {
      this.counters.set(itemId, {
        popularity: counters.popularity,
        trend: counters.trend,
        updatedAt: counters.updatedAt,
      });
    }
  }

  async getItems(itemIds: readonly string[]): Promise<(CatalogItem | null)[]> {
    this.count('getItems');
    return itemIds.map((id) => this.items.get(id) ?? null);
  }

  async upsertItems(items: readonly CatalogItem[]): Promise<void> {
    this.count('upsertItems');
    for (const item of items) this.items.set(item.id, item);
  }

  async listItemIds(): Promise<string[]> {
    this.count('listItemIds');
    return [...this.items.keys()];
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
      for (const [id, kept] of this.rankedLists) if (kept.expiresAt <= now) this.rankedLists.delete(id);
    }
    this.rankedLists.delete(list.requestId);
    this.rankedLists.set(list.requestId, { list, expiresAt: now + ttlMs });
    // Maps keep insertion order: the first key is the oldest list.
    while (this.rankedLists.size > this.maxRankedLists) {
      this.rankedLists.delete(this.rankedLists.keys().next().value!);
    }
  }

  async getRankedList(requestId: string): Promise<StoredRankedList | null> {
    this.count('getRankedList');
    const kept = this.rankedLists.get(requestId);
    if (kept === undefined) return null;
    if (kept.expiresAt <= this.now()) {
      this.rankedLists.delete(requestId);
      return null;
    }
    return kept.list;
  }

  async seedUsers(users: readonly UserSeed[]): Promise<void> {
    this.count('seedUsers');
    for (const seed of users) {
      const recent = seed.recent.slice().sort((a, b) => b.timestamp - a.timestamp);
      if (recent.length > this.historySize) recent.length = this.historySize;
      this.users.set(seed.userId, {
        interactionCount: seed.interactionCount,
        recent,
        seen: seed.seen.slice(),
        dismissed: new Set(seed.dismissed),
        categoryWeights: new Map(Object.entries(seed.categoryWeights)),
        categoryLastSeen: new Map(Object.entries(seed.categoryLastSeen)),
        vector: seed.vector === null ? null : Float32Array.from(seed.vector),
        impressions: new Map(),
      });
    }
  }

  async close(): Promise<void> {
    this.count('close');
  }

  private count(method: FeatureStoreMethod): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  private userState(userId: string): UserState {
    let u = this.users.get(userId);
    if (u === undefined) {
      u = {
        interactionCount: 0,
        recent: [],
        seen: new Set(),
        dismissed: new Set(),
        categoryWeights: new Map(),
        categoryLastSeen: new Map(),
        vector: null,
        impressions: new Map(),
      };
      this.users.set(userId, u);
    }
    return u;
  }
}

/** A copy of a user's state, so later writes do not change what a caller holds. */
function snapshot(userId: string, u: UserState): UserFeatures {
  return {
    userId,
    interactionCount: u.interactionCount,
    recent: u.recent.slice(),
    seen: new Set(u.seen),
    dismissed: new Set(u.dismissed),
    categoryWeights: new Map(u.categoryWeights),
    categoryLastSeen: new Map(u.categoryLastSeen),
    vector: u.vector === null ? null : Float32Array.from(u.vector),
    impressions: new Map([...u.impressions].map(([id, v]) => [id, { ...v }])),
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
