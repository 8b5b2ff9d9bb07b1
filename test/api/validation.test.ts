import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../support/testServer.js';
import { startFakeServer } from '../support/testServer.js';
import type { GraphQLResponseBody } from '../support/graphqlHttp.js';

// API-shape tests on the fake engine (test/support/fakeGateway.ts): argument validation only.
let fake: FakeServer;
beforeAll(async () => (fake = await startFakeServer({ adminToken: 'secret' })));
afterAll(() => fake.server.close());

const ADMIN = { authorization: 'Bearer secret' };

/** The single error of a response, asserting there is exactly one. */
function onlyError(body: GraphQLResponseBody): { message: string; code: unknown; field: unknown } {
  expect(body.errors).toHaveLength(1);
  const error = body.errors![0]!;
  return { message: error.message, code: error.extensions?.['code'], field: error.extensions?.['field'] };
}

const long = 'x'.repeat(257);
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `i${i}`);

describe('Validation: BAD_USER_INPUT naming the argument, what was expected and what was received', () => {
  it.each([
    ['0', 0],
    ['101', 101],
    ['-1', -1],
  ])('refuses recommendations(first: %s)', async (_label, first) => {
    const body = await fake.execute({
      query: 'query ($f: Int) { recommendations(first: $f) { requestId } }',
      variables: { f: first },
    });
    const error = onlyError(body);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.field).toBe('first');
    expect(error.message).toBe(`Argument \`first\` must be an integer from 1 to 100; received ${first}.`);
  });

  it('refuses an explicit first: null', async () => {
    const error = onlyError(await fake.execute({ query: '{ recommendations(first: null) { requestId } }' }));
    expect(error.message).toBe('Argument `first` must be an integer from 1 to 100; received null.');
  });

  it('accepts first at both ends of 1..100 and applies the default of 20', async () => {
    for (const first of [1, 100]) {
      const body = await fake.execute({ query: `{ recommendations(first: ${first}) { items { rank } } }` });
      expect(body.errors).toBeUndefined();
    }
    const body = await fake.execute({ query: '{ recommendations { items { rank } } }' });
    expect((body.data!['recommendations'] as { items: unknown[] }).items).toHaveLength(20);
  });

  it.each([
    ['similarItems', '{ similarItems(itemId: "i01", first: 0) { requestId } }', 'first'],
    ['Item.similar', '{ item(id: "i01") { similar(first: 101) { rank } } }', 'first'],
    ['User.recentItems', '{ user(id: "u1") { recentItems(first: 0) { id } } }', 'first'],
    ['User.topCategories', '{ user(id: "u1") { topCategories(first: 1000) { category } } }', 'first'],
  ])('refuses first outside 1..100 on %s', async (_field, query, argument) => {
    const error = onlyError(await fake.execute({ query }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: argument });
    expect(error.message).toMatch(/^Argument `first` must be an integer from 1 to 100; received \d+\.$/);
  });

  it.each([
    ['recommendations(userId)', 'query ($v: ID) { recommendations(userId: $v) { requestId } }', 'userId'],
    ['similarItems(itemId)', 'query ($v: ID!) { similarItems(itemId: $v) { requestId } }', 'itemId'],
    [
      'similarItems(userId)',
      'query ($v: ID) { similarItems(itemId: "i01", userId: $v) { requestId } }',
      'userId',
    ],
    ['item(id)', 'query ($v: ID!) { item(id: $v) { id } }', 'id'],
    ['user(id)', 'query ($v: ID!) { user(id: $v) { id } }', 'id'],
    [
      'experimentAssignments(userId)',
      'query ($v: ID!) { experimentAssignments(userId: $v) { variant } }',
      'userId',
    ],
  ])('refuses an empty or over-long id in %s', async (_label, query, argument) => {
    for (const [value, received] of [
      ['', 'an empty string'],
      ['   ', 'a blank string of 3 characters'],
      [long, 'a string of 257 characters'],
    ] as const) {
      const error = onlyError(await fake.execute({ query, variables: { v: value } }));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: argument });
      expect(error.message).toBe(
        `Argument \`${argument}\` must be a non-empty ID of at most 256 characters; received ${received}.`,
      );
    }
  });

  it.each([
    ['item(id)', 'query ($v: ID!) { item(id: $v) { id } }', 'id'],
    ['user(id)', 'query ($v: ID!) { user(id: $v) { id } }', 'id'],
    ['recommendations(userId)', 'query ($v: ID) { recommendations(userId: $v) { requestId } }', 'userId'],
  ])(
    'refuses an id with a lone UTF-16 surrogate in %s (a UTF-8 store would share it with U+FFFD)',
    async (_label, query, argument) => {
      for (const value of ['zz\uD800', '\uDC00', 'a\uD83D']) {
        const error = onlyError(await fake.execute({ query, variables: { v: value } }));
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: argument });
        expect(error.message).toMatch(
          new RegExp(
            `^Argument \`${argument}\` must be well-formed Unicode \\(no lone UTF-16 surrogate\\); received `,
          ),
        );
      }
      // A well-formed pair (one code point) is fine.
      expect((await fake.execute({ query, variables: { v: 'zz\uD83D\uDE00' } })).errors).toBeUndefined();
    },
  );

  it('accepts an id of exactly 256 characters', async () => {
    const body = await fake.execute({
      query: 'query ($v: ID!) { item(id: $v) { id } }',
      variables: { v: 'y'.repeat(256) },
    });
    expect(body).toEqual({ data: { item: null } });
  });

  it('names the index of a bad id inside a list argument', async () => {
    const body = await fake.execute({
      query: 'query ($s: [ID!]) { recommendations(sessionItemIds: $s) { requestId } }',
      variables: { s: ['i01', ''] },
    });
    expect(onlyError(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sessionItemIds[1]' });
  });

  it.each([
    ['sessionItemIds', 'query ($v: [ID!]) { recommendations(sessionItemIds: $v) { requestId } }'],
    ['ids', 'query ($v: [ID!]!) { items(ids: $v) { id } }'],
    [
      'filter.excludeItemIds',
      'query ($v: [ID!]) { recommendations(filter: { excludeItemIds: $v }) { requestId } }',
    ],
  ])('refuses more than 1000 ids in %s', async (argument, query) => {
    const error = onlyError(await fake.execute({ query, variables: { v: ids(1001) } }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: argument });
    expect(error.message).toBe(
      `Argument \`${argument}\` must hold at most 1000 IDs; received a list of 1001.`,
    );
  });

  it('refuses an empty `after` cursor and passes others to the engine untouched (opaque)', async () => {
    expect(
      onlyError(await fake.execute({ query: '{ recommendations(after: "") { requestId } }' })),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    const body = await fake.execute({
      query: '{ recommendations(first: 2, after: "fake:2") { items { rank } } }',
    });
    expect(body.data).toEqual({ recommendations: { items: [{ rank: 3 }, { rank: 4 }] } });
  });

  it('refuses a DateTime that is not RFC 3339, naming the argument', async () => {
    for (const value of ['yesterday', '2026-02-30T10:00:00Z', '2026-11-29 10:00:00', '2026-11-29T10:00:00']) {
      const body = await fake.execute({
        query: 'query ($t: DateTime) { recommendations(context: { timestamp: $t }) { requestId } }',
        variables: { t: value },
      });
      const error = onlyError(body);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'context.timestamp' });
      expect(error.message).toContain(
        'must be an RFC 3339 date-time such as "2026-11-29T10:00:00Z"; received',
      );
    }
  });

  it('parses RFC 3339 times with offsets and fractions to Unix ms for the engine', async () => {
    await fake.execute({
      query: '{ recommendations(context: { timestamp: "2026-11-29T11:00:00.250+01:00" }) { requestId } }',
    });
    const call = fake.gateway.calls.filter((c) => c.method === 'recommendations').at(-1)!;
    expect(call.arg).toMatchObject({ context: { timestamp: Date.UTC(2026, 10, 29, 10, 0, 0, 250) } });
  });

  it('refuses a blank surface and a blank category', async () => {
    expect(
      onlyError(await fake.execute({ query: '{ recommendations(surface: "") { requestId } }' })),
    ).toMatchObject({
      field: 'surface',
    });
    const body = await fake.execute({
      query: '{ recommendations(filter: { categoriesAny: ["Drama", ""] }) { requestId } }',
    });
    expect(onlyError(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.categoriesAny[1]' });
  });
});

describe('Validation: mutations', () => {
  const feedback = (n: number): object[] =>
    Array.from({ length: n }, (_, i) => ({ userId: 'u1', itemId: `i${i}`, type: 'CLICK' }));

  it('refuses a recordFeedbackBatch of more than 1000 events and accepts exactly 1000', async () => {
    const query = 'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted } }';
    const error = onlyError(await fake.execute({ query, variables: { e: feedback(1001) } }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
    expect(error.message).toBe('Argument `inputs` must hold at most 1000 events; received a list of 1001.');
    const ok = await fake.execute({ query, variables: { e: feedback(1000) } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!['recordFeedbackBatch']).toHaveLength(1000);
  });

  it('rejects a malformed event as data, naming its field, and still records the others in order', async () => {
    const body = await fake.execute({
      query:
        'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted eventId error { code message field } } }',
      variables: {
        e: [
          { userId: 'u1', itemId: 'i01', type: 'LIKE' },
          { userId: 'u1', itemId: '', type: 'LIKE' },
          { userId: 'u1', itemId: 'i02', type: 'VIEW', timestamp: 'soon' },
          { userId: 'u1', itemId: 'i03', type: 'RATING', value: 11 },
        ],
      },
    });
    expect(body.errors).toBeUndefined();
    const results = body.data!['recordFeedbackBatch'] as {
      accepted: boolean;
      error: { field: string } | null;
    }[];
    expect(results.map((r) => r.accepted)).toEqual([true, false, false, false]);
    expect(results[1]!.error).toMatchObject({ field: 'inputs[1].itemId', code: 'INVALID_ID' });
    expect(results[2]!.error).toMatchObject({ field: 'inputs[2].timestamp', code: 'INVALID_TIMESTAMP' });
    expect(results[3]!.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[3].value' }); // the engine's rule
  });

  it('hands the types of events refused before the engine to it, to be counted as not accepted (newcomer report)', async () => {
    const before = fake.gateway.calls.length;
    const body = await fake.execute({
      query: 'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted } }',
      variables: {
        e: [
          { userId: '', itemId: 'i01', type: 'CLICK' },
          { userId: 'u1', itemId: 'i02', type: 'VIEW', timestamp: 'soon' },
        ],
      },
    });
    expect(body.data!['recordFeedbackBatch']).toEqual([{ accepted: false }, { accepted: false }]);
    const feedbackCalls = fake.gateway.calls
      .slice(before)
      .filter((c) => c.method.startsWith('recordFeedback'));
    expect(feedbackCalls).toEqual([{ method: 'recordFeedback refused', arg: ['CLICK', 'VIEW'] }]);
  });

  it('rejects a malformed single recordFeedback as data with the documented INVALID_ID (attack report #7)', async () => {
    const body = await fake.execute({
      query:
        'mutation { recordFeedback(input: { userId: "", itemId: "i01", type: CLICK }) { accepted error { code field message } } }',
    });
    expect(body.data).toEqual({
      recordFeedback: {
        accepted: false,
        error: {
          code: 'INVALID_ID',
          field: 'input.userId',
          message:
            'input.userId must be a non-empty string of at most 256 characters without leading or trailing whitespace; got an empty string',
        },
      },
    });
  });

  it('answers empty, blank and too-long feedback ids with INVALID_ID as data, counting code points (attack report #7)', async () => {
    const query =
      'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted error { code field } } }';
    const body = await fake.execute({
      query,
      variables: {
        e: [
          { userId: '   ', itemId: 'i01', type: 'LIKE' },
          { userId: 'u1', itemId: 'x'.repeat(257), type: 'LIKE' },
          { userId: 'u1', itemId: 'i01', type: 'LIKE', requestId: '' },
          { userId: 'u1', itemId: '😀'.repeat(256), type: 'LIKE' }, // 256 code points, 512 UTF-16 units
        ],
      },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!['recordFeedbackBatch']).toEqual([
      { accepted: false, error: { code: 'INVALID_ID', field: 'inputs[0].userId' } },
      { accepted: false, error: { code: 'INVALID_ID', field: 'inputs[1].itemId' } },
      { accepted: false, error: { code: 'INVALID_ID', field: 'inputs[2].requestId' } },
      { accepted: true, error: null },
    ]);
  });

  it('answers recordImpressions with more than 1000 item ids with the documented BATCH_TOO_LARGE as data (attack report #7)', async () => {
    const body = await fake.execute({
      query:
        'mutation ($i: [ID!]!) { recordImpressions(input: { requestId: "r1", itemIds: $i }) { accepted error { code field } } }',
      variables: { i: ids(1001) },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      recordImpressions: { accepted: false, error: { code: 'BATCH_TOO_LARGE', field: 'input.itemIds' } },
    });
  });

  it('refuses upsertItems with more than 1000 items, and reports bad items as data', async () => {
    const query =
      'mutation ($i: [ItemInput!]!) { upsertItems(items: $i) { upserted errors { code field } } }';
    const tooMany = await fake.execute({ query, variables: { i: ids(1001).map((id) => ({ id })) } }, ADMIN);
    expect(onlyError(tooMany)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    const mixed = await fake.execute(
      {
        query,
        variables: {
          i: [{ id: 'n1' }, { id: '' }, { id: 'n2', attributes: [1, 2] }, { id: 'n3', createdAt: 'x' }],
        },
      },
      ADMIN,
    );
    expect(mixed.data).toEqual({
      upsertItems: {
        upserted: 1,
        errors: [
          { code: 'BAD_USER_INPUT', field: 'items[1].id' },
          { code: 'BAD_USER_INPUT', field: 'items[2].attributes' },
          { code: 'BAD_USER_INPUT', field: 'items[3].createdAt' },
        ],
      },
    });
  });

  it('reports attributes deeper than 10 levels or larger than 64 KiB as a per-item error naming items[i].attributes (attack report #6)', async () => {
    const query =
      'mutation ($i: [ItemInput!]!) { upsertItems(items: $i) { upserted errors { code field message } } }';
    const nested = (depth: number): Record<string, unknown> => {
      let v: Record<string, unknown> = { leaf: 1 };
      for (let k = 1; k < depth; k++) v = { a: v };
      return v;
    };
    const { data } = await fake.execute(
      {
        query,
        variables: {
          i: [
            { id: 'ok10', attributes: nested(10) },
            { id: 'deep11', attributes: nested(11) },
            { id: 'deep5000', attributes: nested(5000) },
            { id: 'big', attributes: { blob: 'x'.repeat(64 * 1024) } },
          ],
        },
      },
      ADMIN,
    );
    const result = data!['upsertItems'] as { upserted: number; errors: { field: string; message: string }[] };
    expect(result.upserted).toBe(1);
    expect(result.errors.map((e) => e.field)).toEqual([
      'items[1].attributes',
      'items[2].attributes',
      'items[3].attributes',
    ]);
    expect(result.errors[0]!.message).toMatch(/10 levels/);
    expect(result.errors[2]!.message).toMatch(/64 KiB/);
  });

  it('reports a lone UTF-16 surrogate in an item title or category as a per-item error (the Redis store would keep U+FFFD)', async () => {
    const query =
      'mutation ($i: [ItemInput!]!) { upsertItems(items: $i) { upserted errors { code field message } } }';
    const { data } = await fake.execute(
      {
        query,
        variables: {
          i: [
            { id: 'pair', title: 'ok \uD83D\uDE00', categories: ['ok \uD83C\uDFAC'] },
            { id: 'cat', categories: ['\uDC00', 'ok'] },
            { id: 'title', title: 'half \uD800' },
          ],
        },
      },
      ADMIN,
    );
    const result = data!['upsertItems'] as { upserted: number; errors: { field: string; message: string }[] };
    expect(result.upserted).toBe(1);
    expect(result.errors.map((e) => e.field)).toEqual(['items[1].categories[0]', 'items[2].title']);
    for (const e of result.errors)
      expect(e.message).toMatch(/must be well-formed Unicode \(no lone UTF-16 surrogate\)/);
    const filter = await fake.execute({
      query:
        'query ($c: [String!]) { similarItems(itemId: "i01", filter: { categoriesAny: $c }) { requestId } }',
      variables: { c: ['\uDC00'] },
    });
    expect(onlyError(filter)).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses a promotion with more than 100 items or surfaces, or an item twice with positions (attack report #6)', async () => {
    const query = 'mutation ($p: PromotionInput!) { upsertPromotion(input: $p) { id } }';
    const cases: [object, string][] = [
      [{ id: 'p', itemIds: ids(101), boost: 2 }, 'input.itemIds'],
      [{ id: 'p', itemIds: ['i01'], boost: 2, surfaces: ids(101) }, 'input.surfaces'],
      [{ id: 'p', itemIds: ['i01', 'i02', 'i01'], positions: [1, 2, 3] }, 'input.itemIds[2]'],
    ];
    for (const [p, field] of cases) {
      expect(onlyError(await fake.execute({ query, variables: { p } }, ADMIN))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
  });

  it('checks a promotion: exactly one of positions and boost, one position per item, a window that ends after it starts', async () => {
    const query = 'mutation ($p: PromotionInput!) { upsertPromotion(input: $p) { id } }';
    const cases: [object, string][] = [
      [{ id: 'p', itemIds: ['i01'] }, 'input'],
      [{ id: 'p', itemIds: ['i01'], positions: [1], boost: 2 }, 'input'],
      [{ id: 'p', itemIds: ['i01', 'i02'], positions: [1] }, 'input.positions'],
      [{ id: 'p', itemIds: ['i01'], positions: [0] }, 'input.positions[0]'],
      [{ id: 'p', itemIds: ['i01'], boost: 0 }, 'input.boost'],
      [{ id: 'p', itemIds: [], boost: 2 }, 'input.itemIds'],
      [
        {
          id: 'p',
          itemIds: ['i01'],
          boost: 2,
          startsAt: '2026-12-01T00:00:00Z',
          endsAt: '2026-11-01T00:00:00Z',
        },
        'input.endsAt',
      ],
    ];
    for (const [p, field] of cases) {
      expect(onlyError(await fake.execute({ query, variables: { p } }, ADMIN))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
  });
});
