import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/components/selectors/pagingCursor.js';
import { postGraphQL } from '../support/graphqlHttp.js';
import type { GraphQLHttpResult } from '../support/graphqlHttp.js';
import type { RealServer } from '../support/realServer.js';
import { startRealServer } from '../support/realServer.js';

/**
 * List ids, cursors and the request clock, over HTTP against the real engine:
 * the defects of the attack report (#2, #3, #4) pinned as specifications.
 */

interface List {
  requestId: string;
  items: { rank: number; score: number; item: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
const LIST = `requestId pageInfo { hasNextPage endCursor } items { rank score item { id } }`;
const RECOMMEND = `query ($userId: ID, $first: Int, $after: String, $filter: ItemFilter, $context: RequestContext) {
  recommendations(userId: $userId, first: $first, after: $after, filter: $filter, context: $context) { ${LIST} } }`;

let real: RealServer;
let gql: (
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
) => Promise<GraphQLHttpResult>;

async function recommend(args: Record<string, unknown>, headers: Record<string, string> = {}): Promise<List> {
  const { body } = await gql(RECOMMEND, args, headers);
  expect(body.errors).toBeUndefined();
  return body.data!['recommendations'] as List;
}
const ids = (list: List): string[] => list.items.map((r) => r.item.id);

beforeAll(async () => {
  real = await startRealServer();
  gql = (query, variables, headers) => postGraphQL(real.server.url, query, variables, headers);
}, 180_000);
afterAll(() => real?.close());

describe('One list id per list (attack report #2)', () => {
  it('gives two aliased recommendations of one operation different requestIds, each paged with its own cursor (attack report #2)', async () => {
    const top = ids(await recommend({ userId: real.exampleUserId, first: 20 }));
    const { body } = await gql(
      `query ($u: ID, $x: [ID!]) {
        a: recommendations(userId: $u, first: 5) { ${LIST} }
        b: recommendations(userId: $u, first: 5, filter: { excludeItemIds: $x }) { ${LIST} } }`,
      { u: real.exampleUserId, x: top },
    );
    expect(body.errors).toBeUndefined();
    const a = body.data!['a'] as List;
    const b = body.data!['b'] as List;
    expect(a.requestId).not.toBe(b.requestId);
    const a2 = await recommend({ userId: real.exampleUserId, first: 5, after: a.pageInfo.endCursor });
    const b2 = await recommend({ userId: real.exampleUserId, first: 5, after: b.pageInfo.endCursor });
    expect(a2.requestId).toBe(a.requestId);
    expect(b2.requestId).toBe(b.requestId);
    for (const id of ids(b2)) expect(top).not.toContain(id); // b's own (filtered) list
    expect(ids(a2)).not.toEqual(ids(b2));
  });

  it('never lets two HTTP requests with the same x-request-id header overwrite each other’s paged lists (attack report #2)', async () => {
    const headers = { 'x-request-id': 'same-request-id' };
    const mine = await recommend({ userId: real.exampleUserId, first: 5 }, headers);
    const other = await recommend({ userId: 'someone-else-attack-2', first: 5 }, headers);
    expect(mine.requestId).not.toBe('same-request-id');
    expect(mine.requestId).not.toBe(other.requestId);
    const page2 = await recommend({ userId: real.exampleUserId, first: 5, after: mine.pageInfo.endCursor });
    expect(page2.items.map((r) => r.rank)).toEqual([6, 7, 8, 9, 10]);
    for (const id of ids(page2)) expect(ids(mine)).not.toContain(id);
  });

  it('gives every similarItems list its own requestId (attack report #2)', async () => {
    const seed = ids(await recommend({ userId: real.exampleUserId, first: 1 }))[0]!;
    const { body } = await gql(
      `query ($s: ID!) { a: similarItems(itemId: $s, first: 3) { requestId } b: similarItems(itemId: $s, first: 4) { requestId } }`,
      { s: seed },
      { 'x-request-id': 'same-request-id' },
    );
    expect(body.errors).toBeUndefined();
    const a = (body.data!['a'] as { requestId: string }).requestId;
    const b = (body.data!['b'] as { requestId: string }).requestId;
    expect(a).not.toBe(b);
    expect([a, b]).not.toContain('same-request-id');
  });
});

describe('Cursor errors leak nothing (attack report #3)', () => {
  it("answers a cursor of another user's list with BAD_USER_INPUT that does not name the owner (attack report #3)", async () => {
    const list = await recommend({ userId: real.exampleUserId, first: 5 });
    const { body } = await gql(RECOMMEND, {
      userId: 'intruder',
      first: 5,
      after: list.pageInfo.endCursor,
    });
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).not.toContain(JSON.stringify(real.exampleUserId));
    expect(body.data ?? null).toBeNull();
  });

  it('never echoes an id longer than 64 characters in a cursor error (attack report #3)', async () => {
    const long = 'x'.repeat(500);
    const expired = await gql(RECOMMEND, { first: 5, after: encodeCursor({ requestId: long, offset: 5 }) });
    expect(expired.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(expired.body.errors?.[0]?.message).toContain(`${'x'.repeat(64)}…`);
    expect(expired.body.errors?.[0]?.message).not.toContain('x'.repeat(65));

    const list = await recommend({ userId: real.exampleUserId, first: 5 });
    const intruder = await gql(RECOMMEND, {
      userId: 'y'.repeat(256),
      first: 5,
      after: list.pageInfo.endCursor,
    });
    expect(intruder.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(intruder.body.errors?.[0]?.message).not.toContain('y'.repeat(65));
  });
});

describe('The client clock is bounded (attack report #4)', () => {
  /** Item id → score over the first 50 items. */
  const scores = async (context: Record<string, unknown> | null): Promise<Map<string, number>> => {
    const list = await recommend({ userId: real.exampleUserId, first: 50, context });
    return new Map(list.items.map((r) => [r.item.id, r.score]));
  };

  it('gives a far-future and a far-past context.timestamp the scores of no timestamp (attack report #4)', async () => {
    const base = await scores(null);
    for (const timestamp of ['3000-01-01T00:00:00Z', '1971-01-01T00:00:00Z']) {
      const skewed = await scores({ timestamp });
      const shared = [...base.keys()].filter((id) => skewed.has(id));
      expect(shared.length).toBeGreaterThan(25);
      for (const id of shared) expect(skewed.get(id)).toBeCloseTo(base.get(id)!, 4);
    }
  });
});
