import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleQuery } from '../../src/server/graphiql/graphiqlPage.js';
import { hasStackTrace, postGraphQL } from '../support/graphqlHttp.js';
import type { GraphQLHttpResult } from '../support/graphqlHttp.js';
import type { RealServer } from '../support/realServer.js';
import { startRealServer, TEST_ADMIN_TOKEN } from '../support/realServer.js';

/**
 * End-to-end over HTTP (server on port 0) against the real engine
 * (`createGateway`) and a model trained on the bundled MovieTweetings data
 * (test/support/trainedRegistry.ts). Issue #3, sections 1–5, as seen by a client.
 */

interface Rec {
  rank: number;
  score: number;
  sources: string[];
  reasons: string[];
  promotion: { id: string } | null;
  item: { id: string; title: string | null; categories: string[] };
}
interface List {
  requestId: string;
  items: Rec[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  modelVersion: string;
  degraded: string[];
}

const LIST_FIELDS = `requestId modelVersion degraded pageInfo { hasNextPage endCursor }
  items { rank score sources reasons promotion { id } item { id title categories } }`;

let real: RealServer;
let gql: (
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
) => Promise<GraphQLHttpResult>;

/** `recommendations(...)` over HTTP; fails the test on any error. */
async function recommend(args: Record<string, unknown>): Promise<List> {
  const { body } = await gql(
    `query ($userId: ID, $session: [ID!], $first: Int, $after: String, $filter: ItemFilter) {
      recommendations(userId: $userId, sessionItemIds: $session, first: $first, after: $after, filter: $filter) { ${LIST_FIELDS} } }`,
    args,
  );
  expect(body.errors).toBeUndefined();
  return body.data!['recommendations'] as List;
}
const ids = (list: List): string[] => list.items.map((r) => r.item.id);

beforeAll(async () => {
  real = await startRealServer();
  gql = (query, variables, headers) => postGraphQL(real.server.url, query, variables, headers);
}, 180_000);
afterAll(() => real?.close());

describe('End to end: recommendations', () => {
  it('a known user gets 20 distinct, available items with finite scores, ranks 1..20 and at least one reason each', async () => {
    const list = await recommend({ userId: real.exampleUserId, first: 20 });
    expect(list.items).toHaveLength(20);
    expect(new Set(ids(list)).size).toBe(20);
    expect(list.items.map((r) => r.rank)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const r of list.items) {
      expect(Number.isFinite(r.score)).toBe(true);
      expect(r.reasons.length).toBeGreaterThan(0);
      expect(r.sources.length).toBeGreaterThan(0);
    }
    expect(list.modelVersion).toMatch(/^v\d{8}-\d{6}/);
    expect(list.degraded).toEqual([]);
  });

  it('never recommends an item the user already interacted with', async () => {
    const { body } = await gql('query ($id: ID!) { user(id: $id) { recentItems(first: 100) { id } } }', {
      id: real.exampleUserId,
    });
    const seen = new Set(
      (body.data!['user'] as { recentItems: { id: string }[] }).recentItems.map((i) => i.id),
    );
    expect(seen.size).toBeGreaterThan(0);
    const list = await recommend({ userId: real.exampleUserId, first: 100 });
    expect(ids(list).filter((id) => seen.has(id))).toEqual([]);
  });

  it('pages with `after` continue the same list: ranks go on and no item repeats', async () => {
    const page1 = await recommend({ userId: real.exampleUserId, first: 10 });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await recommend({ userId: real.exampleUserId, first: 10, after: page1.pageInfo.endCursor });
    expect(page2.items.map((r) => r.rank)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    expect(ids(page2).filter((id) => ids(page1).includes(id))).toEqual([]);
  });

  it('an unknown user without a session gets popular or trending items (cold start)', async () => {
    const list = await recommend({ userId: 'nobody-e2e-cold', first: 10 });
    expect(list.items).toHaveLength(10);
    for (const r of list.items)
      expect(r.sources.some((s) => ['POPULAR', 'TRENDING', 'EXPLORATION'].includes(s))).toBe(true);
  });

  it('an unknown user with sessionItemIds gets session-based items', async () => {
    const popular = await recommend({ first: 5 });
    const list = await recommend({ userId: 'nobody-e2e-session', session: [ids(popular)[0]!], first: 10 });
    expect(list.items.some((r) => r.sources.includes('SESSION'))).toBe(true);
  });

  it('does not recommend the session items themselves (the user just interacted with them)', async () => {
    const session = ids(await recommend({ first: 3 }));
    const list = await recommend({ userId: 'nobody-e2e-session-2', session, first: 20 });
    expect(ids(list).filter((id) => session.includes(id))).toEqual([]);
  });

  it('honours the ItemFilter: categoriesAny, categoriesNone and excludeItemIds', async () => {
    const any = await recommend({
      userId: real.exampleUserId,
      first: 10,
      filter: { categoriesAny: ['Comedy'] },
    });
    for (const r of any.items) expect(r.item.categories).toContain('Comedy');
    const none = await recommend({
      userId: real.exampleUserId,
      first: 10,
      filter: { categoriesNone: ['Drama'] },
    });
    for (const r of none.items) expect(r.item.categories).not.toContain('Drama');
    const first = await recommend({ userId: real.exampleUserId, first: 3 });
    const excluded = await recommend({
      userId: real.exampleUserId,
      first: 10,
      filter: { excludeItemIds: ids(first) },
    });
    expect(ids(excluded).filter((id) => ids(first).includes(id))).toEqual([]);
  });

  it("runs GraphiQL's example query as printed", async () => {
    const { body } = await gql(exampleQuery(real.exampleUserId));
    expect(body.errors).toBeUndefined();
    expect((body.data!['recommendations'] as List).items).toHaveLength(5);
  });
});

describe('End to end: similar items', () => {
  it("runs the README's similarItems example (its GraphQL block and its curl body) on the bundled data", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((q) => q.includes('similarItems('));
    const curl = /-d '(\{"query": "\{ similarItems[^']*)'/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(curl).toBeDefined();
    for (const query of [example!, (JSON.parse(curl!) as { query: string }).query]) {
      const { body } = await gql(query);
      expect(body.errors).toBeUndefined();
      const list = body.data!['similarItems'] as { items: { item: { id: string; title: string } }[] };
      expect(list.items).toHaveLength(5);
      expect(list.items.map((r) => r.item.id)).not.toContain('1300854');
      expect(list.items.every((r) => r.item.title !== '')).toBe(true);
    }
  });

  it("runs the README's feedback batch, user and next-page examples on the bundled data", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = (name: string): string => {
      const found = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
        .map((m) => m[1]!)
        .find((q) => q.includes(name));
      expect(found, name).toBeDefined();
      return found!;
    };
    const batch = await gql(block('mutation Batch'));
    expect(batch.body.errors).toBeUndefined();
    const results = batch.body.data!['recordFeedbackBatch'] as { accepted: boolean }[];
    expect(results.map((r) => r.accepted)).toEqual([true, true]);

    const who = await gql(block('query WhoIs'));
    expect(who.body.errors).toBeUndefined();
    const user = who.body.data!['user'] as { recentItems: { id: string }[]; topCategories: unknown[] };
    expect(user.recentItems.map((i) => i.id)).toContain('1300854');
    expect(user.topCategories.length).toBeGreaterThan(0);

    const first = await gql(
      '{ recommendations(userId: "2850", first: 5) { items { item { id } } pageInfo { endCursor } } }',
    );
    const page1 = first.body.data!['recommendations'] as {
      items: { item: { id: string } }[];
      pageInfo: { endCursor: string };
    };
    const next = block('query NextPage').replace(
      '<pageInfo.endCursor of the first page>',
      page1.pageInfo.endCursor,
    );
    const second = await gql(next);
    expect(second.body.errors).toBeUndefined();
    const page2 = second.body.data!['recommendations'] as { items: { rank: number; item: { id: string } }[] };
    expect(page2.items.map((r) => r.rank)).toEqual([6, 7, 8, 9, 10]);
    const shown = new Set(page1.items.map((r) => r.item.id));
    expect(page2.items.some((r) => shown.has(r.item.id))).toBe(false);
  });

  it('an unknown similarItems seed is NOT_FOUND', async () => {
    const { body, text } = await gql('{ similarItems(itemId: "no-such-item") { requestId } }');
    expect(body.errors![0]!.extensions!['code']).toBe('NOT_FOUND');
    expect(hasStackTrace(text)).toBe(false);
  });

  it('similarItems and Item.similar never return the seed', async () => {
    const seed = ids(await recommend({ first: 1 }))[0]!;
    const { body } = await gql(
      `query ($id: ID!) { similarItems(itemId: $id, first: 10) { items { item { id } } } item(id: $id) { similar(first: 5) { item { id } } } }`,
      { id: seed },
    );
    expect(body.errors).toBeUndefined();
    const similar = (body.data!['similarItems'] as { items: { item: { id: string } }[] }).items.map(
      (r) => r.item.id,
    );
    expect(similar.length).toBeGreaterThan(0);
    expect(similar).not.toContain(seed);
    const nested = (body.data!['item'] as { similar: { item: { id: string } }[] }).similar.map(
      (r) => r.item.id,
    );
    expect(nested).not.toContain(seed);
  });
});

describe('End to end: feedback changes the very next list', () => {
  const feedback = async (userId: string, itemId: string, type: string): Promise<void> => {
    const { body } = await gql(
      'mutation ($u: ID!, $i: ID!, $t: FeedbackType!) { recordFeedback(input: { userId: $u, itemId: $i, type: $t }) { accepted eventId error { message } } }',
      { u: userId, i: itemId, t: type },
    );
    expect(body.data!['recordFeedback']).toMatchObject({ accepted: true, error: null });
  };

  it('a DISMISSed item never comes back, a PURCHASEd one is removed', async () => {
    const user = real.exampleUserId;
    const before = ids(await recommend({ userId: user, first: 20 }));
    await feedback(user, before[0]!, 'DISMISS');
    await feedback(user, before[1]!, 'PURCHASE');
    const after = ids(await recommend({ userId: user, first: 100 }));
    expect(after).not.toContain(before[0]);
    expect(after).not.toContain(before[1]);
  });

  it("a new user's first LIKEs move them off the popular list", async () => {
    const popular = ids(await recommend({ userId: 'e2e-new-liker', first: 20 }));
    const liked = ids(await recommend({ first: 60 })).slice(40, 43);
    for (const itemId of liked) await feedback('e2e-new-liker', itemId, 'LIKE');
    const personal = ids(await recommend({ userId: 'e2e-new-liker', first: 20 }));
    expect(personal).not.toEqual(popular);
  });

  it('rejects a RATING outside 0..10 and a timestamp far in the future as data, with stable codes and field paths', async () => {
    const { body } = await gql(`mutation { recordFeedbackBatch(inputs: [
      { userId: "e2e-u", itemId: "0110912", type: RATING, value: 11 },
      { userId: "e2e-u", itemId: "0110912", type: CLICK, timestamp: "2099-01-01T00:00:00Z" },
      { userId: "e2e-u", itemId: "unknown-item-e2e", type: CLICK } ]) { accepted error { code field } } }`);
    const results = body.data!['recordFeedbackBatch'] as {
      accepted: boolean;
      error: { code: string; field: string } | null;
    }[];
    expect(results[0]).toMatchObject({ accepted: false, error: { field: 'inputs[0].value' } });
    expect(results[1]).toMatchObject({ accepted: false, error: { field: 'inputs[1].timestamp' } });
    expect(results[2]).toEqual({ accepted: true, error: null }); // unknown items are accepted and logged
  });

  it('accepts impressions of a served list', async () => {
    const list = await recommend({ userId: real.exampleUserId, first: 5 });
    const { body } = await gql(
      'mutation ($r: ID!, $u: ID, $i: [ID!]!) { recordImpressions(input: { requestId: $r, userId: $u, itemIds: $i }) { accepted error { message } } }',
      { r: list.requestId, u: real.exampleUserId, i: ids(list) },
    );
    expect(body.data).toEqual({ recordImpressions: { accepted: true, error: null } });
  });
});

describe('End to end: admin, experiments, model', () => {
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  it('admin mutations are FORBIDDEN without the token and work with it: a new item is served at once', async () => {
    const upsert = 'mutation ($i: [ItemInput!]!) { upsertItems(items: $i) { upserted errors { message } } }';
    const item = {
      id: 'e2e-new-item',
      title: 'Brand New (2026)',
      categories: ['Drama'],
      attributes: { year: 2026 },
    };
    const denied = await gql(upsert, { i: [item] });
    expect(denied.body.errors![0]!.extensions!['code']).toBe('FORBIDDEN');
    const done = await gql(upsert, { i: [item] }, admin);
    expect(done.body.data).toEqual({ upsertItems: { upserted: 1, errors: [] } });
    const { body } = await gql('{ item(id: "e2e-new-item") { id title categories attributes createdAt } }');
    expect(body.data!['item']).toMatchObject({
      id: 'e2e-new-item',
      title: 'Brand New (2026)',
      attributes: { year: 2026 },
    });
  });

  it('upsertItems names each rejected item by its index in the request, whichever check refused it', async () => {
    const upsert =
      'mutation ($i: [ItemInput!]!) { upsertItems(items: $i) { upserted errors { code field } } }';
    const tooMany = Array.from({ length: 101 }, (_, k) => `c${k}`);
    const { body } = await gql(
      upsert,
      { i: [{ id: '' }, { id: 'idx-1', categories: tooMany }, { id: 'idx-2' }] },
      admin,
    );
    const result = body.data!['upsertItems'] as { upserted: number; errors: { field: string }[] };
    expect(result.upserted).toBe(1);
    expect(result.errors.map((e) => e.field)).toEqual(['items[0].id', 'items[1].categories']);
    // In request order whichever check refused them (the engine's check, then the resolver's).
    const reversed = await gql(
      upsert,
      { i: [{ id: 'idx-0', categories: tooMany }, { id: 'idx-1' }, { id: '' }, { id: ' x' }] },
      admin,
    );
    const second = reversed.body.data!['upsertItems'] as { errors: { field: string }[] };
    expect(second.errors.map((e) => e.field)).toEqual(['items[0].categories', 'items[2].id', 'items[3].id']);
  });

  it('a promotion with a fixed position places its item there, marked with the promotion', async () => {
    const target = ids(await recommend({ userId: real.exampleUserId, first: 30 }))[25]!;
    const { body } = await gql(
      'mutation ($i: ID!) { upsertPromotion(input: { id: "e2e-promo", itemIds: [$i], positions: [1], surfaces: ["home"] }) { id itemIds positions startsAt } }',
      { i: target },
      admin,
    );
    expect(body.data).toEqual({
      upsertPromotion: { id: 'e2e-promo', itemIds: [target], positions: [1], startsAt: null },
    });
    const list = await recommend({ userId: real.exampleUserId, first: 5 });
    expect(list.items[0]).toMatchObject({ item: { id: target }, promotion: { id: 'e2e-promo' } });
    const removed = await gql('mutation { deletePromotion(id: "e2e-promo") }', undefined, admin);
    expect(removed.body.data).toEqual({ deletePromotion: true });
  });

  it('experiment assignments are deterministic and modelInfo names the served version', async () => {
    const query = `query ($u: ID!) { experimentAssignments(userId: $u) { experiment variant bucket params }
      experiments { id } modelInfo { rankerVersion retrievalVersion trainedAt itemCount } }`;
    const a = await gql(query, { u: real.exampleUserId });
    const b = await gql(query, { u: real.exampleUserId });
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data).toEqual(b.body.data);
    const info = a.body.data!['modelInfo'] as { rankerVersion: string; trainedAt: string; itemCount: number };
    expect(info.rankerVersion).toMatch(/^v\d{8}-\d{6}/);
    expect(info.trainedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(info.itemCount).toBeGreaterThan(1000);
  });

  it('validation errors name the argument; no response carries a stack trace', async () => {
    const { body, text } = await gql('{ recommendations(first: 101) { requestId } }');
    expect(body.errors![0]).toMatchObject({
      message: 'Argument `first` must be an integer from 1 to 100; received 101.',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    expect(hasStackTrace(text)).toBe(false);
  });
});
