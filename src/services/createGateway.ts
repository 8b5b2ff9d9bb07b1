import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { BufferedEventWriter } from '../components/sideEffects/bufferedEventWriter.js';
import { LiveCounterRanking } from '../components/sources/liveCounterRanking.js';
import { resolveGatewayConfig } from '../config.js';
import type { GatewayConfig } from '../config.js';
import { PublicError } from '../errors.js';
import { assignExperiments } from '../experiments/assignExperiments.js';
import { loadExperiments } from '../experiments/experimentConfig.js';
import { loadServedModel } from '../inference/loadServedModel.js';
import type { ServedModel } from '../inference/servedModel.js';
import { createRequestLoaders } from '../loaders/requestLoaders.js';
import type { RequestLoaders } from '../loaders/requestLoaders.js';
import { DEFAULT_SURFACE_PARAMS } from '../pipeline/surfaceParams.js';
import type { SurfaceParams } from '../pipeline/surfaceParams.js';
import { FileModelRegistry } from '../stores/file/fileModelRegistry.js';
import { DependencyUnavailableError } from '../stores/fallback/circuitBreaker.js';
import { collectDegradedParts } from '../stores/fallback/degradedParts.js';
import { ITEMS_PART } from '../stores/fallback/fallbackFeatureStore.js';
import type { MemoryFeatureStore } from '../stores/memory/memoryFeatureStore.js';
import { unknownWhileDegraded } from './unknownWhileDegraded.js';
import { CatalogService } from './catalogService.js';
import { FeedbackService } from './feedbackService.js';
import { ModelRollout } from './modelRollout.js';
import { openBackends } from './openBackends.js';
import type { Backends } from './openBackends.js';
import { logger } from '../telemetry/logger.js';
import { collectStartupGarbage, STARTUP_GC_MIN_HEAP_BYTES } from './collectStartupGarbage.js';
import { applyHeapGrowth } from './heapGrowth.js';
import { PACKED_IDS_MIN_ITEMS } from '../../models/registry/loadVersionBundle.js';
import { getTelemetry } from '../telemetry/telemetryRuntime.js';
import type { Gateway, ItemUpsert, ReadinessCheck, RequestScope } from './gateway.js';
import { PromotionService } from './promotionService.js';
import { replayCutoff, replayFeedback } from './replayFeedback.js';
import {
  RecommendationService,
  validateRecommendationsRequest,
  validateSimilarItemsRequest,
} from './recommendationService.js';
import type {
  Experiment,
  ExperimentAssignment,
  FeedbackEvent,
  ModelInfo,
  Promotion,
  RecommendationList,
  RecommendationsRequest,
  SimilarItemsRequest,
} from './serviceTypes.js';
import { servedVectorPrecision } from './vectorIndexChoice.js';

/** Shortest time between two feedback retry attempts, ms (`RECGATE_BACKEND_RETRY_MS` may be 0: never a tight loop). */
const MIN_FEEDBACK_RETRY_INTERVAL_MS = 100;

/** A request scope made by this gateway: the request id and its fresh, named DataLoaders. */
class GatewayRequestScope implements RequestScope {
  constructor(
    readonly requestId: string,
    readonly startedAt: number,
    readonly loaders: RequestLoaders,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/**
 * Builds the gateway on the embedded adapters (or the given ones):
 * FileModelRegistry → loadServedModel(CURRENT) → MemoryFeatureStore seeded
 * with the catalog, counters (current as of start-up) and user states →
 * ExactVectorIndex over the model's item vectors → FileEventLog →
 * FeedbackService → experiments → recommendation, catalog and promotion
 * services. Every `Gateway` method is implemented here or delegated to them.
 * @throws Error when the registry has no current version (train first), ModelLoadError
 *   when it cannot be served, ExperimentConfigError for a bad experiments file,
 *   RangeError for an out-of-range option.
 */
export async function createGateway(config: GatewayConfig = {}): Promise<Gateway> {
  const cfg = resolveGatewayConfig(config);
  const now = cfg.now;
  const registry =
    cfg.adapters?.registry ??
    new FileModelRegistry({
      dir: cfg.registryDir,
      modelName: cfg.modelName,
      vectorPrecision: (itemCount) => servedVectorPrecision(cfg.vectorPrecision, itemCount, cfg),
    });
  const version = await registry.currentVersion();
  if (version === null) {
    throw new Error(
      `the model registry ${resolve(cfg.registryDir)} has no current "${cfg.modelName}" version; train one with \`npm run train\``,
    );
  }
  const initialModel = await loadServedModel(registry, version);
  // As soon as the model's size is known: the index build, the store's seeding (of Redis too) and the start-up
  // collection then run with the factor, not V8's up-to-4x headroom (issue #6: memory at 1M items).
  const growth = applyHeapGrowth(
    cfg.heapGrowingPercent,
    initialModel.bundle.itemIds.length,
    PACKED_IDS_MIN_ITEMS,
  );
  if (growth.applied)
    logger.info(
      growth.percent === 0
        ? "V8 heap growing factor left to V8's own choice (RECGATE_HEAP_GROWING_PERCENT=0)"
        : `V8 heap growing factor set to ${growth.percent} %`,
      { heapGrowingPercent: growth.percent },
    );
  else if (growth.reason === 'flag-given')
    logger.info('V8 heap growing factor left to the --heap-growing-percent Node was started with');
  const experiments = loadExperiments(cfg.experimentsFile);
  const telemetry = cfg.telemetry ?? getTelemetry();

  let backends: Backends;
  let rollout: ModelRollout;
  try {
    backends = await openBackends(cfg, registry, initialModel);
    const parts = await backends.forModel(initialModel).catch(async (err: unknown) => {
      await backends.close();
      throw err;
    });
    parts.activate();
    rollout = new ModelRollout({
      registry,
      backends,
      initial: { model: initialModel, parts },
      telemetry,
      now,
    });
  } catch (err) {
    await initialModel.close();
    throw err;
  }
  const { eventLog, storeIsLocal, mayDegrade } = backends;
  const store = rollout.store;
  // The memory store's paging cache (recgate_paging_cache_lists / _bytes); Redis keeps the lists itself.
  telemetry.observePagingCache(() => {
    const s = store as Partial<Pick<MemoryFeatureStore, 'rankedListUsage'>>;
    return typeof s.rankedListUsage === 'function' ? s.rankedListUsage() : null;
  });
  // The memory store's users (recgate_memory_store_users, bounded by RECGATE_MEMORY_MAX_USERS).
  telemetry.observeMemoryStoreUsers(() => {
    const s = store as Partial<Pick<MemoryFeatureStore, 'userCount'>>;
    return typeof s.userCount === 'function' ? s.userCount() : null;
  });
  const index = rollout.index;
  const current = (): ServedModel => rollout.model();

  const feedback = new FeedbackService({
    store,
    eventLog,
    model: current,
    now,
    // Updates that failed without reaching Redis are retried once it answers (docs/feedback.md).
    ...(cfg.feedbackRetryMax === 0
      ? {}
      : {
          retry: {
            maxPending: cfg.feedbackRetryMax,
            intervalMs: Math.max(MIN_FEEDBACK_RETRY_INTERVAL_MS, cfg.backendRetryMs),
            ...(backends.storeReachable === undefined ? {} : { reachable: backends.storeReachable }),
            onRetried: (n) => telemetry.recordFeedbackRetried(n),
            onDropped: (n, reason) => telemetry.recordFeedbackRetryDropped(n, reason),
          },
        }),
  });
  telemetry.observeFeedbackRetryPending(() => feedback.pendingRetries);
  if (storeIsLocal) {
    const since = replayCutoff(initialModel.manifest);
    const replayed = (await replayFeedback(eventLog, feedback, since)).size;
    if (replayed > 0) {
      logger.info(`replayed ${replayed} feedback events the model was not trained on`, {
        since: Number.isFinite(since) ? new Date(since).toISOString() : null,
      });
    }
  }
  rollout.attachFeedback(feedback);
  backends.attachFeedback(feedback);
  const liveRanking = new LiveCounterRanking({
    store,
    refreshMs: cfg.rankingRefreshMs,
    // In-process stores cannot degrade: no AsyncLocalStorage, so no promise hook on every promise.
    trackDegraded: mayDegrade,
    knownToModel: (id) => current().bundle.itemIndex.has(id),
    now,
  });
  await liveRanking.snapshot();
  rollout.onSwap = () => liveRanking.revalidate();

  const rankerCache = new Map<string, Promise<ServedModel>>();
  const rankers = (v: string | null): Promise<ServedModel> => {
    const model = current();
    if (v === null || v === model.version) return Promise.resolve(model);
    let p = rankerCache.get(v);
    if (p === undefined) {
      p = loadServedModel(registry, v);
      rankerCache.set(v, p);
      p.catch(() => rankerCache.delete(v));
    }
    return p;
  };

  /** One poll: the registry's pointers (hot reload, shadow) and a shared store's seed. */
  const checkModel = async (): Promise<void> => {
    await rollout.check();
    await backends.repairSeed(current());
  };
  let poll: NodeJS.Timeout | null = null;
  if (cfg.modelPollMs > 0) {
    poll = setInterval(() => void checkModel(), cfg.modelPollMs);
    poll.unref();
  }

  const baseParams: SurfaceParams = {
    ...DEFAULT_SURFACE_PARAMS,
    ...cfg.surfaceParams,
    totalCandidates: cfg.candidates,
    mmrLambda: cfg.mmrLambda,
    explorationShare: cfg.explorationShare,
  };
  const recommendations = new RecommendationService({
    env: {
      store,
      index,
      eventLog,
      servedLog: new BufferedEventWriter({ eventLog, maxDelayMs: cfg.servedLogFlushMs }),
      rankers,
      liveRanking,
      shadow: rollout.shadow,
      settings: {
        mmrWindow: cfg.mmrWindow,
        categoryCapWindow: cfg.categoryCapWindow,
        explorationQuantile: cfg.explorationQuantile,
        pagingTtlMs: cfg.pagingTtlSeconds * 1000,
        pagingMaxPositions: cfg.pagingMaxPositions,
      },
    },
    model: current,
    modelLoadedAt: () => rollout.loadedAt(),
    experiments: () => experiments,
    baseParams,
    sourceBudgetMs: cfg.sourceBudgetMs,
    pipelineConcurrency: cfg.pipelineConcurrency,
    featureClock: cfg.featureClock,
    awaitSideEffects: cfg.awaitSideEffects,
    now,
    onPipelineResult: (surface, result) => {
      telemetry.recordPipelineResult(surface, result);
      cfg.onPipelineResult?.(surface, result);
    },
    onPagingLookup: (hit) => telemetry.recordPagingCache(hit),
    ...(cfg.surfaces === undefined ? {} : { surfaces: cfg.surfaces }),
  });
  // The pipeline queue (recgate_pipeline_requests_running / _waiting); nothing without a limit.
  telemetry.observePipelineQueue(() =>
    cfg.pipelineConcurrency > 0
      ? { running: recommendations.queue.active, waiting: recommendations.queue.waiting }
      : null,
  );
  const catalog = new CatalogService({ store, liveRanking, index, now });
  const promotions = new PromotionService({ store });

  const scopes = new WeakMap<RequestScope, RequestLoaders>();
  const loadersOf = (scope: RequestScope): RequestLoaders => {
    if (scope instanceof GatewayRequestScope) return scope.loaders;
    // A scope built elsewhere: give it loaders of its own, once.
    let l = scopes.get(scope);
    if (l === undefined) {
      l = newLoaders(scope);
      scopes.set(scope, l);
    }
    return l;
  };
  const ctx = (scope: RequestScope) => ({
    requestId: scope.requestId,
    startedAt: scope.startedAt,
    loaders: loadersOf(scope),
    signal: scope.signal,
  });
  const newLoaders = (scope: RequestScope): RequestLoaders =>
    createRequestLoaders({
      store,
      similar: (requests) => recommendations.similarBatch(requests, ctx(scope)),
      trackDegraded: mayDegrade,
    });

  const served = (list: RecommendationList): RecommendationList => {
    telemetry.recordDegraded(list.degraded);
    telemetry.recordServed(list.items);
    return list;
  };

  const gateway: Gateway = {
    createRequestScope(options = {}) {
      const requestId = options.requestId ?? randomUUID();
      let scope: GatewayRequestScope | null = null;
      const loaders = createRequestLoaders({
        store,
        similar: (requests) => recommendations.similarBatch(requests, ctx(scope!)),
        trackDegraded: mayDegrade,
      });
      scope = new GatewayRequestScope(requestId, now(), loaders, options.signal);
      return scope;
    },
    async recommendations(request: RecommendationsRequest, scope) {
      validateRecommendationsRequest(request);
      return served(
        await withDegradedParts(mayDegrade, () => recommendations.recommendations(request, ctx(scope))),
      );
    },
    async similarItems(request: SimilarItemsRequest, scope) {
      validateSimilarItemsRequest(request);
      return served(
        await withDegradedParts(mayDegrade, () => recommendations.similarItems(request, ctx(scope))),
      );
    },
    async items(ids, scope) {
      if (!mayDegrade) return catalog.items(ids, loadersOf(scope));
      const { value, parts } = await collectDegradedParts(() => catalog.items(ids, loadersOf(scope)));
      if (!parts.includes(ITEMS_PART)) return value;
      // Unknown to the fallback while the store is down: the item may well exist there (as for user).
      return value.map((found, k) => found ?? unknownWhileDegraded('item', 'this item', `ids[${k}]`));
    },
    loadedItem(id, scope) {
      return catalog.loadedItem(id, loadersOf(scope));
    },
    async user(id, scope) {
      if (!mayDegrade) return catalog.user(id, loadersOf(scope));
      const found = await withDegradedParts(true, async () => ({
        view: await catalog.user(id, loadersOf(scope)),
        degraded: [] as readonly string[],
      }));
      if (found.view !== null) return { ...found.view, degraded: found.degraded };
      // Unknown to the fallback while the store is down: the user may well exist there, so an
      // answer of "unknown" (null) would be wrong.
      if (found.degraded.length > 0) throw unknownWhileDegraded('user', 'this user', 'id');
      return null;
    },
    experimentAssignments(userId): ExperimentAssignment[] {
      if (userId === '')
        throw new PublicError('BAD_USER_INPUT', 'userId: expected a non-empty id, received ""', 'userId');
      return assignExperiments(experiments, { userId }).map((a) => ({
        experiment: a.experiment,
        variant: a.variant,
        bucket: a.bucket,
        params: a.params,
      }));
    },
    experiments(): Experiment[] {
      return experiments.experiments.map((e) => ({
        id: e.id,
        description: e.description,
        trafficPercent: e.trafficPercent,
        variants: e.variants.map((v) => ({ id: v.id, weight: v.sharePercent, params: v.params })),
      }));
    },
    modelInfo(): ModelInfo {
      const model = current();
      const m = model.manifest;
      const created = Date.parse(m.created);
      return {
        rankerVersion: model.version,
        retrievalVersion: model.version,
        trainedAt: Number.isFinite(created) ? created : null,
        itemCount: m.catalog.itemCount,
        metrics:
          m.evaluation === null ? null : { ...m.evaluation.metrics, coldStart: m.evaluation.coldStart },
      };
    },
    async recordFeedback(events: readonly FeedbackEvent[], scope, refusedTypes: readonly string[] = []) {
      for (const type of refusedTypes) telemetry.recordFeedback(type, false);
      if (events.length === 0) return [];
      const results = await feedback.record(events, scope.requestId);
      results.forEach((r, k) => telemetry.recordFeedback(events[k]!.type, r.accepted));
      return results;
    },
    recordImpressions(input, scope) {
      return feedback.recordImpressions(input, scope.requestId);
    },
    upsertItems(items: readonly ItemUpsert[]) {
      return unavailableAsPublic(() => catalog.upsertItems(items));
    },
    upsertPromotion(promotion: Promotion) {
      return unavailableAsPublic(() => promotions.upsert(promotion));
    },
    deletePromotion(id: string) {
      return unavailableAsPublic(() => promotions.delete(id));
    },
    async readiness() {
      const checks: ReadinessCheck[] = [{ name: 'model', ok: true, detail: `${current().version} loaded` }];
      for (const probe of backends.probes) {
        try {
          await probe.check();
          checks.push({ name: probe.name, ok: true, detail: null });
        } catch (err) {
          checks.push({
            name: probe.name,
            ok: false,
            detail: err instanceof Error ? err.message : String(err),
          });
        }
      }
      return { ready: checks.every((c) => c.ok), checks };
    },
    checkModel,
    async close() {
      if (poll !== null) clearInterval(poll);
      feedback.close();
      await recommendations.flush();
      const others = await Promise.allSettled([...rankerCache.values()]);
      await rollout.close();
      await Promise.allSettled([
        backends.close(),
        ...others.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)),
      ]);
    },
  };
  // A large model always: its heap can now be below the threshold with its start-up garbage (packed ids),
  // and skipping the collection left up to ~60 MB of garbage in the RSS when ready (issue #6).
  const collected = collectStartupGarbage(
    initialModel.bundle.itemIds.length >= PACKED_IDS_MIN_ITEMS ? 0 : STARTUP_GC_MIN_HEAP_BYTES,
  );
  if (collected !== null) {
    const mb = (b: number): number => Math.round(b / 2 ** 20);
    logger.info(`start-up garbage collected in ${Math.round(collected.ms)} ms`, {
      heapUsedMb: [mb(collected.heapUsedBefore), mb(collected.heapUsedAfter)],
      heapTotalMb: [mb(collected.heapTotalBefore), mb(collected.heapTotalAfter)],
      rssMb: [mb(collected.rssBefore), mb(collected.rssAfter)],
    });
  }
  return gateway;
}

/**
 * Runs an admin write; a backend that failed or ran out of its budget becomes
 * the client error UNAVAILABLE (not a masked internal error).
 * @throws PublicError UNAVAILABLE for a DependencyUnavailableError; other errors unchanged.
 */
async function unavailableAsPublic<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DependencyUnavailableError) {
      throw new PublicError(
        'UNAVAILABLE',
        `the shared store (${err.dependency}) did not confirm the change in time, so it may not have been applied; retry shortly`,
      );
    }
    throw err;
  }
}

/**
 * Runs one list request and adds the backend parts served from a fallback
 * (see src/stores/fallback/) to the list's `degraded` names. With
 * `mayDegrade` false (in-process stores only) it just runs `fn`.
 */
async function withDegradedParts<T extends { readonly degraded: readonly string[] }>(
  mayDegrade: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  if (!mayDegrade) return fn();
  const { value, parts } = await collectDegradedParts(fn);
  const extra = parts.filter((p) => !value.degraded.includes(p));
  return extra.length === 0 ? value : { ...value, degraded: [...value.degraded, ...extra] };
}
