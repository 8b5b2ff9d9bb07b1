import { PublicError } from '../../src/errors.js';
import type { Gateway, ItemUpsert, RequestScope } from '../../src/services/gateway.js';
import type {
  FeedbackEvent,
  ItemView,
  Promotion,
  Recommendation,
  RecommendationList,
  RecommendationsRequest,
  SimilarItemsRequest,
} from '../../src/services/serviceTypes.js';

/**
 * A hand-written, in-memory stand-in for the engine, for API-shape tests of
 * the GraphQL layer only (argument validation, error codes, masking, auth,
 * HTTP behaviour). It ranks a fixed catalog of 30 items by id and knows
 * nothing about recommendation quality: behaviour tests use the real
 * `createGateway` (see test/support/realGateway.ts).
 *
 * Every call is recorded in `calls`; `failWith` makes one method throw.
 */
export interface FakeGateway extends Gateway {
  /** Method name and first argument of every call, in order. */
  readonly calls: { method: string; arg: unknown }[];
  /** Make `method` throw this error (e.g. a plain Error to test masking). */
  failWith(method: keyof Gateway, error: Error): void;
  /** Make every recommended score this value (e.g. NaN to test the guard). */
  scoreOverride: number | null;
  /** Feedback events the fake accepted. */
  readonly feedback: FeedbackEvent[];
  readonly promotions: Map<string, Promotion>;
}

const CATEGORIES = ['Drama', 'Comedy', 'Action', 'Horror', 'Sci-Fi'] as const;

/** The fake catalog: items `i01`…`i30`, categories cycling through five genres. */
export function fakeCatalog(): ItemView[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `i${String(i + 1).padStart(2, '0')}`,
    title: `Item ${i + 1} (20${String(i).padStart(2, '0')})`,
    categories: [CATEGORIES[i % CATEGORIES.length]!],
    attributes: { year: 2000 + i },
    createdAt: Date.UTC(2020, 0, 1 + i),
    available: true,
    popularity: 30 - i,
  }));
}

/** Creates a {@link FakeGateway}. Users `u1`…`u5` exist; cursors are `fake:<offset>`. */
export function fakeGateway(): FakeGateway {
  const catalog = new Map(fakeCatalog().map((item) => [item.id, item]));
  const failures = new Map<string, Error>();
  const calls: { method: string; arg: unknown }[] = [];
  const feedback: FeedbackEvent[] = [];
  const promotions = new Map<string, Promotion>();
  let scopes = 0;
  const record = (method: keyof Gateway, arg: unknown): void => {
    calls.push({ method, arg });
    const failure = failures.get(method);
    if (failure) throw failure;
  };
  const list = (ids: string[], offset: number, first: number, requestId: string): RecommendationList => {
    const page = ids.slice(offset, offset + first);
    const items: Recommendation[] = page.map((itemId, i) => ({
      itemId,
      rank: offset + i + 1,
      score: fake.scoreOverride ?? 1 / (offset + i + 1),
      sources: ['POPULAR'],
      reasons: ['Popular overall'],
      promotion: null,
    }));
    const end = offset + page.length;
    return {
      requestId,
      items,
      hasNextPage: end < ids.length,
      endCursor: page.length > 0 ? `fake:${end}` : null,
      modelVersion: 'fake-v1',
      experiments: [{ experiment: 'mmr-lambda', variant: 'control', bucket: 42, params: {} }],
      degraded: [],
    };
  };
  const fake: FakeGateway = {
    calls,
    feedback,
    promotions,
    scoreOverride: null,
    failWith: (method, error) => void failures.set(method, error),
    createRequestScope(options) {
      record('createRequestScope', options);
      scopes += 1;
      return { requestId: options?.requestId ?? `fake-request-${scopes}`, startedAt: Date.now() };
    },
    async recommendations(request: RecommendationsRequest, scope: RequestScope) {
      record('recommendations', request);
      let offset = 0;
      if (request.after !== null) {
        const m = /^fake:(\d+)$/.exec(request.after);
        if (!m)
          throw new PublicError('BAD_USER_INPUT', 'Argument `after` is not a cursor of this list.', 'after');
        offset = Number(m[1]);
      }
      const ids = [...catalog.keys()].filter((id) => !request.filter?.excludeItemIds?.includes(id));
      return list(ids, offset, request.first, scope.requestId);
    },
    async similarItems(request: SimilarItemsRequest, scope: RequestScope) {
      record('similarItems', request);
      if (!catalog.has(request.itemId)) {
        throw new PublicError('NOT_FOUND', `No item with id ${JSON.stringify(request.itemId)}.`, 'itemId');
      }
      const ids = [...catalog.keys()].filter((id) => id !== request.itemId);
      return list(ids, 0, request.first, scope.requestId);
    },
    async items(ids) {
      record('items', ids);
      return ids.map((id) => catalog.get(id) ?? null);
    },
    async user(id) {
      record('user', id);
      if (!/^u[1-5]$/.test(id)) return null;
      return {
        id,
        recentItemIds: ['i03', 'i01', 'i99', 'i02'],
        interactionCount: 4,
        topCategories: [
          { category: 'Drama', weight: 0.5 },
          { category: 'Comedy', weight: 0.3 },
          { category: 'Action', weight: 0.2 },
        ],
        degraded: [],
      };
    },
    experimentAssignments(userId) {
      record('experimentAssignments', userId);
      return [{ experiment: 'mmr-lambda', variant: 'control', bucket: 42, params: { mmrLambda: 0.8 } }];
    },
    experiments() {
      record('experiments', null);
      return [
        {
          id: 'mmr-lambda',
          description: 'MMR λ 0.8 vs 0.6',
          trafficPercent: 50,
          variants: [
            { id: 'control', weight: 50, params: {} },
            { id: 'diverse', weight: 50, params: { mmrLambda: 0.6 } },
          ],
        },
      ];
    },
    modelInfo() {
      record('modelInfo', null);
      return {
        rankerVersion: 'fake-v1',
        retrievalVersion: 'fake-v1',
        trainedAt: Date.UTC(2026, 10, 29, 10),
        itemCount: catalog.size,
        metrics: { 'ndcg@10': 0.05 },
      };
    },
    async recordFeedback(events, _scope, refusedTypes = []) {
      // Refused events are only counted: recorded as a call of their own (not a Gateway method).
      if (refusedTypes.length > 0) calls.push({ method: 'recordFeedback refused', arg: refusedTypes });
      if (events.length === 0) return [];
      record('recordFeedback', events);
      return events.map((event) => {
        if (event.type === 'RATING' && (event.value === null || event.value < 0 || event.value > 10)) {
          return {
            accepted: false,
            applied: false,
            eventId: null,
            error: { code: 'BAD_USER_INPUT', message: 'RATING value must be 0..10.', field: 'value' },
          };
        }
        feedback.push(event);
        return { accepted: true, applied: true, eventId: `e${feedback.length}`, error: null };
      });
    },
    async recordImpressions(input) {
      record('recordImpressions', input);
      return { accepted: true, error: null };
    },
    async upsertItems(items: readonly ItemUpsert[]) {
      record('upsertItems', items);
      for (const item of items) {
        catalog.set(item.id, {
          id: item.id,
          title: item.title ?? null,
          categories: item.categories ?? [],
          attributes: item.attributes ?? {},
          createdAt: item.createdAt ?? Date.now(),
          available: item.available ?? true,
          popularity: 0,
        });
      }
      return { upserted: items.length, errors: [] };
    },
    async upsertPromotion(promotion) {
      record('upsertPromotion', promotion);
      promotions.set(promotion.id, promotion);
      return promotion;
    },
    async deletePromotion(id) {
      record('deletePromotion', id);
      return promotions.delete(id);
    },
    async readiness() {
      record('readiness', null);
      return { ready: true, checks: [{ name: 'model', ok: true, detail: 'fake-v1 loaded' }] };
    },
    async checkModel() {
      record('checkModel', null);
    },
    async close() {
      record('close', null);
    },
  };
  return fake;
}
