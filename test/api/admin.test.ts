import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateAdmin } from '../../src/server/adminAuth.js';
import { postGraphQL } from '../support/graphqlHttp.js';
import type { FakeServer } from '../support/testServer.js';
import { startFakeServer } from '../support/testServer.js';

// API-shape tests on the fake engine: the admin token gate of upsertItems, upsertPromotion, deletePromotion.
const TOKEN = 's3cret-admin-token';
const MUTATIONS: [string, string][] = [
  ['upsertItems', 'mutation { upsertItems(items: [{ id: "new-1", title: "New" }]) { upserted } }'],
  [
    'upsertPromotion',
    'mutation { upsertPromotion(input: { id: "p1", itemIds: ["i05"], positions: [1] }) { id } }',
  ],
  ['deletePromotion', 'mutation { deletePromotion(id: "p1") }'],
];

let withToken: FakeServer;
let withoutToken: FakeServer;
beforeAll(async () => {
  withToken = await startFakeServer({ adminToken: TOKEN });
  withoutToken = await startFakeServer();
});
afterAll(async () => {
  await withToken.server.close();
  await withoutToken.server.close();
});

describe('Admin mutations: Authorization: Bearer <RECGATE_ADMIN_TOKEN>', () => {
  it.each(MUTATIONS)('%s: FORBIDDEN without an Authorization header', async (name, query) => {
    const { body } = await postGraphQL(withToken.server.url, query);
    expect(body.data).toBeNull();
    expect(body.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(body.errors![0]!.message).toBe(
      `\`${name}\` is an admin mutation: it expects an \`Authorization: Bearer <RECGATE_ADMIN_TOKEN>\` header; received no Authorization header.`,
    );
  });

  it.each(MUTATIONS)(
    '%s: FORBIDDEN with a wrong token, a token of another length, or another scheme',
    async (_name, query) => {
      const cases: [string, string][] = [
        [`Bearer ${TOKEN.slice(0, -1)}X`, 'a bearer token that is not the admin token'],
        ['Bearer x', 'a bearer token that is not the admin token'],
        [
          `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
          'an Authorization header of another form',
        ],
        [TOKEN, 'an Authorization header of another form'],
      ];
      for (const [authorization, received] of cases) {
        const { body } = await postGraphQL(withToken.server.url, query, undefined, { authorization });
        expect(body.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN' });
        expect(body.errors![0]!.message).toContain(`received ${received}.`);
      }
      expect(
        withToken.gateway.calls.some((c) =>
          ['upsertItems', 'upsertPromotion', 'deletePromotion'].includes(c.method),
        ),
      ).toBe(false);
    },
  );

  it('lets the admin token through, in order: upsert, promote, delete (twice: true then false)', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const results = [];
    for (const [, query] of MUTATIONS)
      results.push((await postGraphQL(withToken.server.url, query, undefined, auth)).body);
    const again = await postGraphQL(withToken.server.url, MUTATIONS[2]![1], undefined, auth);
    expect(results).toEqual([
      { data: { upsertItems: { upserted: 1 } } },
      { data: { upsertPromotion: { id: 'p1' } } },
      { data: { deletePromotion: true } },
    ]);
    expect(again.body).toEqual({ data: { deletePromotion: false } });
    const lower = await postGraphQL(withToken.server.url, MUTATIONS[2]![1], undefined, {
      authorization: `bearer ${TOKEN}`,
    });
    expect(lower.body.errors).toBeUndefined();
  });

  it.each(MUTATIONS)(
    '%s: with no token configured, FORBIDDEN saying admin mutations are disabled and how to enable them',
    async (_name, query) => {
      const { body } = await postGraphQL(withoutToken.server.url, query, undefined, {
        authorization: 'Bearer anything',
      });
      expect(body.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN' });
      expect(body.errors![0]!.message).toMatch(
        /^Admin mutations are disabled because this server has no admin token\./,
      );
      expect(body.errors![0]!.message).toContain('RECGATE_ADMIN_TOKEN');
    },
  );

  it('leaves non-admin operations open without a token', async () => {
    const { body } = await postGraphQL(
      withToken.server.url,
      'mutation { recordFeedback(input: { userId: "u1", itemId: "i01", type: LIKE }) { accepted } }',
    );
    expect(body).toEqual({ data: { recordFeedback: { accepted: true } } });
  });
});

describe('authenticateAdmin', () => {
  it('classifies headers without throwing on tokens of any length', () => {
    expect(authenticateAdmin(`Bearer ${TOKEN}`, TOKEN)).toBe('granted');
    expect(authenticateAdmin(`Bearer ${TOKEN}${TOKEN}`, TOKEN)).toBe('invalid');
    expect(authenticateAdmin('Bearer ', TOKEN)).toBe('malformed');
    expect(authenticateAdmin(undefined, TOKEN)).toBe('missing');
    expect(authenticateAdmin(`Bearer ${TOKEN}`, undefined)).toBe('disabled');
    expect(authenticateAdmin(`Bearer ${TOKEN}`, '')).toBe('disabled');
  });
});
