import { join } from 'node:path';
import { storedListCodec } from '../components/selectors/storedListCodec.js';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ResolvedGatewayConfig } from '../config.js';
import type { CatalogItem } from '../domain/interaction.js';
import { float32Vectors, precisionOf } from '../domain/itemVectors.js';
import { ivfCacheFileName } from '../stores/ann/ivfCacheFile.js';
import { resolveIvfParameters } from '../stores/ann/ivfParameters.js';
import { IvfVectorIndex } from '../stores/ann/ivfVectorIndex.js';
import { refreshIndexPayloads } from './catalogService.js';
import type { IvfStorage, IvfVectorIndexOptions } from '../stores/ann/ivfVectorIndex.js';
import { UsearchVectorIndex } from '../stores/ann/usearchVectorIndex.js';
import { checkUserStates, readUserStates } from '../inference/readUserStates.js';
import type { ServedModel } from '../inference/servedModel.js';
import { ExactVectorIndex } from '../stores/embedded/exactVectorIndex.js';
import type { EventLog } from '../stores/eventLog.js';
import { BudgetedEventLog } from '../stores/fallback/budgetedEventLog.js';
import { CircuitBreaker } from '../stores/fallback/circuitBreaker.js';
import { FallbackFeatureStore } from '../stores/fallback/fallbackFeatureStore.js';
import { FallbackVectorIndex } from '../stores/fallback/fallbackVectorIndex.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { FileEventLog } from '../stores/file/fileEventLog.js';
import { MemoryFeatureStore } from '../stores/memory/memoryFeatureStore.js';
import type { ModelRegistry } from '../stores/modelRegistry.js';
import { QdrantVectorIndex } from '../stores/qdrant/qdrantVectorIndex.js';
import { vectorEntries } from '../stores/qdrant/vectorEntries.js';
import { parseClusterNodes } from '../stores/redis/redisConnection.js';
import { RedisEventLog } from '../stores/redis/redisEventLog.js';
import { RedisFeatureStore } from '../stores/redis/redisFeatureStore.js';
import { SeedWatch } from '../stores/redis/seedWatch.js';
import { seedFeatureStore } from '../stores/seedFeatureStore.js';
import type { VectorIndex } from '../stores/vectorIndex.js';
import { logger } from '../telemetry/logger.js';
import { throttledWarning } from '../telemetry/throttledWarning.js';
import { FeedbackService } from './feedbackService.js';
import { replayCutoff, replayFeedback, seededHistoryTime } from './replayFeedback.js';
import { servesIvf } from './vectorIndexChoice.js';

/** Shortest time between two warnings of a popular/trending refresh answered from the snapshot, ms. */
const BULK_FALLBACK_WARNING_MS = 60_000;

/** One dependency check of `/readyz`. */
export interface ReadinessProbe {
  /** e.g. `featureStore (redis)`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

/** The adapters that depend on the served model: rebuilt when a new version is loaded. */
export interface ModelBackends {
  /** The model these adapters were built for. */
  readonly model: ServedModel;
  readonly store: FeatureStore;
  readonly index: VectorIndex;
  /** Makes this model's view of shared state current (e.g. the Redis vector namespace); called at the swap. */
  activate(): void;
  /** Releases what only this model used (never the shared Redis connection or event log). */
  close(): Promise<void>;
}

/** The adapters a gateway serves from, chosen by the configuration. */
export interface Backends {
  readonly eventLog: EventLog;
  /**
   * True when the feature store lives in this process only (memory): it
   * starts from the model's snapshot, so the gateway replays the event log
   * into it. A shared store (Redis) already holds every replica's feedback.
   */
  readonly storeIsLocal: boolean;
  /**
   * True when a list request may be served partly from a fallback (Redis or
   * Qdrant behind a circuit breaker, or adapters given by the caller, which
   * may report degraded parts): the gateway then collects each list
   * request's degraded parts. False for the in-process stores, which cannot
   * degrade; the collection (an AsyncLocalStorage, so a promise hook on every
   * promise) is then skipped.
   */
  readonly mayDegrade: boolean;
  /**
   * Whether the shared feature store can take the feedback retry's writes now:
   * the Redis client is connected and the seed mark was found since it
   * reconnected (`SeedWatch.trustedNow`: a Redis that came back empty is
   * re-seeded from the event log instead, whose replay drops the retries).
   * Absent for in-process stores and given adapters (always attempted).
   */
  readonly storeReachable?: () => boolean;
  /** What `/readyz` checks besides the model. */
  readonly probes: readonly ReadinessProbe[];
  /**
   * Opens the model-dependent adapters for `model`.
   * - memory: a new `MemoryFeatureStore` seeded from `model`, with the
   *   promotions and the API-added catalog items of `previous` copied over;
   * - redis: the shared store (seeded when it holds no catalog; else the
   *   model's new items are added), user vectors namespaced by the model
   *   version (`setVectorVersion` at `activate`), behind a `FallbackFeatureStore`
   *   over a fresh in-process snapshot of `model`, which also answers while
   *   Redis has lost its seed mark (`SeedWatch`: checked on reconnects, on
   *   `/readyz` and at most every `backendRetryMs` on the request path; the
   *   mark's absence starts {@link Backends.repairSeed});
   * - seeded history is stamped with the model's publish time (counters with
   *   now), so feedback received since, live or replayed, sorts before it;
   * - the embedded index over the model's vectors (exact; HNSW with `ann` or
   *   above `annMinItems`; IVF-Flat with `ivf`, its lists cached in
   *   `annCacheDir`), or Qdrant's
   *   collection of this version behind a `FallbackVectorIndex` over it.
   * @throws Error when Qdrant cannot be reached or its collection cannot be made.
   */
  forModel(model: ServedModel, previous?: ModelBackends): Promise<ModelBackends>;
  /**
   * Checks that a shared store still holds `model`'s training state (its
   * seed mark) and, when it does not (Redis restarted empty or was flushed,
   * or a seeding was interrupted), seeds it again from `model`, then replays
   * into it the event log's feedback received since `model` was published
   * (`replayFeedback`, the start-up replay's code path), and only then sets
   * the seed mark, so reads stay on the snapshot (degraded) until the users'
   * feedback is back. While it runs, the feature updates of feedback accepted
   * by this process are held (`FeedbackService.holdUpdates`, once
   * {@link attachFeedback} was called): updates already running are awaited
   * before seeding, and the held ones are applied after the mark, except the
   * events the replay applied, so none is applied twice or lost. The seed
   * yields to the event loop between chunks (`seedFeatureStore`,
   * `checkUserStates`), so requests and `/healthz` are answered meanwhile,
   * and runs outside the trace of the request that noticed the lost mark
   * (its Redis commands are no spans of that request). Logs
   * `re-seeded Redis and replayed N feedback events` with its duration (`ms`)
   * once per re-seed (a failure: a warning, and the next check tries again). Never rejects;
   * single-flight. A no-op for in-process stores. Called by the model poll
   * and by the seed watch (so also with `modelPollMs` 0).
   */
  repairSeed(model: ServedModel): Promise<void>;
  /**
   * The gateway's feedback service, whose live feature updates a re-seed
   * holds (see {@link repairSeed}); set once, after the service exists.
   * Before it is set a re-seed still replays, but holds nothing.
   */
  attachFeedback(feedback: FeedbackService): void;
  /** Closes the shared adapters (Redis connections, the event log). */
  close(): Promise<void>;
}

/**
 * Opens the configured shared adapters (`featureStore`, `eventLog`,
 * `vectorIndex`; ready-made `adapters` win): the Redis feature-store
 * connection, the file or Redis event log (a Redis log's appends run within
 * `eventLogBudgetMs`, `BudgetedEventLog`: feedback answers UNAVAILABLE rather
 * than wait), and one circuit breaker per backend (`backendBudgetMs`,
 * `backendRetryMs`). The model-dependent parts come from {@link Backends.forModel}.
 * `initial` gives the counters' half-lives (the manifest's `popularity`).
 * @throws Error naming the backend and its address when Redis cannot be reached at start-up;
 *   RangeError when `redisClusterNodes` does not parse and a Redis adapter is opened (else it is unused).
 */
export async function openBackends(
  cfg: ResolvedGatewayConfig,
  registry: ModelRegistry,
  initial: ServedModel,
): Promise<Backends> {
  const shared: { close(): Promise<void> }[] = [];
  const probes: ReadinessProbe[] = [];
  const logState = (backend: string, whileDown: string) => (state: 'open' | 'closed', reason: string) =>
    state === 'open'
      ? logger.warn(`${backend} is unavailable; ${whileDown}`, { backend, reason })
      : logger.info(`${backend} answers again`, { backend });
  const withTimeout = async (p: Promise<unknown>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        p,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${cfg.backendBudgetMs} ms`)),
            cfg.backendBudgetMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    // Parsed only when a Redis adapter is opened: without one, REDIS_CLUSTER_NODES is not used.
    const redisTarget = (): { url: string } | { clusterNodes: ReturnType<typeof parseClusterNodes> } =>
      cfg.redisClusterNodes === null
        ? { url: cfg.redisUrl }
        : { clusterNodes: parseClusterNodes(cfg.redisClusterNodes) };

    let primary: RedisFeatureStore | null = null;
    let redisBreaker: CircuitBreaker | null = null;
    const given = cfg.adapters?.featureStore;
    if (given === undefined && cfg.featureStore === 'redis') {
      primary = await RedisFeatureStore.connect({
        ...redisTarget(),
        prefix: cfg.redisPrefix,
        now: cfg.now,
        popularityHalfLifeDays: initial.manifest.popularity.halfLifeDays,
        trendingHalfLifeDays: initial.manifest.popularity.trendingHalfLifeDays,
        maxImpressionsPerUser: cfg.impressionsPerUser,
      });
      shared.push(primary);
      const store = primary;
      probes.push({
        name: 'featureStore (redis)',
        check: async () => {
          await withTimeout(store.redis.ping());
          if ((await store.seededVersion()) === null) {
            void seedWatch?.check(); // starts the re-seed, whatever RECGATE_MODEL_POLL_MS is
            throw new Error('Redis holds no seeded model state (restarted empty?); re-seeding');
          }
        },
      });
      redisBreaker = new CircuitBreaker('redis', {
        budgetMs: cfg.backendBudgetMs,
        retryAfterMs: cfg.backendRetryMs,
        onStateChange: logState(
          'redis (feature store)',
          "serving from the in-process snapshot of the model, named in each list's degraded",
        ),
      });
    }
    const qdrantBreaker =
      cfg.adapters?.vectorIndex === undefined && cfg.vectorIndex === 'qdrant'
        ? new CircuitBreaker('qdrant', {
            budgetMs: cfg.backendBudgetMs,
            retryAfterMs: cfg.backendRetryMs,
            onStateChange: logState(
              'qdrant',
              "searching the embedded index built from the registry, named in each list's degraded",
            ),
          })
        : null;

    let eventLog: EventLog;
    if (cfg.adapters?.eventLog !== undefined) eventLog = cfg.adapters.eventLog;
    else if (cfg.eventLog === 'file') {
      eventLog = new FileEventLog({ path: cfg.eventLogFile, fsync: cfg.eventLogFsync });
      shared.push(eventLog);
    } else {
      const redisLog = await RedisEventLog.connect({
        ...redisTarget(),
        stream: cfg.eventStream,
        maxLen: cfg.eventStreamMaxLen,
      });
      shared.push(redisLog);
      probes.push({ name: 'eventLog (redis)', check: () => withTimeout(redisLog.ping()) });
      eventLog = new BudgetedEventLog(
        redisLog,
        new CircuitBreaker('redis', {
          budgetMs: cfg.eventLogBudgetMs,
          retryAfterMs: cfg.backendRetryMs,
          onStateChange: logState('redis (event log)', 'feedback answers UNAVAILABLE until it returns'),
        }),
      );
    }

    let currentQdrant: QdrantVectorIndex | null = null;
    if (qdrantBreaker !== null) {
      probes.push({
        name: 'vectorIndex (qdrant)',
        check: () =>
          withTimeout(currentQdrant === null ? Promise.resolve() : currentQdrant.vectorOf('recgate-readyz')),
      });
    }

    /**
     * The warning a popular/trending refresh answered from the start-up snapshot gives (once per
     * slice read while Redis is down, so at most one a minute, with the count of those not logged).
     */
    const bulkFallbackWarning = throttledWarning<{ part: string; reason: string }>(
      (fields) =>
        logger.warn(
          'a whole-catalog read (the popular/trending refresh) was answered from the start-up snapshot, not Redis',
          fields,
        ),
      BULK_FALLBACK_WARNING_MS,
    );

    /**
     * Seeds `store` with `model`'s training state. `replayFollows`: the event log's replay comes next
     * and applies every event since the model's cut-off again, so every user's state in Redis goes
     * first (after the check, which must leave the store as it was): what live feedback or an
     * interrupted replay wrote there would count twice for a user the seed does not replace.
     */
    const seedFrom = async (
      store: FeatureStore,
      model: ServedModel,
      replayFollows = false,
    ): Promise<void> => {
      // A shared store (Redis, a given adapter) is checked against every user state line before the
      // first write, so a bad line leaves it as it was (the records are parsed as they are seeded: attack
      // report, session 22). A memory store is this process's own: a failure drops it, and one pass is enough.
      if (!(store instanceof MemoryFeatureStore)) await checkUserStates(registry, model.version);
      if (replayFollows && store instanceof RedisFeatureStore) await store.deleteUserStates();
      const now = cfg.now();
      // Counters are taken as current at start-up: the gateway continues where training ended.
      // History is stamped no later than the publish time and the replay's cut-off
      // (seededHistoryTime), so feedback replayed from the event log or received live sorts first.
      await seedFeatureStore(store, model, await readUserStates(registry, model.version), {
        referenceTime: now,
        historyTime: seededHistoryTime(model.manifest, now),
      });
    };

    const forModel = async (model: ServedModel, previous?: ModelBackends): Promise<ModelBackends> => {
      const owned: { close(): Promise<void> }[] = [];
      try {
        const seedInto = (store: FeatureStore): Promise<void> => seedFrom(store, model);
        // `maxUsers` only matters for the store that takes feedback (the snapshot behind Redis takes none).
        const memoryStore = (maxUsers = 0): MemoryFeatureStore =>
          new MemoryFeatureStore({
            popularityHalfLifeDays: model.manifest.popularity.halfLifeDays,
            trendingHalfLifeDays: model.manifest.popularity.trendingHalfLifeDays,
            now: cfg.now,
            maxRankedLists: cfg.pagingMaxLists,
            maxRankedListBytes: cfg.pagingMaxMegabytes * 2 ** 20,
            rankedListCodec: storedListCodec,
            // At start-up, not under load: the ring's external memory starts a major GC (issue #6).
            reservePagingCache: true,
            maxImpressionsPerUser: cfg.impressionsPerUser,
            maxUsers,
          });

        let store: FeatureStore;
        let activate = (): void => undefined;
        /** Items changed through the API that the memory store carried over: the index payloads follow them. */
        let carried: readonly CatalogItem[] = [];
        if (given !== undefined) {
          store = given;
          if (store.seedUsers !== undefined && (await store.listItemIds()).length === 0)
            await seedInto(store);
          activate = () => given.setVectorVersion?.(model.version);
        } else if (primary === null) {
          const memory = memoryStore(cfg.memoryMaxUsers);
          owned.push(memory);
          await seedInto(memory);
          warnWhenFull(memory, cfg.memoryMaxUsers, model.version);
          if (previous !== undefined) carried = await carryOver(previous, memory, model);
          store = memory;
        } else {
          const redis = primary;
          if ((await redis.seededVersion()) === null) {
            // Never seeded, or a seeding was interrupted: load the whole training state (idempotent),
            // then replay the event log since the model's cut-off, as a re-seed does (`repair`), so
            // feedback logged before this start (the file log of an earlier run) reaches the store.
            redis.setVectorVersion(model.version);
            const hold = holdLiveUpdates(liveFeedback);
            let applied: ReadonlySet<string> = new Set();
            try {
              await hold?.settled;
              const since = replayCutoff(model.manifest);
              const replayer = new FeedbackService({
                store: redis,
                eventLog,
                model: () => model,
                now: cfg.now,
              });
              applied = await seedUntilMarked(redis, model.version, async () => {
                await seedFrom(redis, model, true);
                return replayFeedback(eventLog, replayer, since);
              });
              if (applied.size > 0) {
                logger.info(
                  `seeded Redis and replayed ${applied.size} feedback events the model was not trained on`,
                  {
                    version: model.version,
                    since: Number.isFinite(since) ? new Date(since).toISOString() : null,
                  },
                );
              }
            } finally {
              hold?.resume(applied);
            }
          } else {
            const known = new Set(await redis.listItemIds());
            // By id first: only the missing items are built (not a million of them at 1M items).
            const added: CatalogItem[] = [];
            for (const id of model.catalog.keys()) if (!known.has(id)) added.push(model.catalog.get(id)!);
            if (added.length > 0) await redis.upsertItems(added);
          }
          activate = () => {
            redis.setVectorVersion(model.version);
            seedModel = model;
          };
          const snapshot = memoryStore();
          owned.push(snapshot);
          await seedInto(snapshot);
          store = new FallbackFeatureStore({
            primary: redis,
            fallback: snapshot,
            breaker: redisBreaker!,
            writeBudgetMs: cfg.eventLogBudgetMs,
            primaryTrusted: () => seedWatch!.trusted(),
            onBulkFallback: (part, reason) => bulkFallbackWarning({ part, reason }),
          });
        }

        let index: VectorIndex;
        if (cfg.adapters?.vectorIndex !== undefined) {
          index = cfg.adapters.vectorIndex;
        } else {
          const dim = model.bundle.dimension + 1;
          const n = model.bundle.itemIds.length;
          const useIvf = servesIvf(cfg, n);
          const stem = `${model.manifest.name}-${model.version}`;
          const half = precisionOf(model.bundle.itemVectors) === 'float16';
          // RECGATE_VECTOR_PRECISION in effect, so an operator can see it took.
          logger.info(`item vectors kept as ${half ? 'float16 (binary16 halves)' : 'float32'}`, {
            precision: precisionOf(model.bundle.itemVectors),
            items: n,
            megabytes: Math.round(model.bundle.itemVectors.byteLength / 1e6),
          });
          if (cfg.vectorIndex === 'ann' && half) {
            logger.warn(
              'RECGATE_VECTOR_PRECISION=float16 with the HNSW index: HNSW keeps a float32 copy of the halves (it shares float32 vectors instead); float32 uses less memory here',
              { items: n },
            );
          }
          const ivf = resolveIvfParameters({ lists: cfg.ivfLists, probes: cfg.ivfProbes });
          // The IVF file also names the build parameters: replicas with other lists share one folder.
          const cacheFile = (name: string): string | null =>
            cfg.annCacheDir === null ? null : join(cfg.annCacheDir, name);
          // Payloads (categories, availability) let the index apply the request's filter itself.
          const embedded: VectorIndex = useIvf
            ? openIvf(model, dim, cfg.ivfStorage, {
                ivf,
                // Lists trained on half-precision rows are another file (a replica at the other precision
                // keeps its own); halves decoded for another storage are yet other rows.
                cacheFile: cacheFile(
                  ivfCacheFileName(
                    half
                      ? cfg.ivfStorage === 'none'
                        ? `${stem}-f16`
                        : `${stem}-f16-${cfg.ivfStorage}`
                      : stem,
                    ivf,
                  ),
                ),
                onProgress: (p) => {
                  if (p.done === p.total) logger.info(`IVF index: ${p.stage} done`, { ...p });
                },
              })
            : cfg.vectorIndex === 'ann'
              ? UsearchVectorIndex.fromVectors(
                  model.bundle.itemIds,
                  float32Vectors(model.bundle.itemVectors, dim),
                  dim,
                  {
                    payloads: model.catalog,
                    shareVectors: true, // registry rows are unit vectors and never written: one copy in memory
                    hnsw: { efSearch: cfg.annEfSearch },
                    cacheFile: cacheFile(`${stem}${half ? '-f16' : ''}.usearch`),
                  },
                )
              : ExactVectorIndex.fromVectors(
                  model.bundle.itemIds,
                  float32Vectors(model.bundle.itemVectors, dim),
                  dim,
                  {
                    payloads: model.catalog,
                  },
                );
          owned.push(embedded);
          // Built from the registry's catalog: items changed through the API before the rollout keep their values.
          await refreshIndexPayloads(embedded, carried);
          if (qdrantBreaker === null) index = embedded;
          else {
            const qdrant = await QdrantVectorIndex.open({
              url: cfg.qdrantUrl,
              ...(cfg.qdrantApiKey === null ? {} : { apiKey: cfg.qdrantApiKey }),
              collection: cfg.qdrantCollection,
              modelVersion: model.version,
              dimension: dim,
              timeoutMs: cfg.backendBudgetMs,
              items: vectorEntries(
                model.bundle.itemIds,
                float32Vectors(model.bundle.itemVectors, dim),
                dim,
                model.catalog,
              ),
              itemCount: model.bundle.itemIds.length,
              onProgress: (p) =>
                logger.info(`Qdrant ${p.collection}: ${p.uploaded}/${p.total} vectors`, { ...p }),
            });
            owned.push(qdrant);
            const previousActivate = activate;
            activate = () => {
              previousActivate();
              currentQdrant = qdrant;
            };
            index = new FallbackVectorIndex({ primary: qdrant, fallback: embedded, breaker: qdrantBreaker });
          }
        }
        return {
          model,
          store,
          index,
          activate,
          close: async () => {
            await Promise.allSettled(owned.map((o) => o.close()));
          },
        };
      } catch (err) {
        await Promise.allSettled(owned.map((o) => o.close()));
        throw err;
      }
    };

    let liveFeedback: FeedbackService | null = null;
    let repairing: Promise<void> | null = null;
    /**
     * `repairSeed`; `markMissing` when the caller has just found the mark
     * missing (the seed watch): live updates are then held at once, in the
     * same turn as the store became untrusted, rather than after one more read.
     */
    const repair = (model: ServedModel, markMissing: boolean): Promise<void> => {
      const redis = primary;
      if (redis === null) return Promise.resolve();
      // Outside the caller's trace: the seed watch starts a re-seed from a request, and with that
      // request as parent span every command of the re-seed (~10 per user) would become one of its spans.
      repairing ??= context.with(ROOT_CONTEXT, async () => {
        const started = performance.now();
        let hold: HeldUpdates | null = markMissing ? holdLiveUpdates(liveFeedback) : null;
        let applied: ReadonlySet<string> = new Set();
        try {
          if ((await redis.seededVersion()) !== null) return;
          hold ??= holdLiveUpdates(liveFeedback);
          logger.warn('Redis holds no seeded model state (restarted empty?); seeding it again', {
            version: model.version,
          });
          // Updates that started before the hold write to the store being rebuilt: let them land
          // first, so the seed replaces their effects and the replay re-applies them, once.
          await hold?.settled;
          const since = replayCutoff(model.manifest);
          const replayer = new FeedbackService({ store: redis, eventLog, model: () => model, now: cfg.now });
          const replayed = await seedUntilMarked(redis, model.version, async () => {
            await seedFrom(redis, model, true);
            return replayFeedback(eventLog, replayer, since);
          });
          applied = replayed;
          // Trusted again before the held updates run: their fold-ins then read Redis, not the snapshot.
          await seedWatch?.check(false);
          logger.info(`re-seeded Redis and replayed ${replayed.size} feedback events`, {
            version: model.version,
            since: Number.isFinite(since) ? new Date(since).toISOString() : null,
            ms: Math.round(performance.now() - started),
          });
        } catch (err) {
          logger.warn('re-seeding Redis failed; will retry', { error: err });
        } finally {
          // After a failure the held updates are applied too: the next re-seed replays them again.
          hold?.resume(applied);
          repairing = null;
        }
      });
      return repairing;
    };
    const repairSeed = (model: ServedModel): Promise<void> => repair(model, false);

    // The served model a lost seed is restored from: the initial one until a model is activated.
    // Only Redis has a seed to restore: without it, holding the initial model here would keep it
    // (catalog, vectors, neighbours) alive after every later reload retired it.
    let seedModel: ServedModel | null = primary === null ? null : initial;
    // Checks the seed mark on reconnects and on the request path (at most every backendRetryMs), so a
    // Redis that restarted empty is seeded again (and served from the snapshot meanwhile, degraded)
    // without waiting for the model poll, which RECGATE_MODEL_POLL_MS=0 turns off.
    const seedWatch =
      primary === null
        ? null
        : new SeedWatch({
            client: primary.redis,
            seededVersion: () => primary!.seededVersion(),
            reseed: () => repair(seedModel!, true),
            checkEveryMs: Math.max(1, cfg.backendRetryMs),
            budgetMs: cfg.backendBudgetMs,
            now: cfg.now,
          });
    if (seedWatch !== null) shared.push({ close: async () => seedWatch.close() });

    return {
      eventLog,
      storeIsLocal: given === undefined && primary === null,
      mayDegrade:
        redisBreaker !== null ||
        qdrantBreaker !== null ||
        given !== undefined ||
        cfg.adapters?.vectorIndex !== undefined,
      probes,
      ...(primary === null
        ? {}
        : { storeReachable: () => primary!.redis.status === 'ready' && seedWatch!.trustedNow }),
      forModel,
      repairSeed,
      attachFeedback: (feedback) => void (liveFeedback = feedback),
      close: async () => {
        await Promise.allSettled(shared.map((o) => o.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(shared.map((o) => o.close()));
    throw err;
  }
}

/** Seedings {@link seedUntilMarked} tries before it gives up. */
const SEED_ATTEMPTS = 3;

/**
 * Runs `seed` (loading the training state into `redis`, and what must land
 * with it, e.g. the event log's replay) between `beginSeeding` and a
 * token-checked `markSeeded`, again when Redis lost its data meanwhile (the
 * token is gone: a second flush or empty restart during the seeding), at most
 * {@link SEED_ATTEMPTS} times, so the seed mark never vouches for a store
 * that was emptied while it was being filled.
 * @returns what the last (marked) `seed` returned.
 * @throws Error when Redis lost its data during every attempt; what `seed` throws.
 */
async function seedUntilMarked<T>(
  redis: RedisFeatureStore,
  version: string,
  seed: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const token = await redis.beginSeeding();
    const result = await seed();
    if (await redis.markSeeded(version, token)) return result;
    if (attempt >= SEED_ATTEMPTS) {
      throw new Error(`Redis lost its data during each of ${SEED_ATTEMPTS} seedings; not marked as seeded`);
    }
    logger.warn('Redis lost its data while it was being seeded; seeding it again', { version, attempt });
  }
}

/** The live feature updates a re-seed holds (`FeedbackService.holdUpdates`). */
type HeldUpdates = ReturnType<FeedbackService['holdUpdates']>;

/**
 * Holds `feedback`'s live feature updates for a re-seed; null when there is
 * no service yet, or when its updates are already held (only an in-process
 * store's model reload does that, never alongside a shared store).
 */
function holdLiveUpdates(feedback: FeedbackService | null): HeldUpdates | null {
  try {
    return feedback?.holdUpdates() ?? null;
  } catch {
    return null;
  }
}

/**
 * Logs a warning when a freshly seeded memory store already holds
 * `maxUsers` users (the model's training users): it loads and serves them,
 * but refuses every new user's feedback (USER_LIMIT) until the limit is raised.
 */
function warnWhenFull(store: MemoryFeatureStore, maxUsers: number, version: string): void {
  const users = store.userCount();
  if (maxUsers === 0 || users < maxUsers) return;
  logger.warn(
    `model ${version} seeds ${users} users, at or past RECGATE_MEMORY_MAX_USERS (${maxUsers}): they are served, but feedback and impressions of new users are refused with USER_LIMIT; raise the limit (0 = none) or use the Redis store`,
    { users, maxUsers, version },
  );
}

/** Items read per `getItems` call by {@link carryOver}. */
const CARRY_OVER_CHUNK = 10_000;

/**
 * Copies what a memory store learned from the API, not from training, into
 * the store of the next model: every promotion, and every catalog item that
 * the next model does not know or that was changed through `upsertItems`
 * since the previous model was loaded (its stored value differs from the
 * previous model's catalog entry), with its current counters. An admin's
 * `available: false` therefore survives a model rollout.
 * @returns the items copied (their stored values), for {@link refreshIndexPayloads}.
 */
async function carryOver(
  previous: ModelBackends,
  to: FeatureStore,
  model: ServedModel,
): Promise<readonly CatalogItem[]> {
  const from = previous.store;
  for (const promotion of await from.listPromotions()) await to.upsertPromotion(promotion);
  const all = await from.listItemIds();
  // Read in chunks: a registry catalog builds its items on read (issue #6), 1M at once would be ~150 MB.
  const changed: string[] = [];
  const byId = new Map<string, CatalogItem | null | undefined>();
  for (let start = 0; start < all.length; start += CARRY_OVER_CHUNK) {
    const ids = all.slice(start, start + CARRY_OVER_CHUNK);
    const stored = await from.getItems(ids);
    ids.forEach((id, k) => {
      const trained = model.catalog.has(id) ? previous.model.catalog.get(id) : undefined;
      if (
        !model.catalog.has(id) ||
        trained === undefined ||
        JSON.stringify(trained) !== JSON.stringify(stored[k])
      ) {
        changed.push(id);
        byId.set(id, stored[k]);
      }
    });
  }
  if (changed.length === 0) return [];
  const items = changed.flatMap((id) => (byId.get(id) ? [byId.get(id)!] : []));
  await to.upsertItems(items);
  const fresh = changed.filter((id) => !model.catalog.has(id));
  if (fresh.length === 0) return items;
  const counters = await from.getItemCounters(fresh);
  const entries = fresh.flatMap((itemId, k) => {
    const c = counters[k];
    return c === null || c === undefined ? [] : [{ itemId, counters: c }];
  });
  if (entries.length > 0 && to.putItemCounters !== undefined) await to.putItemCounters(entries);
  return items;
}

/**
 * The model's IVF-Flat index with `RECGATE_IVF_STORAGE` applied (int8 and
 * none: the registry's rows are unit vectors, never written, and loaded into
 * WebAssembly memory, so the index re-scores, or scans, them in place),
 * logging the storage in effect: a warning when int8 or none was asked for
 * but the index had to copy float32 rows (ids repeat, or rows that float32
 * normalisation would change).
 */
function openIvf(
  model: ServedModel,
  dim: number,
  storage: IvfStorage,
  options: Pick<IvfVectorIndexOptions, 'ivf' | 'cacheFile' | 'onProgress'>,
): IvfVectorIndex {
  const index = IvfVectorIndex.fromVectors(model.bundle.itemIds, model.bundle.itemVectors, dim, {
    ...options,
    payloads: model.catalog,
    idIndex: model.bundle.itemIndex,
    storage,
  });
  const fields = { storage: index.storage, lists: index.lists, memoryBytes: index.memoryBytes };
  if (storage !== index.storage) {
    logger.warn(
      precisionOf(model.bundle.itemVectors) === 'float16'
        ? `RECGATE_IVF_STORAGE=${storage} not applied to float16 vectors: only storage none scans halves in place (with distinct item ids and the vectors in WebAssembly memory); the IVF index keeps a float32 copy of the decoded rows`
        : `RECGATE_IVF_STORAGE=${storage} not applied: the model repeats an item id, has item vectors that are not exactly unit length, or (none) its vectors did not fit in WebAssembly memory; the IVF index keeps float32 rows`,
      fields,
    );
  } else logger.info(`IVF index ready: storage ${index.storage}`, fields);
  return index;
}
