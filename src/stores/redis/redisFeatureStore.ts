import { randomUUID } from 'node:crypto';
// Longer than ~300 lines: the key schema, codecs and every port method of one
// adapter belong together (splitting them would scatter the schema).
import type { ChainableCommander } from 'ioredis';
import type { CatalogItem, InteractionType } from '../../domain/interaction.js';
import type { Promotion } from '../../services/serviceTypes.js';
import { DISMISSIVE_TYPES } from '../dismissiveTypes.js';
import { DEFAULT_MAX_IMPRESSIONS_PER_USER } from '../featureStore.js';
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
import { deleteKeysByPrefix } from './deleteKeysByPrefix.js';
import { groupByNode } from './groupByNode.js';
import { execWithDeadline, PIPELINE_DEADLINE_FACTOR } from './execWithDeadline.js';
import { sendOrNotSent } from './sendOrNotSent.js';
import {
  closeRedisClient,
  createRedisClient,
  DEFAULT_COMMAND_TIMEOUT_MS,
  resolveRedisTarget,
} from './redisConnection.js';
import type { RedisClient, RedisClientOptions, RedisNodeAddress } from './redisConnection.js';
import type {
  BatchWrites,
  CounterIncrement,
  FoldInReads,
  FoldInState,
  InteractionWrite,
} from '../featureStoreBatchWrites.js';
import { APPLY_INTERACTIONS_LUA, COUNTER_INCREMENTS_LUA, IMPRESSIONS_LUA } from './redisScripts.js';

/**
 * Options of {@link RedisFeatureStore.connect}. The connection options
 * (`connectTimeoutMs` 2000 ms, `commandTimeoutMs` 1000 ms,
 * `maxReconnectDelayMs` 2000 ms, `name`, `log`) are those of
 * {@link createRedisClient}; `name` defaults to `'RedisFeatureStore'` here.
 */
export interface RedisFeatureStoreOptions extends RedisClientOptions {
  /**
   * Redis URL of a single server. Give either `url` or `clusterNodes`.
   * @default the target of `redisTargetFromEnv()`: `REDIS_CLUSTER_NODES`, else
   *   `REDIS_URL`, else 'redis://127.0.0.1:6379'
   */
  readonly url?: string;
  /** Some nodes of a Redis Cluster (the rest are discovered). Give either `url` or `clusterNodes`. */
  readonly clusterNodes?: readonly RedisNodeAddress[];
  /**
   * Prefix of every key (see the key schema). Keep braces out of it: a `{…}`
   * in the prefix would become the hash tag of every key (still correct, but
   * all data in one Cluster slot). @default 'recgate:'
   */
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
  /**
   * Most items whose impressions a user keeps (`P{u:<id>}:imp`, with
   * `P{u:<id>}:impAt` ordering them): past it, the items shown longest ago are
   * dropped (the rule of `FeatureStore.recordImpressions`), so a long-lived
   * user's hash, and the HGETALL every `getUsers` makes of it, stay bounded.
   * An integer ≥ 1. The gateway's `RECGATE_IMPRESSIONS_PER_USER`.
   * @default 500 ({@link DEFAULT_MAX_IMPRESSIONS_PER_USER})
   */
  readonly maxImpressionsPerUser?: number;
}

/** The Lua commands registered on the connection (see redisScripts.ts). */
interface ScriptCommands {
  applyInteractions(...keysThenArgs: (string | Buffer)[]): Promise<unknown>;
  counterIncrements(numberOfKeys: number, ...keysThenArgs: string[]): Promise<unknown>;
  impressions(hashKey: string, zsetKey: string, at: string, max: string, ...itemIds: string[]): unknown;
}

const DAY_MS = 86_400_000;

/**
 * Calls `fn` with consecutive slices of `values` of at most `size` entries
 * (none for an empty array): one command per slice keeps a long list's
 * arguments off the stack (see {@link MGET_CHUNK_KEYS}).
 */
function forChunks<T>(values: readonly T[], size: number, fn: (chunk: readonly T[]) => void): void {
  for (let from = 0; from < values.length; from += size) fn(values.slice(from, from + size));
}
/**
 * Most arguments of one APPLY_INTERACTIONS_LUA call (after the 9 keys): a
 * user's batch with more goes as several calls in one MULTI
 * ({@link RedisFeatureStore.applyUserInteractions}). ioredis's
 * auto-pipelining spreads a command's arguments into a second call, so a
 * command of ~60,000 arguments already exceeds V8's stack ("Maximum call
 * stack size exceeded", before anything is sent); 1,000 events of one user
 * (the feedback batch's cap) on items of 100 categories (the catalog API's
 * cap) take ~106,000 (6 per event and 1 per category).
 */
const SCRIPT_MAX_ARGS = 10_000;
/** Users written per pipeline by {@link RedisFeatureStore.seedUsers}. */
const SEED_CHUNK = 1000;
/**
 * Keys per MGET of {@link RedisFeatureStore.getItemCounters} and
 * {@link RedisFeatureStore.getItems}: a longer id list is read in several
 * MGETs, one after the other. One MGET of every counter of a 1M-item catalog
 * (the popular/trending refresh) failed before it was sent: 1M arguments
 * spread into one call exceed V8's stack ("Maximum call stack size
 * exceeded"), so the refresh fell back to the seeded snapshot's counters and
 * the ranking never saw live feedback (issue #6). Bounded commands also keep
 * Redis from serving one reply of a million values while other replicas wait.
 * Also the most keys or members per MSET and SADD that a store method builds
 * from a list of any length (`putItemCounters`, `upsertItems`, `seedUsers`).
 */
export const MGET_CHUNK_KEYS = 10_000;
/** SCAN's COUNT hint of {@link RedisFeatureStore.deleteUserStates}: keys looked at per step. */
const USER_SCAN_COUNT = 1000;
/** A user's impression keys (`…}:imp`, `…}:impAt`), which {@link RedisFeatureStore.deleteUserStates} keeps. */
const IMPRESSION_KEY = /\}:imp(At)?$/;

/**
 * {@link RedisFeatureStore.markSeeded} with a token: KEYS[1] the seed mark,
 * KEYS[2] the seeding token, ARGV[1] the version, ARGV[2] the token. Sets the
 * mark and deletes the token only when the token is still the one stored.
 */
const MARK_SEEDED_LUA = `
if redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0`;
/** Keys per user (see `userKeys`): every one is deleted by seeding and gets the TTL. */
const USER_KEYS = 9;
/** Commands per user in {@link RedisFeatureStore.getUsers}. */
const USER_READS = 8;
/** Commands per user in {@link RedisFeatureStore.getFoldInStates}. */
const FOLD_IN_READS = 4;

/**
 * The shared {@link FeatureStore} on Redis (ioredis), a single server or a
 * Redis Cluster: any replica answers any request. Semantics mirror
 * `MemoryFeatureStore` exactly (the same contract suite runs on both, and on
 * a 3-master Cluster).
 *
 * Key schema (`P` = `prefix`, default `recgate:`). `{…}` is a Cluster hash
 * tag: `{u:<id>}` puts a user's keys in one slot, so one MULTI or Lua script
 * can touch them all; `{items}` puts the whole item family in ONE slot, so a
 * batch read of any items is one MGET (that slot holds the catalog: fine up to
 * millions of items, but it is one hot slot on one node; docs/redis.md):
 * - `P{u:<id>}:meta` hash, field `n` = interaction count (text); its existence marks a known user.
 * - `P{u:<id>}:hist` list, most recent first, ≤ `historySize`: `<timestamp>:<json [itemId,type,value]>`.
 * - `P{u:<id>}:seen`, `P{u:<id>}:dis` sets of item ids (seen, dismissed).
 * - `P{u:<id>}:cat` hash category → weight (text, HINCRBYFLOAT);
 *   `P{u:<id>}:catAt` hash category → last seen, Unix ms (text).
 * - `P{u:<id>}:vec` string: the vector as raw little-endian float32 bytes; after
 *   {@link RedisFeatureStore.setVectorVersion}(`v`) the key is `P{u:<id>}:vec:<v>`,
 *   so vectors of one model version are never read by another.
 * - `P{u:<id>}:imp` hash item id → `<count>:<lastAt>`, at most `maxImpressionsPerUser` items;
 *   `P{u:<id>}:impAt` sorted set of the same item ids, score lastAt (Unix ms): the
 *   order in which they are dropped. A user written before `impAt` existed
 *   (hash only) gets it built from the hash at the next `recordImpressions`
 *   (a hash over `IMPRESSIONS_MIGRATION_MAX_ITEMS`, 5,000, is dropped instead).
 * - `P{items}:ctr:<id>` string, 24 bytes: little-endian float64 popularity, trend, updatedAt.
 * - `P{items}:item:<id>` string: the catalog item as JSON; `P{items}:ids` set of all item ids; `P{items}:mark` string: a random mark `upsertItems` rewrites after each change of the set (`listItemIds` re-reads the set only when it changed).
 * - `Ppromotions` hash promotion id → JSON.
 * - `P{meta}:seeded` string: the model version whose training state was completely seeded.
 * - `P{r:<requestId>}:ranked` string: JSON `{expiresAt, list}`, `SET … PX ttl`.
 *
 * - Batch reads: `getItems` one MGET, `getItemCounters` one MGET of binary
 *   values (single server and Cluster alike, thanks to `{items}`);
 *   `getUsers` one pipeline on a single server, and on Cluster one pipeline
 *   per node holding any of the users, sent in parallel (one round trip per
 *   node). `seedUsers` pipelines per node the same way.
 * - `applyInteraction` is one Lua script on the user's keys (atomic: the
 *   history insert, sets, counts, category max-updates, vector and TTL). Counter increments run as one Lua
 *   script (the decay arithmetic of {@link decayCounter}, server-side). Every
 *   MULTI, pipeline and script touches keys of one slot only (one user's
 *   `{u:<id>}`, or `{items}`), as Cluster requires.
 * - Commands issued in one tick (a feedback batch's per-user scripts) leave
 *   in one socket write on a single server: the connection uses ioredis's
 *   `enableAutoPipelining` (src/stores/redis/redisConnection.ts; not on
 *   Cluster); each stays its own command, reply and error, in call order.
 * - Ranked lists expire by `now()` (stored `expiresAt`) and, for cleanup, by Redis's own PX TTL.
 * - Failures: while Redis is unreachable every method rejects at once (no
 *   offline queue); the feedback path's writes and reads (`applyInteraction`,
 *   the batch writes, counter increments, `getItems`, `getItemCounters` and
 *   every pipeline or MULTI) then reject with `NotSentError`
 *   (stores/notSentError.ts: certainly not applied, safe to retry; see
 *   {@link sendOrNotSent}); a command without a reply rejects after `commandTimeoutMs`
 *   with ioredis's `Command timed out`, and a pipeline or MULTI gives up after
 *   2 × `commandTimeoutMs` in all ({@link execWithDeadline}: the backstop for
 *   Cluster pipelines retried while a master is down); the connection
 *   recovers by itself (see {@link createRedisClient}).
 * - `calls` counts port method calls by name; `roundTrips` counts server
 *   round trips (pipelines, MULTIs and single commands; on Cluster a
 *   per-node pipeline counts once per node) — the batching tests read it.
 */
export class RedisFeatureStore implements FeatureStore, BatchWrites, FoldInReads {
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
  private readonly maxImpressionsPerUser: number;
  private readonly ttlSeconds: number | null;
  private readonly now: () => number;
  /** Backstop on one pipeline or MULTI, in ms (see {@link execWithDeadline}). */
  private readonly pipelineDeadlineMs: number;

  private constructor(
    /** The connection, `Redis` or `Cluster` (owned; closed by {@link close}). */
    readonly redis: RedisClient,
    options: RedisFeatureStoreOptions,
  ) {
    this.prefix = options.prefix ?? 'recgate:';
    this.popularityHalfLifeMs = (options.popularityHalfLifeDays ?? 90) * DAY_MS;
    this.trendHalfLifeMs = (options.trendingHalfLifeDays ?? 7) * DAY_MS;
    this.historySize = options.historySize ?? 50;
    this.maxImpressionsPerUser = options.maxImpressionsPerUser ?? DEFAULT_MAX_IMPRESSIONS_PER_USER;
    this.ttlSeconds = options.ttlSeconds ?? null;
    this.now = options.now ?? Date.now;
    this.pipelineDeadlineMs =
      PIPELINE_DEADLINE_FACTOR * (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  }

  /**
   * Connects (single server or Cluster, see {@link createRedisClient}) and
   * checks the server with a PING.
   * @throws RangeError for a non-positive half-life, history size, TTL or
   *   timeout, a `maxImpressionsPerUser` that is not an integer ≥ 1, both `url` and `clusterNodes`, or a malformed
   *   `REDIS_CLUSTER_NODES`; Error `cannot connect to Redis at <url>: <reason>`
   *   (or `… Redis Cluster at nodes <host:port, …>`) when Redis cannot be reached.
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
    const maxImpressions = options.maxImpressionsPerUser ?? DEFAULT_MAX_IMPRESSIONS_PER_USER;
    if (!(Number.isInteger(maxImpressions) && maxImpressions >= 1)) {
      throw new RangeError(`maxImpressionsPerUser must be an integer ≥ 1, got ${maxImpressions}`);
    }
    const ttl = options.ttlSeconds ?? null;
    if (ttl !== null && !(Number.isInteger(ttl) && ttl > 0)) {
      throw new RangeError(`ttlSeconds must be a positive integer or null, got ${ttl}`);
    }
    const target = resolveRedisTarget(options);
    const redis = await createRedisClient(target, { name: 'RedisFeatureStore', ...options });
    redis.defineCommand('impressions', { numberOfKeys: 2, lua: IMPRESSIONS_LUA });
    redis.defineCommand('applyInteractions', { numberOfKeys: USER_KEYS, lua: APPLY_INTERACTIONS_LUA });
    // Variable key count: the first argument of each call is the number of keys.
    redis.defineCommand('counterIncrements', { lua: COUNTER_INCREMENTS_LUA });
    return new RedisFeatureStore(redis, options);
  }

  /** `''` or `:<model version>`: the suffix of user vector keys. */
  private vectorSuffix = '';
  /** What {@link listItemIds} read last, and the catalog mark it read before it. */
  private itemIdsCache: { readonly mark: string; readonly ids: readonly string[] } | null = null;

  /**
   * Namespaces user vectors by model version: reads and writes after the call
   * use `P{u:<id>}:vec:<version>`; vectors written under another version are
   * not seen (the gateway then folds the user in from their history).
   * @throws RangeError for an empty version.
   */
  setVectorVersion(version: string): void {
    if (version === '') throw new RangeError('setVectorVersion: the version must not be empty');
    this.vectorSuffix = `:${version}`;
  }

  /**
   * The model version whose training state was last loaded completely into
   * this store (`P{meta}:seeded`), or null: never seeded, seeding was
   * interrupted, or Redis lost its data.
   */
  async seededVersion(): Promise<string | null> {
    this.roundTrips++;
    return this.redis.get(`${this.prefix}{meta}:seeded`);
  }

  /**
   * Records that `version`'s training state is completely loaded (call after
   * seeding). With the `token` of {@link beginSeeding}, only when that token
   * is still stored, in one atomic step (a Lua script over the two `{meta}`
   * keys, one Cluster slot): when Redis lost its data while it was being
   * seeded (a second flush or empty restart), the token is gone, nothing is
   * marked and the caller must seed again. The token is deleted when the mark is set.
   * @returns whether the mark was set (always true without a token).
   */
  async markSeeded(version: string, token?: string): Promise<boolean> {
    this.roundTrips++;
    const mark = `${this.prefix}{meta}:seeded`;
    if (token === undefined) {
      await this.redis.set(mark, version);
      return true;
    }
    const set = await this.redis.eval(
      MARK_SEEDED_LUA,
      2,
      mark,
      `${this.prefix}{meta}:seeding`,
      version,
      token,
    );
    return set === 1;
  }

  /**
   * Starts a seeding: stores a new random token under `P{meta}:seeding` and
   * returns it, for {@link markSeeded} to check that nothing was lost while seeding.
   */
  async beginSeeding(): Promise<string> {
    this.roundTrips++;
    const token = randomUUID();
    await this.redis.set(`${this.prefix}{meta}:seeding`, token);
    return token;
  }

  /**
   * Deletes the feedback state of every user under this store's prefix
   * (`P{u:*}` keys: count, history, seen and dismissed sets, categories and
   * vectors of every model version), whether the model's seed wrote it or not;
   * impressions (`:imp`, `:impAt`) stay, since no replay restores them.
   * For a seeding that replays the event log afterwards (`Backends.repairSeed`,
   * and the start-up seed of an unmarked Redis): every event since the
   * model's cut-off is applied again, so state written before (by live
   * feedback that reached a flushed Redis before the gateway noticed, or by an
   * interrupted replay) would count twice for a user the seed does not replace.
   * SCAN with COUNT {@link USER_SCAN_COUNT} and UNLINK per page, a turn of the
   * event loop between pages; on Cluster every master is scanned. Not atomic:
   * users written meanwhile may keep their keys (the caller holds live updates).
   * Items, counters, promotions, ranked lists, the `{meta}` keys and an event
   * stream are not user keys and stay.
   * @returns how many keys were deleted.
   * @throws what Redis rejects a SCAN or UNLINK with; keys deleted until then stay deleted.
   */
  async deleteUserStates(): Promise<number> {
    return deleteKeysByPrefix(this.redis, `${this.prefix}{u:`, {
      count: USER_SCAN_COUNT,
      keep: (key) => IMPRESSION_KEY.test(key),
    });
  }

  /** Sets every call count and the round-trip count back to zero. */
  resetCalls(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.roundTrips = 0;
  }

  /** One pipeline on a single server; on Cluster one per node holding any of the users, in parallel. */
  async getUsers(userIds: readonly string[]): Promise<(UserFeatures | null)[]> {
    this.count('getUsers');
    return this.readUsers(
      userIds,
      USER_READS,
      (p, k) =>
        p
          .hget(`${k}:meta`, 'n')
          .lrange(`${k}:hist`, 0, -1)
          .smembers(`${k}:seen`)
          .smembers(`${k}:dis`)
          .hgetall(`${k}:cat`)
          .hgetall(`${k}:catAt`)
          .getBuffer(`${k}:vec${this.vectorSuffix}`)
          .hgetall(`${k}:imp`),
      (userId, r) => decodeUser(userId, r),
    );
  }

  /**
   * {@link FoldInReads}: like {@link getUsers} (one pipeline per node, null
   * for unknown users) but reads only the count, history, dismissed set and
   * vector — 4 commands per user instead of 8, and never the `seen` set.
   */
  async getFoldInStates(userIds: readonly string[]): Promise<(FoldInState | null)[]> {
    this.count('getFoldInStates');
    return this.readUsers(
      userIds,
      FOLD_IN_READS,
      (p, k) =>
        p
          .hget(`${k}:meta`, 'n')
          .lrange(`${k}:hist`, 0, -1)
          .smembers(`${k}:dis`)
          .getBuffer(`${k}:vec${this.vectorSuffix}`),
      (userId, r) =>
        r[0] === null
          ? null
          : {
              userId,
              recent: (r[1] as string[]).map(decodeEntry),
              dismissed: new Set(r[2] as string[]),
              vector: decodeVector(r[3] as Buffer | null),
            },
    );
  }

  /**
   * Reads users through one pipeline per node (in parallel): `queue` adds
   * `reads` commands for the user at key `k`; `decode` turns those replies
   * (in order) into the value, or null for an unknown user.
   */
  private async readUsers<T>(
    userIds: readonly string[],
    reads: number,
    queue: (p: ChainableCommander, k: string) => void,
    decode: (userId: string, replies: readonly unknown[]) => T | null,
  ): Promise<(T | null)[]> {
    const out: (T | null)[] = new Array<T | null>(userIds.length).fill(null);
    const groups = groupByNode(this.redis, userIds.length, (u) => this.userKey(userIds[u]!));
    await Promise.all(
      groups.map(async (group) => {
        const p = this.redis.pipeline();
        for (const u of group) queue(p, this.userKey(userIds[u]!));
        const r = await this.exec(p);
        group.forEach((u, g) => {
          out[u] = decode(userIds[u]!, r.slice(g * reads, (g + 1) * reads));
        });
      }),
    );
    return out;
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
    // One script (APPLY_INTERACTIONS_LUA with one interaction): atomic like a MULTI, one command
    // instead of ~10; a single command is bounded by ioredis's commandTimeout.
    await this.runInteractions(
      userId,
      [{ entry, categories: update.categories, weight: update.weight }],
      update.vector,
    );
  }

  /**
   * Batch write ({@link BatchWrites}): one user's interactions in order as
   * ONE Lua script (APPLY_INTERACTIONS_LUA), or, past
   * {@link SCRIPT_MAX_ARGS} arguments, as several in one MULTI; the same
   * final state as one {@link applyInteraction} per write, the last carrying
   * `vector` (`undefined` keeps it, null deletes it). Atomic for the user.
   */
  async applyUserInteractions(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: Float32Array | null | undefined,
  ): Promise<void> {
    this.count('applyUserInteractions');
    if (writes.length === 0 && vector === undefined) return;
    await this.runInteractions(userId, writes, vector);
  }

  /**
   * APPLY_INTERACTIONS_LUA for `writes` of `userId` (in order), then `vector`
   * (undefined keeps it): one call, or, when their arguments exceed
   * {@link SCRIPT_MAX_ARGS}, one call per run of writes within it, in one
   * MULTI, `vector` with the last (the script keeps nothing from one write to
   * the next but the user's keys, so the state is the same).
   */
  private async runInteractions(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: Float32Array | null | undefined,
  ): Promise<void> {
    const k = this.userKey(userId);
    const runs: { count: number; args: string[] }[] = [{ count: 0, args: [] }];
    for (const { entry, categories, weight } of writes) {
      const dismissive = DISMISSIVE_TYPES.has(entry.type);
      const cats = !dismissive && weight > 0 && Number.isFinite(weight) ? [...new Set(categories)] : [];
      let run = runs[runs.length - 1]!;
      if (run.count > 0 && run.args.length + 6 + cats.length > SCRIPT_MAX_ARGS) {
        runs.push((run = { count: 0, args: [] }));
      }
      run.count++;
      run.args.push(
        encodeEntry(entry),
        String(entry.timestamp),
        entry.itemId,
        dismissive ? '1' : '0',
        String(weight),
        String(cats.length),
        ...cats,
      );
    }
    const head = (last: boolean, count: number): (string | Buffer)[] => [
      String(this.historySize),
      this.ttlSeconds === null ? '' : String(this.ttlSeconds),
      !last || vector === undefined ? 'keep' : vector === null ? 'del' : 'set',
      last && vector ? encodeVector(vector) : '',
      String(count),
    ];
    if (runs.length === 1) {
      this.roundTrips++;
      const redis = this.redis as unknown as ScriptCommands;
      const { count, args } = runs[0]!;
      await sendOrNotSent(this.redis, () =>
        redis.applyInteractions(...this.userKeys(k), ...head(true, count), ...args),
      );
      return;
    }
    // `withEval`: every run as EVAL with the script's text instead of the registered command.
    const multi = (withEval: boolean): ChainableCommander => {
      const m = this.redis.multi();
      runs.forEach(({ count, args }, i) => {
        const keysThenArgs = [...this.userKeys(k), ...head(i === runs.length - 1, count), ...args];
        if (withEval) m.eval(APPLY_INTERACTIONS_LUA, USER_KEYS, ...keysThenArgs);
        else (m as unknown as ScriptCommands).applyInteractions(...keysThenArgs);
      });
      return m;
    };
    // Every run is the same script: after NOSCRIPT none was applied.
    await this.execScripted(multi);
  }

  /**
   * Runs the MULTI `build(false)` makes (scripts as registered commands) and,
   * when it fails with NOSCRIPT, the one `build(true)` makes (scripts as
   * EVAL, which also loads them for the next EVALSHA). ioredis sends EVALSHA
   * once a script was sent on a connection and, inside a MULTI, never falls
   * back to EVAL: after a SCRIPT FLUSH every such MULTI failed, until the
   * connection was replaced. The caller makes sure that sending the MULTI
   * again after a NOSCRIPT applies nothing twice.
   */
  private async execScripted(build: (withEval: boolean) => ChainableCommander): Promise<void> {
    try {
      await this.exec(build(false));
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      await this.exec(build(true));
    }
  }

  /**
   * Batch write ({@link BatchWrites}): the increments in order as ONE Lua
   * script on the `{items}` slot (COUNTER_INCREMENTS_LUA), the same result as
   * one {@link incrementItemCounters} each.
   * @throws RangeError for a non-finite weight or time (nothing is written).
   */
  async incrementItemCountersBatch(increments: readonly CounterIncrement[]): Promise<void> {
    this.count('incrementItemCountersBatch');
    if (increments.length === 0) return;
    for (const { itemId, weight, at } of increments) {
      if (!Number.isFinite(weight) || !Number.isFinite(at)) {
        throw new RangeError(
          `counter increment of ${itemId} needs a finite weight and time, got ${weight} at ${at}`,
        );
      }
    }
    await this.runCounterIncrements(increments);
  }

  /** One COUNTER_INCREMENTS_LUA call for `increments` (checked finite), in order. */
  private async runCounterIncrements(increments: readonly CounterIncrement[]): Promise<void> {
    const keys = increments.map((i) => this.counterKey(i.itemId));
    const args = [String(this.popularityHalfLifeMs), String(this.trendHalfLifeMs)];
    for (const { weight, at } of increments) args.push(String(weight), String(at));
    this.roundTrips++;
    const redis = this.redis as unknown as ScriptCommands;
    await sendOrNotSent(this.redis, () => redis.counterIncrements(keys.length, ...keys, ...args));
  }

  /**
   * One MULTI on the user's keys: marks the user known, counts the
   * impressions and trims them to `maxImpressionsPerUser` (IMPRESSIONS_LUA,
   * atomic; it first builds `:impAt` for a user written by an older version),
   * refreshes the TTL.
   */
  async recordImpressions(userId: string, itemIds: readonly string[], at: number): Promise<void> {
    this.count('recordImpressions');
    const k = this.userKey(userId);
    const args = [
      `${k}:imp`,
      `${k}:impAt`,
      String(at),
      String(this.maxImpressionsPerUser),
      ...itemIds,
    ] as const;
    // Sent again after NOSCRIPT (the script did not run): HSETNX and EXPIRE are idempotent.
    await this.execScripted((withEval) => {
      const m = this.redis.multi();
      m.hsetnx(`${k}:meta`, 'n', 0);
      if (itemIds.length > 0) {
        if (withEval) m.eval(IMPRESSIONS_LUA, 2, ...args);
        else (m as unknown as ScriptCommands).impressions(...args);
      }
      this.expireUser(m, k);
      return m;
    });
  }

  async getItemCounters(itemIds: readonly string[]): Promise<(ItemCounters | null)[]> {
    this.count('getItemCounters');
    if (itemIds.length === 0) return [];
    const raw = await this.mgetInChunks(
      itemIds,
      (keys) => this.redis.mgetBuffer(...keys),
      (id) => this.counterKey(id),
    );
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
    await this.runCounterIncrements([{ itemId, weight, at }]);
  }

  async putItemCounters(
    entries: readonly { readonly itemId: string; readonly counters: ItemCounters }[],
  ): Promise<void> {
    this.count('putItemCounters');
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    forChunks(entries, MGET_CHUNK_KEYS, (chunk) =>
      p.mset(...chunk.flatMap(({ itemId, counters }) => [this.counterKey(itemId), encodeCounters(counters)])),
    );
    await this.exec(p);
  }

  async getItems(itemIds: readonly string[]): Promise<(CatalogItem | null)[]> {
    this.count('getItems');
    if (itemIds.length === 0) return [];
    const raw = await this.mgetInChunks(
      itemIds,
      (keys) => this.redis.mget(...keys),
      (id) => this.itemKey(id),
    );
    return raw.map((json) => (json === null ? null : (JSON.parse(json) as CatalogItem)));
  }

  /**
   * One MGET (`mget`) per {@link MGET_CHUNK_KEYS} ids, sent one after the
   * other (each a round trip); the replies in the order of `itemIds`.
   * @throws NotSentError (see `sendOrNotSent`), or what a command rejects with.
   */
  private async mgetInChunks<T>(
    itemIds: readonly string[],
    mget: (keys: string[]) => Promise<T[]>,
    keyOf: (id: string) => string,
  ): Promise<T[]> {
    const out: T[] = [];
    for (let from = 0; from < itemIds.length; from += MGET_CHUNK_KEYS) {
      // A request's few hundred ids (the usual call) are mapped as they are, with no copy of the list.
      const chunk = itemIds.length <= MGET_CHUNK_KEYS ? itemIds : itemIds.slice(from, from + MGET_CHUNK_KEYS);
      const keys = chunk.map(keyOf);
      this.roundTrips++;
      const raw = await sendOrNotSent(this.redis, () => mget(keys));
      if (from === 0 && raw.length === itemIds.length) return raw;
      for (const value of raw) out.push(value);
    }
    return out;
  }

  async upsertItems(items: readonly CatalogItem[]): Promise<void> {
    this.count('upsertItems');
    if (items.length === 0) return;
    // One MULTI, not a pipeline: Redis refuses the whole transaction when it cannot queue a command of
    // it (out of memory), where a pipeline could apply the SADD and lose the mark, and other replicas
    // would list the old ids until the next change. Nothing else runs between its commands.
    const p = this.redis.multi();
    forChunks(items, MGET_CHUNK_KEYS, (chunk) => {
      p.mset(...chunk.flatMap((item) => [this.itemKey(item.id), JSON.stringify(item)]));
      p.sadd(this.itemIdsKey(), ...chunk.map((i) => i.id));
    });
    // After the SADD: a reader that sees this mark also sees these ids (listItemIds reads the mark first).
    p.set(this.catalogMarkKey(), randomUUID());
    await this.exec(p);
  }

  /**
   * Every item id (SMEMBERS of `P{items}:ids`), read again only when the
   * catalog changed: `upsertItems` (on any replica) writes a new random mark
   * to `P{items}:mark` after its SADD, and this reads the mark first, then
   * the members, so while the mark is the one it read last it answers the
   * array it read then (one GET; the same array, which callers must not
   * modify). SMEMBERS of a 1M-item catalog took ~450 ms of Redis's one
   * thread and the popular/trending refresh asked for it every
   * `RECGATE_RANKING_REFRESH_MS` (issue #6). Without a mark (data written
   * before it existed, or Redis lost its data) it reads the members each time;
   * the set's cardinality (SCARD, read with the mark) differing from the
   * cached array's length also makes it read them again: a replica of the
   * version before the mark (a rolling upgrade) adds ids without a mark.
   */
  async listItemIds(): Promise<readonly string[]> {
    this.count('listItemIds');
    this.roundTrips++;
    // With SCARD (O(1), same slot, sent in the same write): the set only grows, so a count that
    // differs catches ids added without a new mark (a replica of the version before the mark).
    const [mark, count] = await Promise.all([
      this.redis.get(this.catalogMarkKey()),
      this.redis.scard(this.itemIdsKey()),
    ]);
    const cached = this.itemIdsCache;
    if (mark !== null && cached !== null && cached.mark === mark && cached.ids.length === count) {
      return cached.ids;
    }
    this.roundTrips++;
    const ids = await this.redis.smembers(this.itemIdsKey());
    this.itemIdsCache = mark === null ? null : { mark, ids };
    return ids;
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

  /**
   * Replaces each user's whole state: one pipeline per {@link SEED_CHUNK}
   * users (on Cluster, per chunk one pipeline per node, in parallel); a
   * user's `seen` and `dismissed` ids go in SADDs of {@link MGET_CHUNK_KEYS}
   * each, so a user with any number of them is seeded.
   */
  async seedUsers(users: readonly UserSeed[]): Promise<void> {
    this.count('seedUsers');
    for (let start = 0; start < users.length; start += SEED_CHUNK) {
      const chunk = users.slice(start, start + SEED_CHUNK);
      const groups = groupByNode(this.redis, chunk.length, (u) => this.userKey(chunk[u]!.userId));
      await Promise.all(groups.map((group) => this.seedGroup(group.map((u) => chunk[u]!))));
    }
  }

  /** One pipeline replacing the state of `users` (all served by one node). */
  private async seedGroup(users: readonly UserSeed[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const seed of users) {
      const k = this.userKey(seed.userId);
      const recent = seed.recent.slice().sort((a, b) => b.timestamp - a.timestamp);
      if (recent.length > this.historySize) recent.length = this.historySize;
      p.unlink(...this.userKeys(k));
      p.hset(`${k}:meta`, 'n', seed.interactionCount);
      if (recent.length > 0) p.rpush(`${k}:hist`, ...recent.map(encodeEntry));
      // `seen` holds every item the user interacted with in the training data (a heavy user of a
      // large catalog: 100k+ ids), past what one call takes as arguments: SADDs of MGET_CHUNK_KEYS ids.
      forChunks(seed.seen, MGET_CHUNK_KEYS, (chunk) => p.sadd(`${k}:seen`, ...chunk));
      forChunks(seed.dismissed, MGET_CHUNK_KEYS, (chunk) => p.sadd(`${k}:dis`, ...chunk));
      if (Object.keys(seed.categoryWeights).length > 0) p.hset(`${k}:cat`, seed.categoryWeights);
      if (Object.keys(seed.categoryLastSeen).length > 0) p.hset(`${k}:catAt`, seed.categoryLastSeen);
      if (seed.vector !== null) p.set(`${k}:vec${this.vectorSuffix}`, encodeVector(seed.vector));
      this.expireUser(p, k);
    }
    await this.exec(p);
  }

  /** Closes the connection (keys stay in Redis); never rejects, even when Redis is down. */
  async close(): Promise<void> {
    this.count('close');
    await closeRedisClient(this.redis);
  }

  private count(method: FeatureStoreMethod | keyof BatchWrites | keyof FoldInReads): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  /**
   * Runs a pipeline or MULTI as one round trip, bounded by
   * {@link pipelineDeadlineMs}; rethrows the first command error.
   */
  private async exec(p: ChainableCommander): Promise<unknown[]> {
    this.roundTrips++;
    // Inside sendOrNotSent: a pipeline refused before sending gives the refusal as each command's error.
    return sendOrNotSent(this.redis, async () => {
      const results = (await execWithDeadline(p, this.pipelineDeadlineMs)) ?? [];
      return results.map(([error, value]) => {
        if (error) throw error;
        return value;
      });
    });
  }

  private expireUser(p: ChainableCommander, k: string): void {
    if (this.ttlSeconds === null) return;
    for (const key of this.userKeys(k)) p.expire(key, this.ttlSeconds);
  }

  private userKey(userId: string): string {
    return `${this.prefix}{u:${userId}}`;
  }
  /**
   * Every key of the user at `k` (= userKey), {@link USER_KEYS} of them, in
   * APPLY_INTERACTIONS_LUA's KEYS order: meta, hist, seen, dis, cat, catAt,
   * vec, imp, impAt. Seeding deletes them all and TTLs refresh them all.
   */
  private userKeys(k: string): string[] {
    return [
      `${k}:meta`,
      `${k}:hist`,
      `${k}:seen`,
      `${k}:dis`,
      `${k}:cat`,
      `${k}:catAt`,
      `${k}:vec${this.vectorSuffix}`,
      `${k}:imp`,
      `${k}:impAt`,
    ];
  }
  /** The item family shares the `{items}` hash tag: one slot, so any batch read is one MGET. */
  private counterKey(itemId: string): string {
    return `${this.prefix}{items}:ctr:${itemId}`;
  }
  private itemKey(itemId: string): string {
    return `${this.prefix}{items}:item:${itemId}`;
  }
  private itemIdsKey(): string {
    return `${this.prefix}{items}:ids`;
  }
  /** The catalog's change mark (see {@link listItemIds}); in the `{items}` slot with the id set. */
  private catalogMarkKey(): string {
    return `${this.prefix}{items}:mark`;
  }
  private rankedKey(requestId: string): string {
    return `${this.prefix}{r:${requestId}}:ranked`;
  }
}

/** A user from the {@link USER_READS} replies of `getUsers`, in its read order; null for an unknown user. */
function decodeUser(userId: string, r: readonly unknown[]): UserFeatures | null {
  const n = r[0] as string | null;
  if (n === null) return null;
  const imp = r[7] as Record<string, string>;
  return {
    userId,
    interactionCount: Number(n),
    recent: (r[1] as string[]).map(decodeEntry),
    seen: new Set(r[2] as string[]),
    dismissed: new Set(r[3] as string[]),
    categoryWeights: numberMap(r[4] as Record<string, string>),
    categoryLastSeen: numberMap(r[5] as Record<string, string>),
    vector: decodeVector(r[6] as Buffer | null),
    impressions: new Map(
      Object.entries(imp).map(([id, v]) => {
        const sep = v.indexOf(':');
        return [id, { count: Number(v.slice(0, sep)), lastAt: Number(v.slice(sep + 1)) }];
      }),
    ),
  };
}

/**
 * A history entry as stored: `<timestamp>:<json [itemId, type, value]>` (the
 * Lua insert reads the timestamp prefix). Inverse: {@link decodeEntry}.
 */
export function encodeEntry(e: HistoryEntry): string {
  return `${e.timestamp}:${JSON.stringify([e.itemId, e.type, e.value])}`;
}

/**
 * The entry {@link encodeEntry} wrote. Fast path (issue #6: a feedback batch
 * decodes ~50 entries per user): when the JSON part holds no backslash it is
 * `["<itemId>","<type>",<value>]` with the strings verbatim, split without
 * JSON.parse; anything else (escapes, an unexpected shape) goes through
 * JSON.parse, so both paths give the same entry for anything encodeEntry
 * wrote (JSON.stringify escapes quotes and control characters).
 * @throws SyntaxError for a value that is not an encoded entry.
 */
export function decodeEntry(s: string): HistoryEntry {
  const sep = s.indexOf(':');
  const timestamp = Number(s.slice(0, sep));
  const open = sep + 1;
  if (s.startsWith('["', open) && s.indexOf('\\', open) === -1 && s.charCodeAt(s.length - 1) === 93 /* ] */) {
    const idEnd = s.indexOf('"', open + 2);
    if (idEnd !== -1 && s.startsWith('","', idEnd)) {
      const typeEnd = s.indexOf('"', idEnd + 3);
      if (typeEnd !== -1 && s.charCodeAt(typeEnd + 1) === 44 /* , */) {
        const raw = s.slice(typeEnd + 2, -1);
        // JSON numbers as JSON.stringify writes them: -?digits[.digits][e±digits]; NaN/Infinity are written null.
        const value = raw === 'null' ? null : NUMBER_TEXT.test(raw) ? Number(raw) : undefined;
        if (value !== undefined) {
          return {
            itemId: s.slice(open + 2, idEnd),
            type: s.slice(idEnd + 3, typeEnd) as InteractionType,
            value,
            timestamp,
          };
        }
      }
    }
  }
  const [itemId, type, value] = JSON.parse(s.slice(open)) as [string, InteractionType, number | null];
  return { itemId, type, value, timestamp };
}

/** A JSON number literal (what JSON.stringify writes for a finite number). */
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

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
