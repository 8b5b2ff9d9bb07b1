// Longer than ~300 lines: the key schema, codecs and every port method of one
// adapter belong together (splitting them would scatter the schema).
import { Redis } from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { CatalogItem, InteractionType } from '../../domain/interaction.js';
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
import { countersAt } from '../decayCounter.js';
import type { FeatureStoreMethod } from '../memory/memoryFeatureStore.js';
import { COUNTER_INCREMENT_LUA, HASH_MAX_LUA, HISTORY_INSERT_LUA, IMPRESSIONS_LUA } from './redisScripts.js';

/** Options of {@link RedisFeatureStore.connect}. */
export interface RedisFeatureStoreOptions {
  /** Redis URL. @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** Prefix of every key (see the key schema). @default 'recgate:' */
  readonly prefix?: string;
  /**
   * Server-side TTL of user keys, in seconds, refreshed on every write to the
   * user; `null` keeps users forever. Ranked lists use the TTL given per call.
   * @default null
   */
  readonly ttlSeconds?: number | null;
  /** Clock in Unix ms: counters are decayed to it on read, ranked lists expire by it. @default Date.now */
  readonly now?: () => number;
  /** Half-life of the `popularity` counter, in days. @default 90 */
  readonly popularityHalfLifeDays?: number;
  /** Half-life of the `trend` counter, in days. @default 7 */
  readonly trendingHalfLifeDays?: number;
  /** How many history entries a user keeps in `recent`. @default 50 */
  readonly historySize?: number;
  /** Connect timeout, in ms. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/** The Lua commands registered on the connection (see redisScripts.ts). */
interface ScriptCommands {
  historyInsert(key: string, encoded: string, timestamp: string, size: string): unknown;
  hashMax(key: string, at: string, ...fields: string[]): unknown;
  impressions(key: string, at: string, ...itemIds: string[]): unknown;
  counterIncrement(key: string, weight: string, at: string, hpMs: string, htMs: string): unknown;
}

const DAY_MS = 86_400_000;
/** Users written per pipeline by {@link RedisFeatureStore.seedUsers}. */
const SEED_CHUNK = 1000;
/** Commands per user in {@link RedisFeatureStore.getUsers}. */
const USER_READS = 8;

/**
 * The shared {@link FeatureStore} on Redis (ioredis): any replica answers any
 * request. Semantics mirror `MemoryFeatureStore` exactly (the same contract
 * suite runs on both).
 *
 * Key schema (`P` = `prefix`, default `recgate:`; `{u:<id>}` is a hash tag so
 * a user's keys share a Cluster slot and one MULTI can touch them all):
 * - `P{u:<id>}:meta` hash, field `n` = interaction count (text); its existence marks a known user.
 * - `P{u:<id>}:hist` list, most recent first, ≤ `historySize`: `<timestamp>:<json [itemId,type,value]>`.
 * - `P{u:<id>}:seen`, `P{u:<id>}:dis` sets of item ids (seen, dismissed).
 * - `P{u:<id>}:cat` hash category → weight (text, HINCRBYFLOAT);
 *   `P{u:<id>}:catAt` hash category → last seen, Unix ms (text).
 * - `P{u:<id>}:vec` string: the vector as raw little-endian float32 bytes.
 * - `P{u:<id>}:imp` hash item id → `<count>:<lastAt>`.
 * - `P{i:<id>}:ctr` string, 24 bytes: little-endian float64 popularity, trend, updatedAt.
 * - `P{i:<id>}:item` string: the catalog item as JSON; `Pitems` set of all item ids.
 * - `Ppromotions` hash promotion id → JSON.
 * - `P{r:<requestId>}:ranked` string: JSON `{expiresAt, list}`, `SET … PX ttl`.
 *
 * - Batch reads are one round trip: `getUsers` one pipeline, `getItems` one
 *   MGET, `getItemCounters` one MGET of binary values (needs a single node:
 *   on Cluster the item keys would have to share a slot).
 * - `applyInteraction` is one MULTI on the user's keys; the history insert and
 *   the max-updates run as Lua inside it. Counter increments run as one Lua
 *   script (the decay arithmetic of {@link decayCounter}, server-side).
 * - Ranked lists expire by `now()` (stored `expiresAt`) and, for cleanup, by Redis's own PX TTL.
 * - `calls` counts port method calls by name; `roundTrips` counts server
 *   round trips (pipelines, MULTIs and single commands) — the batching test reads it.
 */
export class RedisFeatureStore implements FeatureStore {
  readonly name = 'redis';
  /** Calls per port method since construction or {@link resetCalls}. */
  readonly calls: Record<string, number> = {};
  /** Server round trips since construction or {@link resetCalls}. */
  roundTrips = 0;
  /** The key prefix in use. */
  readonly prefix: string;
  private readonly popularityHalfLifeMs: number;
  private readonly trendHalfLifeMs: number;
  private readonly historySize: number;
  private readonly ttlSeconds: number | null;
  private readonly now: () => number;

  private constructor(
    /** The connection (owned; closed by {@link close}). */
    readonly redis: Redis,
    options: RedisFeatureStoreOptions,
  ) {
    this.prefix = options.prefix ?? 'recgate:';
    this.popularityHalfLifeMs = (options.popularityHalfLifeDays ?? 90) * DAY_MS;
    this.trendHalfLifeMs = (options.trendingHalfLifeDays ?? 7) * DAY_MS;
    this.historySize = options.historySize ?? 50;
    this.ttlSeconds = options.ttlSeconds ?? null;
    this.now = options.now ?? Date.now;
  }

  /**
   * Connects and checks the server with a PING.
   * @throws RangeError for a non-positive half-life, history size or TTL;
   *   Error naming the URL when Redis cannot be reached.
   */
  static async connect(options: RedisFeatureStoreOptions = {}): Promise<RedisFeatureStore> {
    const popularity = options.popularityHalfLifeDays ?? 90;
    const trend = options.trendingHalfLifeDays ?? 7;
    const historySize = options.historySize ?? 50;
    if (!(popularity > 0) || !(trend > 0)) {
      throw new RangeError(`half-lives must be > 0 days, got popularity ${popularity}, trend ${trend}`);
    }
    if (!Number.isInteger(historySize) || historySize < 1) {
      throw new RangeError(`historySize must be an integer ≥ 1, got ${historySize}`);
    }
    const ttl = options.ttlSeconds ?? null;
    if (ttl !== null && !(Number.isInteger(ttl) && ttl > 0)) {
      throw new RangeError(`ttlSeconds must be a positive integer or null, got ${ttl}`);
    }
    const url = options.url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      maxRetriesPerRequest: 2,
    });
    redis.defineCommand('historyInsert', { numberOfKeys: 1, lua: HISTORY_INSERT_LUA });
    redis.defineCommand('hashMax', { numberOfKeys: 1, lua: HASH_MAX_LUA });
    redis.defineCommand('impressions', { numberOfKeys: 1, lua: IMPRESSIONS_LUA });
    redis.defineCommand('counterIncrement', { numberOfKeys: 1, lua: COUNTER_INCREMENT_LUA });
    // Until connected, connection errors reject connect() below rather than
    // reaching ioredis's "Unhandled error event" log.
    const swallow = (): void => {};
    redis.on('error', swallow);
    try {
      await redis.connect();
      await redis.ping();
      redis.off('error', swallow);
    } catch (error) {
      redis.disconnect();
      throw new Error(
        `RedisFeatureStore: cannot reach Redis at ${url}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return new RedisFeatureStore(redis, options);
  }

  /** Sets every call count and the round-trip count back to zero. */
  resetCalls(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.roundTrips = 0;
  }

  async getUsers(userIds: readonly string[]): Promise<(UserFeatures | null)[]> {
    this.count('getUsers');
    if (userIds.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of userIds) {
      const k = this.userKey(id);
      p.hget(`${k}:meta`, 'n')
        .lrange(`${k}:hist`, 0, -1)
        .smembers(`${k}:seen`)
        .smembers(`${k}:dis`)
        .hgetall(`${k}:cat`)
        .hgetall(`${k}:catAt`)
        .getBuffer(`${k}:vec`)
        .hgetall(`${k}:imp`);
    }
    const r = await this.exec(p);
    return userIds.map((userId, u) => {
      const at = (j: number): unknown => r[u * USER_READS + j];
      const n = at(0) as string | null;
      if (n === null) return null;
      const imp = at(7) as Record<string, string>;
      return {
        userId,
        interactionCount: Number(n),
        recent: (at(1) as string[]).map(decodeEntry),
        seen: new Set(at(2) as string[]),
        dismissed: new Set(at(3) as string[]),
        categoryWeights: numberMap(at(4) as Record<string, string>),
        categoryLastSeen: numberMap(at(5) as Record<string, string>),
        vector: decodeVector(at(6) as Buffer | null),
        impressions: new Map(
          Object.entries(imp).map(([id, v]) => {
            const sep = v.indexOf(':');
            return [id, { count: Number(v.slice(0, sep)), lastAt: Number(v.slice(sep + 1)) }];
          }),
        ),
      };
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
    const k = this.userKey(userId);
    const m = this.redis.multi();
    const s = m as unknown as ScriptCommands;
    m.hsetnx(`${k}:meta`, 'n', 0);
    s.historyInsert(`${k}:hist`, encodeEntry(entry), String(entry.timestamp), String(this.historySize));
    m.sadd(`${k}:seen`, entry.itemId);
    if (DISMISSIVE_TYPES.has(entry.type)) {
      m.sadd(`${k}:dis`, entry.itemId);
    } else {
      m.hincrby(`${k}:meta`, 'n', 1);
      if (update.weight > 0 && Number.isFinite(update.weight)) {
        const categories = [...new Set(update.categories)];
        for (const c of categories) m.hincrbyfloat(`${k}:cat`, c, update.weight);
        if (categories.length > 0) s.hashMax(`${k}:catAt`, String(entry.timestamp), ...categories);
      }
    }
    if (update.vector === null) m.del(`${k}:vec`);
    else if (update.vector !== undefined) m.set(`${k}:vec`, encodeVector(update.vector));
    this.expireUser(m, k);
    await this.exec(m);
  }

  async recordImpressions(userId: string, itemIds: readonly string[], at: number): Promise<void> {
    this.count('recordImpressions');
    const k = this.userKey(userId);
    const m = this.redis.multi();
    m.hsetnx(`${k}:meta`, 'n', 0);
    if (itemIds.length > 0) (m as unknown as ScriptCommands).impressions(`${k}:imp`, String(at), ...itemIds);
    this.expireUser(m, k);
    await this.exec(m);
  }

  async getItemCounters(itemIds: readonly string[]): Promise<(ItemCounters | null)[]> {
    this.count('getItemCounters');
    if (itemIds.length === 0) return [];
    this.roundTrips++;
    const raw = await this.redis.mgetBuffer(...itemIds.map((id) => this.counterKey(id)));
    const now = this.now();
    return raw.map((b) => {
      if (b === null) return null;
      return countersAt(decodeCounters(b), now, this.popularityHalfLifeMs, this.trendHalfLifeMs);
    });
  }

  /** @throws RangeError for a non-finite weight or time. */
  async incrementItemCounters(itemId: string, weight: number, at: number): Promise<void> {
    this.count('incrementItemCounters');
    if (!Number.isFinite(weight) || !Number.isFinite(at)) {
      throw new RangeError(`counter increment needs a finite weight and time, got ${weight} at ${at}`);
    }
    this.roundTrips++;
    await (this.redis as unknown as ScriptCommands).counterIncrement(
      this.counterKey(itemId),
      String(weight),
      String(at),
      String(this.popularityHalfLifeMs),
      String(this.trendHalfLifeMs),
    );
  }

  async putItemCounters(
    entries: readonly { readonly itemId: string; readonly counters: ItemCounters }[],
  ): Promise<void> {
    this.count('putItemCounters');
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    for (const { itemId, counters } of entries) p.set(this.counterKey(itemId), encodeCounters(counters));
    await this.exec(p);
  }

  async getItems(itemIds: readonly string[]): Promise<(CatalogItem | null)[]> {
    this.count('getItems');
    if (itemIds.length === 0) return [];
    this.roundTrips++;
    const raw = await this.redis.mget(...itemIds.map((id) => this.itemKey(id)));
    return raw.map((json) => (json === null ? null : (JSON.parse(json) as CatalogItem)));
  }

  async upsertItems(items: readonly CatalogItem[]): Promise<void> {
    this.count('upsertItems');
    if (items.length === 0) return;
    const p = this.redis.pipeline();
    for (const item of items) p.set(this.itemKey(item.id), JSON.stringify(item));
    p.sadd(`${this.prefix}items`, ...items.map((i) => i.id));
    await this.exec(p);
  }

  async listItemIds(): Promise<string[]> {
    this.count('listItemIds');
    this.roundTrips++;
    return this.redis.smembers(`${this.prefix}items`);
  }

  async listPromotions(): Promise<Promotion[]> {
    this.count('listPromotions');
    this.roundTrips++;
    const all = await this.redis.hgetall(`${this.prefix}promotions`);
    return Object.values(all).map((json) => JSON.parse(json) as Promotion);
  }

  async upsertPromotion(promotion: Promotion): Promise<void> {
    this.count('upsertPromotion');
    this.roundTrips++;
    await this.redis.hset(`${this.prefix}promotions`, promotion.id, JSON.stringify(promotion));
  }

  async deletePromotion(id: string): Promise<boolean> {
    this.count('deletePromotion');
    this.roundTrips++;
    return (await this.redis.hdel(`${this.prefix}promotions`, id)) > 0;
  }

  async putRankedList(list: StoredRankedList, ttlMs: number): Promise<void> {
    this.count('putRankedList');
    this.roundTrips++;
    const expiresAt = this.now() + ttlMs;
    const px = Math.max(1, Math.ceil(ttlMs));
    await this.redis.set(this.rankedKey(list.requestId), JSON.stringify({ expiresAt, list }), 'PX', px);
  }

  async getRankedList(requestId: string): Promise<StoredRankedList | null> {
    this.count('getRankedList');
    this.roundTrips++;
    const json = await this.redis.get(this.rankedKey(requestId));
    if (json === null) return null;
    const kept = JSON.parse(json) as { expiresAt: number; list: StoredRankedList };
    return kept.expiresAt <= this.now() ? null : kept.list;
  }

  /** Replaces each user's whole state: one pipeline per {@link SEED_CHUNK} users. */
  async seedUsers(users: readonly UserSeed[]): Promise<void> {
    this.count('seedUsers');
    for (let start = 0; start < users.length; start += SEED_CHUNK) {
      const p = this.redis.pipeline();
      for (const seed of users.slice(start, start + SEED_CHUNK)) {
        const k = this.userKey(seed.userId);
        const recent = seed.recent.slice().sort((a, b) => b.timestamp - a.timestamp);
        if (recent.length > this.historySize) recent.length = this.historySize;
        p.unlink(
          `${k}:meta`,
          `${k}:hist`,
          `${k}:seen`,
          `${k}:dis`,
          `${k}:cat`,
          `${k}:catAt`,
          `${k}:vec`,
          `${k}:imp`,
        );
        p.hset(`${k}:meta`, 'n', seed.interactionCount);
        if (recent.length > 0) p.rpush(`${k}:hist`, ...recent.map(encodeEntry));
        if (seed.seen.length > 0) p.sadd(`${k}:seen`, ...seed.seen);
        if (seed.dismissed.length > 0) p.sadd(`${k}:dis`, ...seed.dismissed);
        if (Object.keys(seed.categoryWeights).length > 0) p.hset(`${k}:cat`, seed.categoryWeights);
        if (Object.keys(seed.categoryLastSeen).length > 0) p.hset(`${k}:catAt`, seed.categoryLastSeen);
        if (seed.vector !== null) p.set(`${k}:vec`, encodeVector(seed.vector));
        this.expireUser(p, k);
      }
      await this.exec(p);
    }
  }

  /** Closes the connection (keys stay in Redis). */
  async close(): Promise<void> {
    this.count('close');
    await this.redis.quit();
  }

  private count(method: FeatureStoreMethod): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  /** Runs a pipeline or MULTI as one round trip; rethrows the first command error. */
  private async exec(p: ChainableCommander): Promise<unknown[]> {
    this.roundTrips++;
    const results = (await p.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  private expireUser(p: ChainableCommander, k: string): void {
    if (this.ttlSeconds === null) return;
    for (const suffix of ['meta', 'hist', 'seen', 'dis', 'cat', 'catAt', 'vec', 'imp']) {
      p.expire(`${k}:${suffix}`, this.ttlSeconds);
    }
  }

  private userKey(userId: string): string {
    return `${this.prefix}{u:${userId}}`;
  }
  private counterKey(itemId: string): string {
    return `${this.prefix}{i:${itemId}}:ctr`;
  }
  private itemKey(itemId: string): string {
    return `${this.prefix}{i:${itemId}}:item`;
  }
  private rankedKey(requestId: string): string {
    return `${this.prefix}{r:${requestId}}:ranked`;
  }
}

/** `<timestamp>:<json [itemId, type, value]>`; the Lua insert reads the timestamp prefix. */
function encodeEntry(e: HistoryEntry): string {
  return `${e.timestamp}:${JSON.stringify([e.itemId, e.type, e.value])}`;
}

function decodeEntry(s: string): HistoryEntry {
  const sep = s.indexOf(':');
  const [itemId, type, value] = JSON.parse(s.slice(sep + 1)) as [string, InteractionType, number | null];
  return { itemId, type, value, timestamp: Number(s.slice(0, sep)) };
}

/** The vector's float32 bytes (platform order: little-endian on every supported platform), copied. */
function encodeVector(v: Float32Array): Buffer {
  return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

function decodeVector(b: Buffer | null): Float32Array | null {
  if (b === null) return null;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** 24 bytes: little-endian float64 popularity, trend, updatedAt (the Lua script's `<ddd`). */
function encodeCounters(c: ItemCounters): Buffer {
  const b = Buffer.alloc(24);
  b.writeDoubleLE(c.popularity, 0);
  b.writeDoubleLE(c.trend, 8);
  b.writeDoubleLE(c.updatedAt, 16);
  return b;
}

function decodeCounters(b: Buffer): ItemCounters {
  return { popularity: b.readDoubleLE(0), trend: b.readDoubleLE(8), updatedAt: b.readDoubleLE(16) };
}

function numberMap(h: Record<string, string>): Map<string, number> {
  return new Map(Object.entries(h).map(([key, v]) => [key, Number(v)]));
}
