import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedListRecord } from '../../src/domain/events.js';
import { PublicError } from '../../src/errors.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway, RequestScope } from '../../src/services/gateway.js';
import type { RecommendationList, RecommendationsRequest } from '../../src/services/serviceTypes.js';
import { MemoryFeatureStore } from '../../src/stores/memory/memoryFeatureStore.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import { trainedRegistry } from '../support/trainedRegistry.js';
import { itemViews } from '../support/itemViews.js';
import { withoutItemColumnReads } from '../support/withoutItemColumnReads.js';

/**
 * The Gateway end to end on the embedded adapters (memory feature store,
 * exact vector index, file event log) over a small model trained on the
 * bundled MovieTweetings data: paging, reasons, the served-list log,
 * feedback effects, cold start, catalog updates, promotions, filters, the
 * similar surface, experiments and the batching contract (issue #3 §2, §3, §5).
 */

interface UserStateLine {
  userId: string;
  interactionCount: number;
  seen: string[];
}

let registry: string;
let tmp: string;
let gateway: Gateway;
let store: MemoryFeatureStore;
let clockOffset = 0;
const clock = (): number => Date.now() + clockOffset;
let users: UserStateLine[];
let catalog: Map<string, { id: string; title: string | null; categories: string[] }>;
let eventsFile: string;

beforeAll(async () => {
  registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-gw-'));
  eventsFile = path.join(tmp, 'events.jsonl');
  const experiments = path.join(tmp, 'experiments.yaml');
  writeFileSync(
    experiments,
    [
      'experiments:',
      '  - id: lambda',
      '    trafficPercent: 100',
      '    variants:',
      '      - { id: control, weight: 1, params: { mmrLambda: 0.8 } }',
      '      - { id: lower, weight: 1, params: { mmrLambda: 0.7 } }',
      '  - id: ranker',
      '    trafficPercent: 100',
      '    surfaces: [ranker-test]',
      '    variants:',
      '      - { id: a, weight: 1, params: { rankerVersion: v-does-not-exist } }',
      '      - { id: b, weight: 1, params: { rankerVersion: v-does-not-exist } }',
    ].join('\n'),
  );
  store = new MemoryFeatureStore({ now: clock });
  gateway = await createGateway({
    registryDir: registry,
    eventLogFile: eventsFile,
    eventLogFsync: 'never',
    experimentsFile: experiments,
    adapters: { featureStore: store },
    now: clock,
    rankingRefreshMs: 1e12,
    awaitSideEffects: true,
    servedLogFlushMs: 0,
    telemetry: countingTelemetry,
  });
  const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
  const dir = path.join(registry, 'default', version);
  users = readFileSync(path.join(dir, 'user-state.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as UserStateLine);
  catalog = new Map(
    readFileSync(path.join(dir, 'catalog.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { id: string; title: string | null; categories: string[] })
      .map((i) => [i.id, i]),
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Known users with a moderate history, in file order; `k` picks a different one per test. */
/** The feedback metric's calls: [type, accepted]. */
const feedbackCounted: [string, boolean][] = [];
const countingTelemetry: Telemetry = {
  ...noopTelemetry,
  recordFeedback: (type, accepted) => void feedbackCounted.push([type, accepted]),
};

function knownUser(k: number): UserStateLine {
  const fit = users.filter((u) => u.interactionCount >= 10 && u.interactionCount <= 60);
  return fit[k % fit.length]!;
}

function request(userId: string | null, over: Partial<RecommendationsRequest> = {}): RecommendationsRequest {
  return {
    userId,
    sessionItemIds: [],
    surface: 'home',
    first: 20,
    after: null,
    filter: null,
    context: null,
    ...over,
  };
}

function recommend(userId: string | null, over: Partial<RecommendationsRequest> = {}, scope?: RequestScope) {
  return gateway.recommendations(request(userId, over), scope ?? gateway.createRequestScope());
}

async function allPages(
  userId: string | null,
  over: Partial<RecommendationsRequest> = {},
): Promise<RecommendationList[]> {
  const pages = [await recommend(userId, { first: 100, ...over })];
  while (pages[pages.length - 1]!.hasNextPage) {
    pages.push(await recommend(userId, { first: 100, ...over, after: pages[pages.length - 1]!.endCursor }));
  }
  return pages;
}

/** The `n` items of `category` with the largest live popularity. */
async function mostPopular(category: string, n: number): Promise<string[]> {
  const ids = [...catalog.values()].filter((i) => i.categories.includes(category)).map((i) => i.id);
  const views = await itemViews(gateway, ids, gateway.createRequestScope());
  return views
    .filter((v) => v !== null)
    .sort((a, b) => b.popularity - a.popularity)
    .slice(0, n)
    .map((v) => v.id);
}

function share(list: RecommendationList, category: string): number {
  const n = list.items.filter((i) => catalog.get(i.itemId)?.categories.includes(category)).length;
  return n / list.items.length;
}

describe('Gateway: recommendations for a known user', () => {
  it('returns `first` distinct available items with finite scores, ranks 1..n and a reason each', async () => {
    const u = knownUser(0);
    const list = await recommend(u.userId);
    expect(list.items).toHaveLength(20);
    expect(new Set(list.items.map((i) => i.itemId)).size).toBe(20);
    expect(list.items.map((i) => i.rank)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    for (const item of list.items) {
      expect(Number.isFinite(item.score)).toBe(true);
      expect(item.reasons.length).toBeGreaterThan(0);
      expect(item.sources.length).toBeGreaterThan(0);
      expect(u.seen).not.toContain(item.itemId);
    }
    const views = await itemViews(
      gateway,
      list.items.map((i) => i.itemId),
      gateway.createRequestScope(),
    );
    expect(views.every((v) => v !== null && v.available)).toBe(true);
    expect(list.degraded).toEqual([]);
  });

  it('names the recent item behind an item-to-item candidate ("Because you rated …")', async () => {
    const pages = await allPages(knownUser(1).userId);
    const i2i = pages.flatMap((p) => p.items).filter((i) => i.sources.includes('ITEM_TO_ITEM'));
    expect(i2i.length).toBeGreaterThan(0);
    for (const item of i2i) expect(item.reasons[0]).toMatch(/^Because you (rated|watched|liked) .+/);
  });
});

describe('Gateway: paging', () => {
  it('page 2 continues the same list: no repeats and rank continues', async () => {
    const u = knownUser(2);
    const scope = gateway.createRequestScope();
    const page1 = await recommend(u.userId, {}, scope);
    expect(page1.hasNextPage).toBe(true);
    const page2 = await recommend(u.userId, { after: page1.endCursor });
    const page3 = await recommend(u.userId, { after: page2.endCursor });
    expect(page2.requestId).toBe(page1.requestId);
    expect(page1.requestId).not.toBe(scope.requestId); // a fresh id per list (attack report #2)
    expect(page2.items.map((i) => i.rank)).toEqual(Array.from({ length: 20 }, (_, k) => k + 21));
    expect(page3.items[0]!.rank).toBe(41);
    const ids = [...page1.items, ...page2.items, ...page3.items].map((i) => i.itemId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of page2.items) expect(item.reasons.length).toBeGreaterThan(0);
  });

  it('a later page skips items made unavailable since the list was ranked; ranks count on without gaps', async () => {
    const u = knownUser(3);
    const page1 = await recommend(u.userId);
    // The list as it was ranked, from a scratch read of page 2 and 3 before anything changes.
    const before2 = await recommend(u.userId, { after: page1.endCursor });
    const hide = [before2.items[0]!.itemId, before2.items[5]!.itemId];
    const stored = await store.getItems(hide);
    try {
      await store.upsertItems(stored.map((i) => ({ ...i!, available: false })));
      const page2 = await recommend(u.userId, { after: page1.endCursor });
      const page3 = await recommend(u.userId, { after: page2.endCursor });
      expect(page2.items.map((i) => i.itemId)).not.toContain(hide[0]);
      expect(page2.items.map((i) => i.itemId)).not.toContain(hide[1]);
      expect(page2.items).toHaveLength(20);
      // The same order otherwise: page 2 is the ranked list's next 22 items without the two hidden.
      const kept = before2.items.map((i) => i.itemId).filter((id) => !hide.includes(id));
      expect(page2.items.slice(0, kept.length).map((i) => i.itemId)).toEqual(kept);
      expect(page2.items.map((i) => i.rank)).toEqual(Array.from({ length: 20 }, (_, k) => k + 21));
      expect(page3.items[0]!.rank).toBe(41);
      const ids = [...page1.items, ...page2.items, ...page3.items].map((i) => i.itemId);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await store.upsertItems(stored.map((i) => i!));
    }
  });

  it('a later page skips items the user DISMISSed, DISLIKEd or bought since page 1 (attack on session 27)', async () => {
    const u = knownUser(11);
    const page1 = await recommend(u.userId);
    // The list as it was ranked: page 2 before any feedback.
    const before2 = await recommend(u.userId, { after: page1.endCursor });
    const acted = [
      { itemId: before2.items[0]!.itemId, type: 'DISMISS' as const },
      { itemId: before2.items[3]!.itemId, type: 'DISLIKE' as const },
      { itemId: before2.items[6]!.itemId, type: 'PURCHASE' as const },
    ];
    const results = await gateway.recordFeedback(
      acted.map((a) => ({
        userId: u.userId,
        itemId: a.itemId,
        type: a.type,
        value: null,
        requestId: page1.requestId,
        timestamp: null,
        context: null,
      })),
      gateway.createRequestScope(),
    );
    expect(results.map((r) => r.accepted)).toEqual([true, true, true]);
    const page2 = await recommend(u.userId, { after: page1.endCursor });
    const ids2 = page2.items.map((i) => i.itemId);
    for (const a of acted) expect(ids2).not.toContain(a.itemId);
    // Otherwise the same order, ranks on without gaps, and the list still pages on.
    const gone = new Set(acted.map((a) => a.itemId));
    const kept = before2.items.map((i) => i.itemId).filter((id) => !gone.has(id));
    expect(ids2.slice(0, kept.length)).toEqual(kept);
    expect(page2.items.map((i) => i.rank)).toEqual(Array.from({ length: 20 }, (_, k) => k + 21));
    const rest: string[] = [];
    for (let page = page2; page.hasNextPage;) {
      page = await recommend(u.userId, { first: 100, after: page.endCursor });
      rest.push(...page.items.map((i) => i.itemId));
    }
    for (const a of acted) expect(rest).not.toContain(a.itemId);
  });

  it('pages through to the end: hasNextPage turns false and endCursor null', async () => {
    const pages = await allPages(knownUser(3).userId);
    const last = pages[pages.length - 1]!;
    expect(last.hasNextPage).toBe(false);
    expect(last.endCursor).toBeNull();
    const ids = pages.flatMap((p) => p.items.map((i) => i.itemId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('an expired cursor is BAD_USER_INPUT saying the list expired and what to do', async () => {
    const u = knownUser(4);
    const page1 = await recommend(u.userId);
    clockOffset += 601_000;
    try {
      const err = await recommend(u.userId, { after: page1.endCursor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PublicError);
      expect((err as PublicError).code).toBe('BAD_USER_INPUT');
      expect((err as PublicError).field).toBe('after');
      expect((err as PublicError).message).toMatch(/expired.*10 minutes.*without after/);
    } finally {
      clockOffset -= 601_000;
    }
  });

  it('a later page with another filter or other session items is refused; the same ones, reordered, or none page on', async () => {
    // Attack report (session 18): a different filter on page 2 was silently ignored.
    const u = knownUser(5);
    const filter = { categoriesNone: ['Drama', 'Comedy'], categoriesAny: null, excludeItemIds: [] };
    const page1 = await recommend(u.userId, { first: 5, filter });
    const same = await recommend(u.userId, {
      first: 5,
      after: page1.endCursor,
      filter: { categoriesNone: ['Comedy', 'Drama', 'Drama'] },
    });
    expect(same.items[0]!.rank).toBe(6);
    const none = await recommend(u.userId, { first: 5, after: page1.endCursor });
    expect(none.items.map((i) => i.itemId)).toEqual(same.items.map((i) => i.itemId));
    for (const over of [
      { filter: { categoriesAny: ['Drama'] } },
      { filter: { categoriesNone: ['Drama'] } },
      { sessionItemIds: [page1.items[0]!.itemId] },
    ]) {
      const err = await recommend(u.userId, { first: 5, after: page1.endCursor, ...over }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PublicError);
      expect((err as PublicError).code).toBe('BAD_USER_INPUT');
      expect((err as PublicError).field).toBe('after');
      expect((err as PublicError).message).toMatch(/another filter or other sessionItemIds/);
    }
  });

  it('a cursor that is not one is BAD_USER_INPUT naming `after`', async () => {
    const err = await recommend(null, { after: 'not-a-cursor' }).catch((e: unknown) => e);
    expect((err as PublicError).code).toBe('BAD_USER_INPUT');
    expect((err as PublicError).message).toMatch(/^after: expected a cursor/);
  });
});

describe('Gateway: the served-list log', () => {
  it('appends one record per list with request id, user, items, feature rows, model version and variants', async () => {
    const u = knownUser(5);
    const list = await recommend(u.userId);
    const records = readFileSync(eventsFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes(list.requestId))
      .map((l) => JSON.parse(l) as ServedListRecord)
      .filter((r) => r.kind === 'served');
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.userId).toBe(u.userId);
    expect(r.surface).toBe('home');
    expect(r.modelVersion).toBe(list.modelVersion);
    expect(r.modelVersion).toBe(gateway.modelInfo().rankerVersion);
    const lambda = list.experiments.find((a) => a.experiment === 'lambda')!;
    expect(r.variants).toEqual({ lambda: lambda.variant });
    expect(['control', 'lower']).toContain(lambda.variant);
    expect(r.items.map((i) => i.itemId)).toEqual(list.items.map((i) => i.itemId));
    expect(r.items.map((i) => i.rank)).toEqual(list.items.map((i) => i.rank));
    for (const item of r.items) expect(item.features).toHaveLength(10);
  });
});

describe('Gateway: the feedback metric', () => {
  it('counts each event by type and outcome, including those the API layer refused', async () => {
    const u = knownUser(5);
    const list = await recommend(u.userId);
    feedbackCounted.length = 0;
    const event = {
      userId: u.userId,
      itemId: list.items[0]!.itemId,
      type: 'CLICK' as const,
      value: null,
      requestId: list.requestId,
      timestamp: null,
      context: null,
    };
    const results = await gateway.recordFeedback([event], gateway.createRequestScope(), ['LIKE', 'VIEW']);
    expect(results.map((r) => r.accepted)).toEqual([true]);
    expect(feedbackCounted).toEqual([
      ['LIKE', false],
      ['VIEW', false],
      ['CLICK', true],
    ]);
    // Only refused events: counted, nothing recorded, no results.
    expect(await gateway.recordFeedback([], gateway.createRequestScope(), ['RATING'])).toEqual([]);
    expect(feedbackCounted.at(-1)).toEqual(['RATING', false]);
  });
});

describe('Gateway: feedback shows in the very next list', () => {
  it('a DISMISSed item never comes back', async () => {
    const u = knownUser(6);
    const before = await recommend(u.userId);
    const target = before.items[0]!.itemId;
    const [result] = await gateway.recordFeedback(
      [
        {
          userId: u.userId,
          itemId: target,
          type: 'DISMISS',
          value: null,
          requestId: before.requestId,
          timestamp: null,
          context: null,
        },
      ],
      gateway.createRequestScope(),
    );
    expect(result!.accepted).toBe(true);
    const after = (await allPages(u.userId)).flatMap((p) => p.items.map((i) => i.itemId));
    expect(after).not.toContain(target);
  });

  it('a PURCHASE removes the item', async () => {
    const u = knownUser(7);
    const before = await recommend(u.userId);
    const target = before.items[2]!.itemId;
    await gateway.recordFeedback(
      [
        {
          userId: u.userId,
          itemId: target,
          type: 'PURCHASE',
          value: null,
          requestId: null,
          timestamp: null,
          context: null,
        },
      ],
      gateway.createRequestScope(),
    );
    const after = (await allPages(u.userId)).flatMap((p) => p.items.map((i) => i.itemId));
    expect(after).not.toContain(target);
  });

  it("after several LIKEs of one category, that category's share in the top 20 rises", async () => {
    const u = knownUser(8);
    const category = 'Horror';
    const before = await recommend(u.userId);
    const liked = [...catalog.values()]
      .filter((i) => i.categories.includes(category) && !u.seen.includes(i.id))
      .slice(0, 6)
      .map((i) => i.id);
    expect(liked).toHaveLength(6);
    await gateway.recordFeedback(
      liked.map((itemId) => ({
        userId: u.userId,
        itemId,
        type: 'LIKE' as const,
        value: null,
        requestId: null,
        timestamp: null,
        context: null,
      })),
      gateway.createRequestScope(),
    );
    const after = await recommend(u.userId);
    expect(share(after, category)).toBeGreaterThan(share(before, category));
  });

  it("a new user's first LIKEs move them off the popular list", async () => {
    const cold = await recommend('fresh-user-1');
    const personal = (l: RecommendationList): number =>
      l.items.filter((i) => i.sources.includes('EMBEDDING') || i.sources.includes('ITEM_TO_ITEM')).length;
    expect(personal(cold)).toBe(0);
    const liked = await mostPopular('Animation', 3);
    await gateway.recordFeedback(
      liked.map((itemId) => ({
        userId: 'fresh-user-1',
        itemId,
        type: 'LIKE' as const,
        value: null,
        requestId: null,
        timestamp: null,
        context: null,
      })),
      gateway.createRequestScope(),
    );
    const warm = await recommend('fresh-user-1');
    expect(personal(warm)).toBeGreaterThanOrEqual(15);
    const coldIds = new Set(cold.items.map((i) => i.itemId));
    expect(warm.items.filter((i) => !coldIds.has(i.itemId)).length).toBeGreaterThanOrEqual(5);
    const newAnimation = warm.items.filter(
      (i) => !coldIds.has(i.itemId) && catalog.get(i.itemId)?.categories.includes('Animation'),
    );
    expect(newAnimation.length).toBeGreaterThan(0);
    for (const id of liked) expect(warm.items.map((i) => i.itemId)).not.toContain(id);
  });

  it('impressed items move down in the next list', async () => {
    const u = knownUser(9);
    const before = await recommend(u.userId, { first: 100 });
    const shown = before.items.slice(0, 3).map((i) => i.itemId);
    for (let k = 0; k < 6; k++) {
      await gateway.recordImpressions(
        { requestId: before.requestId, userId: u.userId, itemIds: shown },
        gateway.createRequestScope(),
      );
    }
    const after = await recommend(u.userId, { first: 100 });
    const rankOf = (l: RecommendationList, id: string): number =>
      l.items.find((i) => i.itemId === id)?.rank ?? 1000;
    const sumBefore = shown.reduce((s, id) => s + rankOf(before, id), 0);
    const sumAfter = shown.reduce((s, id) => s + rankOf(after, id), 0);
    expect(sumAfter).toBeGreaterThan(sumBefore);
  });
});

describe('Gateway: cold start', () => {
  it('an unknown user without a session gets popular and trending items, diversified', async () => {
    const list = await recommend('nobody-at-all');
    expect(list.items).toHaveLength(20);
    for (const item of list.items) {
      expect(item.sources.every((s) => ['POPULAR', 'TRENDING', 'EXPLORATION', 'PROMOTION'].includes(s))).toBe(
        true,
      );
    }
    const categories = new Set(list.items.flatMap((i) => catalog.get(i.itemId)?.categories ?? []));
    expect(categories.size).toBeGreaterThan(5);
  });

  it('an unknown user with sessionItemIds gets session-based items, never the session items', async () => {
    const session = await mostPopular('Sci-Fi', 3);
    const list = await recommend(null, { sessionItemIds: session });
    expect(list.items.filter((i) => i.sources.includes('SESSION')).length).toBeGreaterThan(5);
    for (const item of list.items) expect(session).not.toContain(item.itemId);
    const withSession = list.items.find((i) => i.sources.includes('SESSION'))!;
    expect(withSession.reasons[0]).toMatch(/^Because you just viewed /);
  });

  it('items added by upsertItems are recommendable without retraining', async () => {
    const result = await gateway.upsertItems([
      { id: 'brand-new-film', title: 'Brand New Film (2030)', categories: ['Drama'], createdAt: clock() },
      { id: '', title: 'no id' },
      { id: 'another-new-film', categories: ['Comedy', ''] },
    ]);
    expect(result.upserted).toBe(1);
    expect(result.errors.map((e) => e.field)).toEqual(['items[1].id', 'items[2].categories']);
    const items = (await allPages('nobody-2')).flatMap((p) => p.items);
    const fresh = items.find((i) => i.itemId === 'brand-new-film');
    expect(fresh).toBeDefined();
    expect(fresh!.sources.some((s) => s === 'POPULAR' || s === 'TRENDING' || s === 'EXPLORATION')).toBe(true);
    expect(fresh!.reasons).toContain('New in the catalog');
    const [view] = await itemViews(gateway, ['brand-new-film'], gateway.createRequestScope());
    expect(view).toMatchObject({
      id: 'brand-new-film',
      title: 'Brand New Film (2030)',
      available: true,
      popularity: 0,
    });
    // As a seed it has no embedding or neighbours until a model trained on it is served:
    // an empty list, not an error (schema: similarItems).
    const similar = await gateway.similarItems(
      { itemId: 'brand-new-film', userId: null, first: 5, filter: null },
      gateway.createRequestScope(),
    );
    expect(similar.items).toEqual([]);
    expect(similar.degraded).toEqual([]);
  });

  it('a new item upserted without createdAt is created at the gateway clock; an update without it keeps it', async () => {
    const savedOffset = clockOffset;
    clockOffset += 3 * 86_400_000; // the gateway's clock, not the wall clock
    try {
      const before = clock();
      await gateway.upsertItems([{ id: 'undated-film', title: 'Undated' }]);
      const after = clock();
      const [created] = await itemViews(gateway, ['undated-film'], gateway.createRequestScope());
      expect(created!.createdAt).toBeGreaterThanOrEqual(before);
      expect(created!.createdAt).toBeLessThanOrEqual(after);
      clockOffset += 86_400_000;
      await gateway.upsertItems([{ id: 'undated-film', title: 'Renamed' }]);
      const [updated] = await itemViews(gateway, ['undated-film'], gateway.createRequestScope());
      expect(updated).toMatchObject({ title: 'Renamed', createdAt: created!.createdAt });
      // A given createdAt wins, for a new item and an update.
      await gateway.upsertItems([
        { id: 'dated-film', createdAt: Date.UTC(2001, 0, 1) },
        { id: 'undated-film', createdAt: Date.UTC(2002, 0, 1) },
      ]);
      const views = await itemViews(gateway, ['dated-film', 'undated-film'], gateway.createRequestScope());
      expect(views.map((v) => v!.createdAt)).toEqual([Date.UTC(2001, 0, 1), Date.UTC(2002, 0, 1)]);
    } finally {
      clockOffset = savedOffset;
    }
  });
});

describe('Gateway: request filters', () => {
  it('empty lists are no constraint', async () => {
    const u = knownUser(10);
    const a = await recommend(u.userId, {}, gateway.createRequestScope({ requestId: 'filter-same-1' }));
    const b = await recommend(
      u.userId,
      { filter: { categoriesAny: [], categoriesNone: [], excludeItemIds: [] } },
      gateway.createRequestScope({ requestId: 'filter-same-1' }),
    );
    expect(b.items.map((i) => i.itemId)).toEqual(a.items.map((i) => i.itemId));
  });

  it('categoriesAny keeps, categoriesNone drops, excludeItemIds never returns', async () => {
    const u = knownUser(11);
    // Categories as the gateway has them now: earlier tests upsert items (without categories)
    // that are not in catalog.jsonl, and an item without categories passes categoriesNone.
    const categoriesOf = async (list: RecommendationList) =>
      (
        await itemViews(
          gateway,
          list.items.map((i) => i.itemId),
          gateway.createRequestScope(),
        )
      ).map((v) => v?.categories ?? []);
    const any = await recommend(u.userId, { filter: { categoriesAny: ['Comedy'] } });
    expect(any.items.length).toBeGreaterThan(0);
    for (const c of await categoriesOf(any)) expect(c).toContain('Comedy');
    const none = await recommend(u.userId, { filter: { categoriesNone: ['Drama'] } });
    expect(none.items.length).toBeGreaterThan(0);
    for (const c of await categoriesOf(none)) expect(c).not.toContain('Drama');
    const excluded = none.items.slice(0, 5).map((i) => i.itemId);
    const again = await recommend(u.userId, {
      filter: { categoriesNone: ['Drama'], excludeItemIds: excluded },
    });
    for (const i of again.items) expect(excluded).not.toContain(i.itemId);
  });
});

describe('Gateway: promotions', () => {
  it('places a promoted item at its fixed position only on its surfaces and inside its window', async () => {
    const u = knownUser(12);
    const base = await recommend(u.userId, { first: 50 });
    const item = base.items[30]!.itemId;
    const later = base.items[40]!.itemId;
    await gateway.upsertPromotion({
      id: 'p-fixed',
      itemIds: [item],
      positions: [2],
      boost: null,
      surfaces: ['home'],
      startsAt: null,
      endsAt: null,
    });
    await gateway.upsertPromotion({
      id: 'p-other-surface',
      itemIds: [later],
      positions: [1],
      boost: null,
      surfaces: ['elsewhere'],
      startsAt: null,
      endsAt: null,
    });
    await gateway.upsertPromotion({
      id: 'p-future',
      itemIds: [later],
      positions: [1],
      boost: null,
      surfaces: null,
      startsAt: clock() + 86_400_000,
      endsAt: null,
    });
    try {
      const list = await recommend(u.userId);
      expect(list.items[1]!.itemId).toBe(item);
      expect(list.items[1]!.promotion?.id).toBe('p-fixed');
      expect(list.items[1]!.reasons).toContain('Promoted');
      expect(list.items[0]!.itemId).not.toBe(later);
      expect(list.items.filter((i) => i.promotion !== null).map((i) => i.itemId)).toEqual([item]);
    } finally {
      for (const id of ['p-fixed', 'p-other-surface', 'p-future']) await gateway.deletePromotion(id);
    }
  });

  it('a boost lifts an item; a promoted item the user dismissed is never placed', async () => {
    const u = knownUser(13);
    const base = await recommend(u.userId, { first: 60 });
    const boosted = base.items[50]!;
    const dismissed = base.items[5]!.itemId;
    await gateway.recordFeedback(
      [
        {
          userId: u.userId,
          itemId: dismissed,
          type: 'DISMISS',
          value: null,
          requestId: null,
          timestamp: null,
          context: null,
        },
      ],
      gateway.createRequestScope(),
    );
    await gateway.upsertPromotion({
      id: 'p-boost',
      itemIds: [boosted.itemId],
      positions: null,
      boost: 1000,
      surfaces: null,
      startsAt: null,
      endsAt: null,
    });
    await gateway.upsertPromotion({
      id: 'p-dismissed',
      itemIds: [dismissed],
      positions: [1],
      boost: null,
      surfaces: null,
      startsAt: null,
      endsAt: null,
    });
    try {
      const list = await recommend(u.userId, { first: 60 });
      const lifted = list.items.find((i) => i.itemId === boosted.itemId)!;
      expect(lifted.rank).toBeLessThan(boosted.rank);
      expect(lifted.promotion?.id).toBe('p-boost');
      expect(list.items.map((i) => i.itemId)).not.toContain(dismissed);
    } finally {
      await gateway.deletePromotion('p-boost');
      await gateway.deletePromotion('p-dismissed');
    }
  });

  it('rejects invalid promotions with BAD_USER_INPUT naming the field', async () => {
    const valid = {
      id: 'p-bad',
      itemIds: ['x'],
      positions: [1],
      boost: null,
      surfaces: null,
      startsAt: null,
      endsAt: null,
    };
    const cases = [
      [{ ...valid, positions: [0] }, 'positions[0]'],
      [{ ...valid, positions: null, boost: 0 }, 'boost'],
      [{ ...valid, positions: null, boost: Infinity }, 'boost'],
      [{ ...valid, startsAt: 2000, endsAt: 1000 }, 'endsAt'],
      [{ ...valid, itemIds: [] }, 'itemIds'],
    ] as const;
    for (const [p, field] of cases) {
      const err = await gateway.upsertPromotion(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PublicError);
      expect((err as PublicError).code).toBe('BAD_USER_INPUT');
      expect((err as PublicError).field).toBe(field);
    }
  });
});

describe('Gateway: similar items', () => {
  it('neighbours of the seed, never the seed, with "Similar to …" reasons', async () => {
    const seed = knownUser(14).seen[0]!;
    const list = await gateway.similarItems(
      { itemId: seed, userId: null, first: 10, filter: null },
      gateway.createRequestScope(),
    );
    expect(list.items).toHaveLength(10);
    expect(list.items.map((i) => i.itemId)).not.toContain(seed);
    expect(list.items[0]!.reasons.some((r) => r.startsWith('Similar to '))).toBe(true);
    expect(list.hasNextPage).toBe(false);
  });

  it('personalised for a user: drops their seen items', async () => {
    const u = knownUser(15);
    const list = await gateway.similarItems(
      { itemId: u.seen[0]!, userId: u.userId, first: 20, filter: null },
      gateway.createRequestScope(),
    );
    for (const item of list.items) expect(u.seen).not.toContain(item.itemId);
  });

  it('an unknown seed is NOT_FOUND', async () => {
    const err = await gateway
      .similarItems(
        { itemId: 'no-such-item', userId: null, first: 10, filter: null },
        gateway.createRequestScope(),
      )
      .catch((e: unknown) => e);
    expect((err as PublicError).code).toBe('NOT_FOUND');
  });
});

describe('Gateway: experiments and degradation', () => {
  it('a ranker version that cannot be loaded falls back to the current one and says so in degraded', async () => {
    const list = await recommend(knownUser(16).userId, { surface: 'ranker-test' });
    expect(list.degraded).toContain('onnxRanker.rankerVersion');
    expect(list.modelVersion).toBe(gateway.modelInfo().rankerVersion);
    expect(list.items).toHaveLength(20);
    expect(list.experiments.map((a) => a.experiment)).toEqual(['lambda', 'ranker']);
  });

  it('first outside 1..100 is BAD_USER_INPUT naming first', async () => {
    for (const first of [0, 101, 2.5]) {
      const err = await recommend(null, { first }).catch((e: unknown) => e);
      expect((err as PublicError).code).toBe('BAD_USER_INPUT');
      expect((err as PublicError).field).toBe('first');
    }
  });
});

describe('Gateway: batching (one store read per feature family)', () => {
  /** The store calls of 20 recommendations with item { popularity similar { item { title } } }, as the GraphQL layer makes them. */
  async function storeCallsOfTwentyWithSimilar(): Promise<Record<string, number>> {
    const u = knownUser(17);
    await recommend(u.userId); // warm caches that live longer than a request (ONNX session, popularity ranking)
    store.resetCalls();
    const scope = gateway.createRequestScope();
    const list = await gateway.recommendations(request(u.userId), scope);
    // The page's items are in the request's loaders: their `item` fields resolve without a promise each.
    expect(list.items.every((i) => gateway.loadedItem?.(i.itemId, scope) != null)).toBe(true);
    // What the GraphQL layer does: one items() call per Item (batched by the scope's loader) …
    const views = await Promise.all(list.items.map((i) => itemViews(gateway, [i.itemId], scope)));
    expect(views.every(([v]) => v != null && Number.isFinite(v.popularity))).toBe(true);
    // … then Item.similar for each item, and the title of every similar item.
    const similar = await Promise.all(
      list.items.map((i) =>
        gateway.similarItems({ itemId: i.itemId, userId: null, first: 5, filter: null }, scope),
      ),
    );
    const titles = await Promise.all(
      similar.flatMap((s) => s.items.map((i) => itemViews(gateway, [i.itemId], scope))),
    );
    expect(titles.every(([v]) => v !== null)).toBe(true);
    return { ...store.calls };
  }

  it('through the loaders (as on Redis): 20 recommendations with item { popularity similar { item { title } } } cost a pinned number of store calls', async () => {
    withoutItemColumnReads(store);
    try {
      expect(await storeCallsOfTwentyWithSimilar()).toEqual({
        getUsers: 1, // the user's features
        listPromotions: 1, // promotions, once per request
        getItems: 2, // home candidates (+ recent items for reasons); then all 20 similar lists' candidates
        getItemCounters: 2, // the same two batches
        putRankedList: 1, // the home list, kept for paging
      });
    } finally {
      delete (store as { readItemColumns?: unknown }).readItemColumns; // the prototype's method again
    }
  });

  it('with column reads (the memory store): one synchronous read per ranked list, the page items batched', async () => {
    expect(await storeCallsOfTwentyWithSimilar()).toEqual({
      getUsers: 1,
      listPromotions: 1,
      readItemColumns: 21, // each pipeline run's candidates: the home list and the 20 similar lists, in process
      getItems: 3, // the recent items for reasons (unavailable filter); the home page; the 20 similar pages
      getItemCounters: 2, // the home page; the 20 similar pages
      putRankedList: 1,
    });
  });
});
