import type { ResolvedGatewayConfig } from '../config.js';
import { readUserStates } from '../inference/readUserStates.js';
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
import { seedFeatureStore } from '../stores/seedFeatureStore.js';
import type { VectorIndex } from '../stores/vectorIndex.js';

/** The adapters a gateway serves from, chosen by the configuration. */
export interface Backends {
  readonly store: FeatureStore;
  readonly index: VectorIndex;
  readonly eventLog: EventLog;
  /**
   * True when the feature store lives in this process only (memory): it
   * starts from the model's snapshot, so the gateway replays the event log
   * into it. A shared store (Redis) already holds every replica's feedback.
   */
  readonly storeIsLocal: boolean;
}

/**
 * Opens the configured adapters (`featureStore`, `eventLog`, `vectorIndex`;
 * ready-made `adapters` win):
 * - memory store: a `MemoryFeatureStore` seeded from the served model;
 * - redis store: `RedisFeatureStore` (seeded from the model when it holds no
 *   catalog yet), behind a `FallbackFeatureStore` whose fallback is an
 *   in-process snapshot seeded from the same model, with a circuit breaker of
 *   `backendBudgetMs` / `backendRetryMs`;
 * - embedded index: exact search over the registry's item vectors; qdrant:
 *   `QdrantVectorIndex` behind a `FallbackVectorIndex` over the embedded one;
 * - file or redis event log; a Redis log's appends run within `eventLogBudgetMs`
 *   (`BudgetedEventLog`): feedback answers UNAVAILABLE rather than wait.
 * @throws Error naming the backend and its address when Redis or Qdrant cannot be reached at start-up.
 */
export async function openBackends(
  cfg: ResolvedGatewayConfig,
  model: ServedModel,
  registry: ModelRegistry,
): Promise<Backends> {
  const opened: { close(): Promise<void> }[] = [];
  try {
    const seedInto = async (store: FeatureStore): Promise<void> =>
      // Counters are taken as current at start-up: the gateway continues where training ended.
      seedFeatureStore(store, model, await readUserStates(registry, model.version), {
        referenceTime: cfg.now(),
      });
    const memoryStore = (): MemoryFeatureStore =>
      new MemoryFeatureStore({
        popularityHalfLifeDays: model.manifest.popularity.halfLifeDays,
        trendingHalfLifeDays: model.manifest.popularity.trendingHalfLifeDays,
        now: cfg.now,
      });
    const logState = (backend: string, whileDown: string) => (state: 'open' | 'closed', reason: string) =>
      process.stderr.write(
        state === 'open'
          ? `recgate: ${backend} is unavailable (${reason}); ${whileDown}\n`
          : `recgate: ${backend} answers again\n`,
      );

    const redisTarget =
      cfg.redisClusterNodes === null
        ? { url: cfg.redisUrl }
        : { clusterNodes: parseClusterNodes(cfg.redisClusterNodes) };
    let store: FeatureStore;
    let storeIsLocal = false;
    const given = cfg.adapters?.featureStore;
    if (given !== undefined) {
      store = given;
      if (store.seedUsers !== undefined && (await store.listItemIds()).length === 0) await seedInto(store);
    } else if (cfg.featureStore === 'memory') {
      store = memoryStore();
      opened.push(store);
      storeIsLocal = true;
      await seedInto(store);
    } else {
      const primary = await RedisFeatureStore.connect({
        ...redisTarget,
        prefix: cfg.redisPrefix,
        now: cfg.now,
        popularityHalfLifeDays: model.manifest.popularity.halfLifeDays,
        trendingHalfLifeDays: model.manifest.popularity.trendingHalfLifeDays,
      });
      opened.push(primary);
      if ((await primary.listItemIds()).length === 0) await seedInto(primary);
      const snapshot = memoryStore();
      await seedInto(snapshot);
      store = new FallbackFeatureStore({
        primary,
        fallback: snapshot,
        breaker: new CircuitBreaker('redis', {
          budgetMs: cfg.backendBudgetMs,
          retryAfterMs: cfg.backendRetryMs,
          onStateChange: logState(
            'redis (feature store)',
            "serving from the in-process snapshot of the model, named in each list's degraded",
          ),
        }),
      });
    }

    let index: VectorIndex;
    if (cfg.adapters?.vectorIndex !== undefined) {
      index = cfg.adapters.vectorIndex;
    } else {
      const dim = model.bundle.dimension + 1;
      // Payloads (categories, availability) let the index apply the request's filter itself.
      const embedded = ExactVectorIndex.fromVectors(model.bundle.itemIds, model.bundle.itemVectors, dim, {
        payloads: model.catalog,
      });
      if (cfg.vectorIndex === 'embedded') index = embedded;
      else {
        const primary = await QdrantVectorIndex.open({
          url: cfg.qdrantUrl,
          ...(cfg.qdrantApiKey === null ? {} : { apiKey: cfg.qdrantApiKey }),
          collection: cfg.qdrantCollection,
          modelVersion: model.version,
          dimension: dim,
          timeoutMs: cfg.backendBudgetMs,
          items: vectorEntries(model.bundle.itemIds, model.bundle.itemVectors, dim, model.catalog),
          itemCount: model.bundle.itemIds.length,
          onProgress: (p) =>
            process.stderr.write(`recgate: Qdrant ${p.collection}: ${p.uploaded}/${p.total} vectors\n`),
        });
        opened.push(primary);
        index = new FallbackVectorIndex({
          primary,
          fallback: embedded,
          breaker: new CircuitBreaker('qdrant', {
            budgetMs: cfg.backendBudgetMs,
            retryAfterMs: cfg.backendRetryMs,
            onStateChange: logState(
              'qdrant',
              "searching the embedded index built from the registry, named in each list's degraded",
            ),
          }),
        });
      }
    }

    let eventLog: EventLog;
    if (cfg.adapters?.eventLog !== undefined) eventLog = cfg.adapters.eventLog;
    else if (cfg.eventLog === 'file') {
      eventLog = new FileEventLog({ path: cfg.eventLogFile, fsync: cfg.eventLogFsync });
    } else {
      const redisLog = await RedisEventLog.connect({
        ...redisTarget,
        stream: cfg.eventStream,
        maxLen: cfg.eventStreamMaxLen,
      });
      opened.push(redisLog);
      eventLog = new BudgetedEventLog(
        redisLog,
        new CircuitBreaker('redis', {
          budgetMs: cfg.eventLogBudgetMs,
          retryAfterMs: cfg.backendRetryMs,
          onStateChange: logState('redis (event log)', 'feedback answers UNAVAILABLE until it returns'),
        }),
      );
    }
    return { store, index, eventLog, storeIsLocal };
  } catch (err) {
    await Promise.allSettled(opened.map((o) => o.close()));
    throw err;
  }
}
