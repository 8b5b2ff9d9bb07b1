/**
 * The `recommendations` and `similarItems` use cases: query hydration, one
 * pipeline run per list (src/pipeline/runPipeline.ts over a surface config),
 * cursor paging over stored lists, and mapping to the API's shapes.
 * (~380 lines: query hydration, paging and request checks belong to the same use case.)
 */
import { randomUUID } from 'node:crypto';
import { foldInUser } from '../../models/retrieval/foldIn.js';
import type {
  RecentItem,
  RecommendationEnv,
  RecommendationQuery,
} from '../components/recommendationQuery.js';
import { listEntries } from '../components/listEntries.js';
import type { ListEntry } from '../components/listEntries.js';
import { decodeCursor, encodeCursor } from '../components/selectors/pagingCursor.js';
import {
  fromStoredList,
  listArgumentsKey,
  NO_LIST_ARGUMENTS,
  sameListArguments,
  storedEntries,
  storedViaIds,
} from '../components/selectors/storedRankedList.js';
import { loadTitles } from '../components/reasons.js';
import { laterPageExclusion, walkStoredList } from '../components/selectors/storedListWalk.js';
import { servedListRecord } from '../components/sideEffects/servedListLog.js';
import type { UserFeatureState } from '../domain/rankerFeatures.js';
import { PublicError } from '../errors.js';
import { assignExperiments } from '../experiments/assignExperiments.js';
import type { ExperimentSet } from '../experiments/experimentConfig.js';
import { resolveSurfaceParams } from '../experiments/resolveSurfaceParams.js';
import type { ServedModel } from '../inference/servedModel.js';
import type { RequestLoaders } from '../loaders/requestLoaders.js';
import type { PipelineResult } from '../pipeline/pipelineResult.js';
import type { RankedList } from '../pipeline/rankedList.js';
import { PipelineStageError } from '../pipeline/pipelineStageError.js';
import { throwIfRequestAborted } from '../pipeline/requestAbortedError.js';
import { runPipeline, runSideEffects } from '../pipeline/runPipeline.js';
import type { SurfaceConfig } from '../pipeline/surfaceConfig.js';
import type { SurfaceParams } from '../pipeline/surfaceParams.js';
import { DISMISSIVE_TYPES } from '../stores/dismissiveTypes.js';
import type { UserFeatures } from '../stores/featureStore.js';
import { isReportedDegraded } from '../stores/fallback/degradedParts.js';
import { ITEMS_PART, RANKED_LISTS_PART } from '../stores/fallback/fallbackFeatureStore.js';
import { homeSurface } from '../surfaces/homeSurface.js';
import { similarSurface } from '../surfaces/similarSurface.js';
import type {
  ExperimentAssignment,
  ItemFilterInput,
  RecommendationList,
  RecommendationsRequest,
  SimilarItemsRequest,
} from './serviceTypes.js';
import { foldInFromHistory } from './feedback/foldInFromHistory.js';
import { validateId } from './feedback/validateId.js';
import { unknownWhileDegraded } from './unknownWhileDegraded.js';
import { keptFor } from './keptFor.js';
import { shownId } from './shownId.js';
import type { PipelineQueue } from './pipelineQueue.js';
import { pipelineQueue } from './pipelineQueue.js';
import { logger } from '../telemetry/logger.js';

/** Recent items used as the item-to-item basis (as in training's user state). */
const RECENT_ITEMS = 20;

/** How far before the server clock a client's `context.timestamp` may place the request: 24 h. */
export const MAX_PAST_SKEW_MS = 24 * 60 * 60 * 1000;
/** How far after the server clock a client's `context.timestamp` may place the request: 5 min. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** What the service needs from one request scope. */
export interface ScopeContext {
  /** The HTTP request id: logs, tracing and anonymous experiment bucketing; never a storage key. */
  readonly requestId: string;
  readonly startedAt: number;
  readonly loaders: RequestLoaders;
  /** The request's abort signal (client disconnected): runs stop with RequestAbortedError. @default none */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link RecommendationService}. */
export interface RecommendationServiceOptions {
  /** Everything of {@link RecommendationEnv} except the per-request loaders. */
  readonly env: Omit<RecommendationEnv, 'loaders'>;
  /** The model served now. */
  readonly model: () => ServedModel;
  /** Unix ms the current model was loaded (the origin of the model clock). */
  readonly modelLoadedAt: () => number;
  readonly experiments: () => ExperimentSet;
  /** Surface parameters before experiment overrides. */
  readonly baseParams: SurfaceParams;
  /** Per-source time budget, ms. */
  readonly sourceBudgetMs: number;
  /** Requests running pipelines at once; more wait in arrival order (src/services/pipelineQueue.ts). 0 = no limit. @default 0 */
  readonly pipelineConcurrency?: number;
  /**
   * `model`: feature ages are measured on the model's clock (training
   * reference time + time since the model was loaded), so a model trained on
   * old data sees ages in its training range; `wall`: the request time.
   */
  readonly featureClock: 'model' | 'wall';
  /** Wait for side effects (the served-list log) before answering. */
  readonly awaitSideEffects: boolean;
  readonly now: () => number;
  /** Called with every pipeline run's result (timings, counts, degraded): the telemetry hook. */
  readonly onPipelineResult?: (surface: string, result: PipelineResult) => void;
  /** Called with every `after` lookup: true when the stored list was found (paging-cache hit). */
  readonly onPagingLookup?: (hit: boolean) => void;
  /** Surface configurations by name; `home` serves every non-seeded surface name. */
  readonly surfaces?: {
    readonly home: SurfaceConfig<RecommendationQuery>;
    readonly similar: SurfaceConfig<RecommendationQuery>;
  };
}

/** Runs the home and similar surfaces and pages through stored lists. */
export class RecommendationService {
  private readonly pending = new Set<Promise<void>>();
  private readonly surfaces: NonNullable<RecommendationServiceOptions['surfaces']>;
  /**
   * Admission of pipeline runs (first pages and similar lists; `after` pages read a stored list and do not wait),
   * keyed by the request's loaders: one object per request scope, however many `ScopeContext`s are made of it.
   */
  readonly queue: PipelineQueue;

  constructor(private readonly options: RecommendationServiceOptions) {
    this.surfaces = options.surfaces ?? { home: homeSurface, similar: similarSurface };
    this.queue = pipelineQueue(options.pipelineConcurrency ?? 0);
  }

  /**
   * A page of the user's list on `request.surface`: the first page runs the
   * pipeline; `after` continues the stored list of the request it came from.
   * @throws PublicError BAD_USER_INPUT for a bad or expired cursor, UNAVAILABLE when a fail-closed stage fails
   *   or when the cursor's list cannot be read because the shared feature store is down (it may not have expired).
   * @throws RequestAbortedError (CLIENT_CLOSED_REQUEST) when `scope.signal` aborted: nothing is logged as served.
   */
  async recommendations(request: RecommendationsRequest, scope: ScopeContext): Promise<RecommendationList> {
    if (request.surface === this.surfaces.similar.name) {
      throw new PublicError(
        'BAD_USER_INPUT',
        `surface: "${request.surface}" needs a seed item; use similarItems(itemId: …) instead`,
        'surface',
      );
    }
    throwIfRequestAborted(scope.signal);
    if (request.after !== null) return this.nextPage(request, scope);
    const now = this.requestTime(request.context?.timestamp ?? null);
    return this.queue.run(scope.loaders, scope.signal, async () => {
      const q = await this.buildQuery(scope, {
        surface: request.surface,
        userId: request.userId,
        sessionItemIds: request.sessionItemIds,
        seedItemId: null,
        filter: request.filter,
        first: request.first,
        now,
      });
      return this.run(this.surfaces.home, q);
    });
  }

  /**
   * Items like `request.itemId`, batched per request scope through its
   * `similarLists` loader. @throws PublicError NOT_FOUND for an unknown seed;
   * UNAVAILABLE when the store is down and its fallback does not know the seed.
   */
  similarItems(request: SimilarItemsRequest, scope: ScopeContext): Promise<RecommendationList> {
    return scope.loaders.similarLists.load(request);
  }

  /** The batch function of the `similarLists` loader: all lists computed concurrently. */
  async similarBatch(
    requests: readonly SimilarItemsRequest[],
    scope: ScopeContext,
  ): Promise<(RecommendationList | Error)[]> {
    return Promise.all(
      requests.map(async (request) => {
        try {
          throwIfRequestAborted(scope.signal);
          const seed = await scope.loaders.items.load(request.itemId);
          if (seed === null) {
            // Unknown to the fallback while the store is down: the item may exist there (as for item(id)).
            if (isReportedDegraded(ITEMS_PART))
              throw unknownWhileDegraded('itemId', `item "${request.itemId}"`, 'itemId');
            throw new PublicError(
              'NOT_FOUND',
              `itemId: no item "${request.itemId}" in the catalog`,
              'itemId',
            );
          }
          const now = this.options.now();
          return await this.queue.run(scope.loaders, scope.signal, async () => {
            const q = await this.buildQuery(scope, {
              surface: this.surfaces.similar.name,
              userId: request.userId,
              sessionItemIds: [],
              seedItemId: request.itemId,
              filter: request.filter,
              first: request.first,
              now,
            });
            return this.run(this.surfaces.similar, q);
          });
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      }),
    );
  }

  /** Resolves when every side effect started so far has finished. */
  async flush(): Promise<void> {
    await this.options.env.servedLog.flush();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async run(
    surface: SurfaceConfig<RecommendationQuery>,
    q: RecommendationQuery,
  ): Promise<RecommendationList> {
    let result: PipelineResult;
    try {
      result = await runPipeline(surface, q);
    } catch (err) {
      if (err instanceof PipelineStageError) {
        logger.warn(err.message, {
          requestId: q.httpRequestId,
          listId: q.requestId,
          component: err.component,
          error: err.cause,
        });
        throw new PublicError(
          'UNAVAILABLE',
          `recommendations are temporarily unavailable (the ${err.component} stage failed: ${err.category}); retry shortly`,
        );
      }
      throw err;
    }
    this.options.onPipelineResult?.(surface.name, result);
    // The page's items and counters join the batch of the reasons' titles, so the `item` fields
    // resolve from the loaders without a promise each. Through the loaders (Redis) the ranking
    // already read them, and this reads nothing; from a column read (the memory store) it is one
    // batched read of the page.
    const [entries] = await Promise.all([
      listEntries(q, result.list, result.page.positions),
      loadPageItems(q, result.list, result.page.positions),
    ]);
    q.memo.set('pageEntries', entries);
    const list = toList(q.requestId, entries, 0, result.page.hasNextPage, result.page.endCursor, {
      modelVersion: q.scoredWith,
      experiments: q.experiments,
      degraded: result.degraded,
    });
    // The last checkpoint: a list whose client is gone is neither answered nor logged as served.
    throwIfRequestAborted(q.signal);
    await this.track(runSideEffects(surface, q, result));
    return list;
  }

  private async nextPage(request: RecommendationsRequest, scope: ScopeContext): Promise<RecommendationList> {
    const cursor = decodeCursor(request.after!);
    const store = this.options.env.store;
    const raw = await store.getRankedList(cursor.requestId);
    const stored = raw === null ? null : fromStoredList(raw);
    this.options.onPagingLookup?.(stored !== null);
    if (stored === null) {
      // The shared store was down and the list is not in this replica's snapshot: it may well exist.
      if (isReportedDegraded(RANKED_LISTS_PART)) {
        throw new PublicError(
          'UNAVAILABLE',
          `after: the list ${shownId(cursor.requestId)} cannot be read now (the shared feature store is unavailable and this replica does not hold the list); retry shortly`,
          'after',
        );
      }
      throw new PublicError(
        'BAD_USER_INPUT',
        `after: the list ${shownId(cursor.requestId)} has expired or is no longer stored (lists are kept for ${keptFor(this.options.env.settings.pagingTtlMs)}, less when the paging cache is full, and a store that restarted empty has lost them); request the first page again without after`,
        'after',
      );
    }
    const { header, columns } = stored;
    if (header.userId !== request.userId || header.surface !== request.surface) {
      // Never name the list's owner: a cursor must not reveal whose list it is.
      throw new PublicError(
        'BAD_USER_INPUT',
        `after: the cursor belongs to a list of another user or surface, received user ${request.userId === null ? 'null' : shownId(request.userId)} on ${shownId(request.surface)}; pass the userId and surface of the request that returned the cursor`,
        'after',
      );
    }
    // A later page may repeat the first request's filter and sessionItemIds or omit both; other ones
    // would be silently ignored (the list is already ranked), so they are refused.
    const given = listArgumentsKey(request.filter, request.sessionItemIds);
    if (
      header.listArguments !== undefined &&
      given !== NO_LIST_ARGUMENTS &&
      !sameListArguments(header.listArguments, given)
    ) {
      throw new PublicError(
        'BAD_USER_INPUT',
        'after: the cursor belongs to a list ranked with another filter or other sessionItemIds; pass the ones of the request that returned the cursor, or none, or leave after out for a new list',
        'after',
      );
    }
    const total = columns.ids.length;
    // A cursor this gateway wrote points inside the stored list (a page that reaches its end has none):
    // an offset past it is forged or from another list, and would serve an empty page (attack report, 12-04).
    if (cursor.offset > total) {
      throw new PublicError(
        'BAD_USER_INPUT',
        `after: the cursor points at position ${cursor.offset} of a list kept for paging with ${total} positions; pass the pageInfo.endCursor of a previous page`,
        'after',
      );
    }
    const start = cursor.offset;
    const served = Math.min(start, cursor.served ?? start);
    // Items hidden since the list was ranked (marked unavailable, or gone from the catalog) are
    // skipped, as the first page's `unavailable` filter drops them, and so are items the user has
    // given feedback on since (the `seenItems` and `dismissed` filters); ranks count the items served.
    const user = header.userId === null ? null : await scope.loaders.users.load(header.userId);
    const { end, hidden, more } = await walkStoredList(
      scope.loaders.items,
      columns.ids,
      start,
      request.first,
      laterPageExclusion(user),
    );
    const titleOf = await loadTitles(scope.loaders, storedViaIds(columns, start, end));
    const span = storedEntries(stored, start, end, titleOf);
    const page = hidden.size === 0 ? span : span.filter((_, k) => !hidden.has(start + k));
    const hasNextPage = more;
    const endCursor = hasNextPage
      ? encodeCursor({ requestId: cursor.requestId, offset: end, served: served + page.length })
      : null;
    const list = toList(cursor.requestId, page, served, hasNextPage, endCursor, header);
    throwIfRequestAborted(scope.signal);
    const record = servedListRecord({
      requestId: cursor.requestId,
      httpRequestId: scope.requestId,
      userId: header.userId,
      surface: header.surface,
      timestamp: this.options.now(),
      modelVersion: header.modelVersion,
      experiments: header.experiments,
      entries: page,
      offset: served,
    });
    await this.track(
      this.options.env.servedLog.write(record, { signal: scope.signal }).catch((err: unknown) => {
        logger.warn('servedListLog failed', {
          requestId: scope.requestId,
          listId: cursor.requestId,
          error: err,
        });
      }),
    );
    return list;
  }

  /** Query hydration: the user, their vector, recent items, experiments and parameters. */
  private async buildQuery(
    scope: ScopeContext,
    input: {
      readonly surface: string;
      readonly userId: string | null;
      readonly sessionItemIds: readonly string[];
      readonly seedItemId: string | null;
      readonly filter: ItemFilterInput | null;
      readonly first: number;
      readonly now: number;
    },
  ): Promise<RecommendationQuery> {
    const model = this.options.model();
    const user = input.userId === null ? null : await scope.loaders.users.load(input.userId);
    const index = model.bundle.itemIndex;
    const seedRow = input.seedItemId === null ? undefined : index.get(input.seedItemId);
    const recent: RecentItem[] =
      input.seedItemId !== null
        ? [{ itemId: input.seedItemId, row: seedRow ?? -1, type: 'VIEW' }]
        : recentItems(user, index);
    const assignments = assignExperiments(this.options.experiments(), {
      userId: input.userId,
      requestId: scope.requestId,
      surface: input.surface,
    });
    const experiments: ExperimentAssignment[] = assignments.map((a) => ({
      experiment: a.experiment,
      variant: a.variant,
      bucket: a.bucket,
      params: a.params,
    }));
    const context = new Set<string>();
    for (const r of recent) context.add(r.itemId);
    for (const id of input.sessionItemIds.slice(0, RECENT_ITEMS)) context.add(id);
    return {
      // Each list gets its own id: two lists of one HTTP request (aliases,
      // Item.similar) or two requests reusing an x-request-id never share a key.
      requestId: randomUUID(),
      httpRequestId: scope.requestId,
      surface: input.surface,
      now: this.featureTime(model, input.now),
      requestedAt: this.options.now(),
      first: input.first,
      params: resolveSurfaceParams(this.options.baseParams, assignments),
      sourceBudgetMs: this.options.sourceBudgetMs,
      signal: scope.signal,
      rowIndex: model.bundle,
      run: { degraded: [] },
      userId: input.userId,
      user,
      userState: userFeatureState(user),
      userVector: userVector(model, user, input.sessionItemIds, seedRow),
      recent,
      sessionItemIds: input.sessionItemIds,
      seedItemId: input.seedItemId,
      filter: input.filter,
      model,
      experiments,
      env: { ...this.options.env, loaders: scope.loaders },
      contextItemIds: [...context],
      rows: null,
      scoredWith: model.version,
      memo: new Map(),
    };
  }

  /**
   * The request time: the client's `context.timestamp` clamped to
   * [server now − {@link MAX_PAST_SKEW_MS}, server now + {@link MAX_FUTURE_SKEW_MS}],
   * so a client clock cannot move feature ages and promotion windows further
   * than that; the server time when none is given.
   */
  private requestTime(clientTimestamp: number | null): number {
    const now = this.options.now();
    if (clientTimestamp === null || !Number.isFinite(clientTimestamp)) return now;
    return Math.min(now + MAX_FUTURE_SKEW_MS, Math.max(now - MAX_PAST_SKEW_MS, clientTimestamp));
  }

  private featureTime(model: ServedModel, now: number): number {
    if (this.options.featureClock === 'wall') return now;
    const reference = model.bundle.referenceTime;
    if (!Number.isFinite(reference)) return now;
    return Math.min(now, reference + Math.max(0, now - this.options.modelLoadedAt()));
  }

  /** Keeps a side effect for {@link flush}; resolves at once unless `awaitSideEffects`. */
  private async track(p: Promise<void>): Promise<void> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    if (this.options.awaitSideEffects) await p;
  }
}

function toList(
  requestId: string,
  entries: readonly ListEntry[],
  offset: number,
  hasNextPage: boolean,
  endCursor: string | null,
  meta: { modelVersion: string; experiments: readonly ExperimentAssignment[]; degraded: readonly string[] },
): RecommendationList {
  return {
    requestId,
    items: entries.map((e, k) => ({
      itemId: e.itemId,
      rank: offset + k + 1,
      score: Number.isFinite(e.score) ? e.score : 0,
      sources: e.sources as RecommendationList['items'][number]['sources'],
      reasons: e.reasons,
      promotion: e.promotion,
    })),
    hasNextPage,
    endCursor,
    modelVersion: meta.modelVersion,
    experiments: meta.experiments,
    degraded: meta.degraded,
  };
}

/** Up to 20 distinct positive items of the history, most recent first. */
function recentItems(user: UserFeatures | null, index: ReadonlyMap<string, number>): RecentItem[] {
  const out: RecentItem[] = [];
  if (user === null) return out;
  const taken = new Set<string>();
  for (const e of user.recent) {
    if (DISMISSIVE_TYPES.has(e.type) || user.dismissed.has(e.itemId) || taken.has(e.itemId)) continue;
    taken.add(e.itemId);
    out.push({ itemId: e.itemId, row: index.get(e.itemId) ?? -1, type: e.type });
    if (out.length >= RECENT_ITEMS) break;
  }
  return out;
}

/** The ranker's view of the user: category share = weight / interaction count (as training computes it). */
function userFeatureState(user: UserFeatures | null): UserFeatureState {
  if (user === null) return { interactionCount: 0, categoryShare: new Map(), categoryLastSeen: new Map() };
  const count = Math.max(1, user.interactionCount);
  const share = new Map<string, number>();
  for (const [c, w] of user.categoryWeights) share.set(c, Math.min(1, Math.max(0, w / count)));
  return {
    interactionCount: user.interactionCount,
    categoryShare: share,
    categoryLastSeen: user.categoryLastSeen,
  };
}

/**
 * The query vector: the stored one (trained, or folded in by the feedback
 * service); else fold-in from the user's history; else from the session
 * items; else (similar) from the seed alone. Null when nothing is known.
 */
function userVector(
  model: ServedModel,
  user: UserFeatures | null,
  sessionItemIds: readonly string[],
  seedRow: number | undefined,
): Float32Array | null {
  const d = model.bundle.dimension;
  const usable = (v: Float32Array | null): v is Float32Array =>
    v !== null && v.length === d && v.some((x) => x !== 0);
  if (user !== null && usable(user.vector)) return user.vector;
  if (user !== null) {
    const folded = foldInFromHistory(model, user.recent, user.dismissed, model.manifest.training.ratingScale);
    if (usable(folded)) return folded;
  }
  const rows: number[] = [];
  for (const id of sessionItemIds.slice(0, RECENT_ITEMS)) {
    const r = model.bundle.itemIndex.get(id);
    if (r !== undefined) rows.push(r);
  }
  if (rows.length === 0 && seedRow !== undefined) rows.push(seedRow);
  if (rows.length === 0) return null;
  const v = foldInUser(
    model.foldIn,
    rows,
    rows.map(() => 1),
  );
  return usable(v) ? v : null;
}

/** Longest id list (session items, excluded items) a request may carry. */
const MAX_ID_LIST = 1000;

/**
 * Checks what the resolvers also check, so that every caller of the Gateway
 * gets the same errors: `first` 1..100, ids non-empty and ≤ 256 characters, lists ≤ 1000.
 * @throws PublicError BAD_USER_INPUT naming the argument, what was expected and what was received.
 */
export function validateRecommendationsRequest(r: RecommendationsRequest): void {
  checkFirst(r.first);
  if (r.userId !== null) checkId(r.userId, 'userId');
  checkIds(r.sessionItemIds, 'sessionItemIds');
  checkIds(r.filter?.excludeItemIds ?? [], 'filter.excludeItemIds');
  if (typeof r.surface !== 'string' || r.surface.trim() === '' || r.surface.length > 64) {
    throw new PublicError(
      'BAD_USER_INPUT',
      `surface: expected a name of 1..64 characters, received ${JSON.stringify(r.surface)}`,
      'surface',
    );
  }
}

/** Like {@link validateRecommendationsRequest} for `similarItems`. */
export function validateSimilarItemsRequest(r: SimilarItemsRequest): void {
  checkFirst(r.first);
  checkId(r.itemId, 'itemId');
  if (r.userId !== null) checkId(r.userId, 'userId');
  checkIds(r.filter?.excludeItemIds ?? [], 'filter.excludeItemIds');
}

/** Largest `first` of `recommendations` and `similarItems`. */
export const MAX_FIRST = 100;

function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw new PublicError(
      'BAD_USER_INPUT',
      `first: expected an integer in 1..${MAX_FIRST}, received ${first}`,
      'first',
    );
  }
}

function checkId(id: string, field: string): void {
  const error = validateId(id, field);
  if (error !== null) throw new PublicError('BAD_USER_INPUT', error.message, field);
}

function checkIds(ids: readonly string[], field: string): void {
  if (ids.length > MAX_ID_LIST) {
    throw new PublicError(
      'BAD_USER_INPUT',
      `${field}: expected at most ${MAX_ID_LIST} ids, received ${ids.length}`,
      field,
    );
  }
  ids.forEach((id, k) => checkId(id, `${field}[${k}]`));
}

/**
 * Loads the catalog rows and counters of the page (`positions`: candidate
 * indices of `list`) into the request's loaders, where the `item` fields of
 * the answer look first (`CatalogService.loadedItem`). Never rejects (a failed
 * read stays in the loaders, and those fields read again).
 */
async function loadPageItems(
  q: RecommendationQuery,
  list: RankedList,
  positions: readonly number[],
): Promise<void> {
  const ids = positions.map((idx) => list.candidates[idx]!.itemId);
  await Promise.all([q.env.loaders.items.loadMany(ids), q.env.loaders.itemCounters.loadMany(ids)]);
}
