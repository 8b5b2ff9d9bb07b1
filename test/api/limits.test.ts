import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/createServer.js';
import { exampleQuery } from '../../src/server/graphiql/graphiqlPage.js';
import { DEFAULT_QUERY_LIMITS, resolveQueryLimits } from '../../src/server/limits/queryLimits.js';
import { serveConfigFrom } from '../../src/server/serverConfig.js';
import { fakeGateway } from '../support/fakeGateway.js';
import type { GraphQLHttpResult } from '../support/graphqlHttp.js';
import { hasStackTrace, postGraphQL } from '../support/graphqlHttp.js';
import type { FakeServer } from '../support/testServer.js';
import { startFakeServer } from '../support/testServer.js';

// API-shape tests on the fake engine: the document limits of src/server/limits/ with their defaults
// (depth 8, aliases 15, directives 50, root fields 10, tokens 5000, list items 2000; docs/api.md "Limits").
let fake: FakeServer;
beforeAll(async () => (fake = await startFakeServer()));
afterAll(() => fake.server.close());
beforeEach(() => void fake.gateway.calls.splice(0));

/** Engine calls other than the per-request scope (created with the context, before validation). */
const engineWork = (): string[] =>
  fake.gateway.calls.map((call) => call.method).filter((method) => method !== 'createRequestScope');

/** `n` copies of `make(i)` separated by spaces. */
const times = (n: number, make: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => make(i)).join(' ');

/** `item { similar(first: n) { … } }` nested `levels` deep around `leaf`. */
const nestedSimilar = (levels: number, first: number, leaf = 'id'): string =>
  levels === 0 ? leaf : `similar(first: ${first}) { item { ${nestedSimilar(levels - 1, first, leaf)} } }`;

/** Asserts a refused request: HTTP 400, the code, a message matching `message`, no stack, no engine work. */
function expectRefused(result: GraphQLHttpResult, code: string, message: RegExp): void {
  expect(result.status).toBe(400);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors).toContainEqual(
    expect.objectContaining({ message: expect.stringMatching(message), extensions: { code } }),
  );
  expect(hasStackTrace(result.text)).toBe(false);
  expect(engineWork()).toEqual([]);
}

describe('Limits: each refuses its attacking document before anything runs, naming the limit and the value', () => {
  it('refuses item { similar(first: 50) } nested three deep (127,550 list items) by the list items limit', async () => {
    const query = `{ item(id: "i01") { ${nestedSimilar(3, 50)} } }`;
    const result = await postGraphQL(fake.server.url, query);
    expectRefused(result, 'GRAPHQL_VALIDATION_FAILED', /^List items limit of 2000 exceeded, found 127550\b/);
    expect(result.body.errors).toHaveLength(1); // depth 8 is within the depth limit: only the list estimate refuses it
  });

  it('counts list items through fragments and aliases, and a `first` variable as its largest allowed value (100)', async () => {
    const viaFragments = `
      query { a: recommendations(first: 50) { ...Page } b: recommendations(first: 50) { ...Page } }
      fragment Page on RecommendationList { items { item { similar(first: 20) { item { id } } } } }`;
    expectRefused(
      await postGraphQL(fake.server.url, viaFragments),
      'GRAPHQL_VALIDATION_FAILED',
      /^List items limit of 2000 exceeded, found 2100\b/, // 2 × (50 + 50 × 20)
    );
    const viaVariable =
      'query ($n: Int) { recommendations(first: $n) { items { item { similar(first: 20) { item { id } } } } } }';
    expectRefused(
      await postGraphQL(fake.server.url, viaVariable, { n: 2 }),
      'GRAPHQL_VALIDATION_FAILED',
      /^List items limit of 2000 exceeded, found 2100\b/, // 100 + 100 × 20, whatever $n is
    );
  });

  it('counts items(ids) by the length of its list (a variable as 1000)', async () => {
    const query = 'query ($ids: [ID!]!) { items(ids: $ids) { similar(first: 2) { item { id } } } }';
    expectRefused(
      await postGraphQL(fake.server.url, query, { ids: ['i01'] }),
      'GRAPHQL_VALIDATION_FAILED',
      /^List items limit of 2000 exceeded, found 3000\b/,
    );
  });

  it('refuses a document nested deeper than 8 fields by the depth limit', async () => {
    const query = `{ item(id: "i01") { ${nestedSimilar(4, 1)} } }`; // 10 fields deep, 4 list items
    const result = await postGraphQL(fake.server.url, query);
    expectRefused(result, 'GRAPHQL_VALIDATION_FAILED', /^Query depth limit of 8 exceeded, found 10\.$/);
    expect(result.body.errors).toHaveLength(1);
  });

  it('refuses 500 aliases of recommendations by the aliases limit (and the list items limit)', async () => {
    const query = `{ ${times(500, (i) => `r${i}: recommendations { requestId }`)} }`;
    const result = await postGraphQL(fake.server.url, query);
    expectRefused(result, 'GRAPHQL_VALIDATION_FAILED', /^Aliases limit of 15 exceeded, found 500\.$/);
    expectRefused(result, 'GRAPHQL_VALIDATION_FAILED', /^List items limit of 2000 exceeded, found 10000\b/);
  });

  it('refuses 16 aliases of a cheap field by the aliases limit alone', async () => {
    const result = await postGraphQL(
      fake.server.url,
      `{ modelInfo { ${times(16, (i) => `v${i}: rankerVersion`)} } }`,
    );
    expectRefused(result, 'GRAPHQL_VALIDATION_FAILED', /^Aliases limit of 15 exceeded, found 16\.$/);
    expect(result.body.errors).toHaveLength(1);
  });

  it('refuses more than 50 directives by the directives limit', async () => {
    // Aliases of __typename are free, so only the directives count here.
    const query = `{ ${times(51, (i) => `t${i}: __typename @include(if: true)`)} }`;
    const result = await postGraphQL(fake.server.url, query);
    expectRefused(result, 'GRAPHQL_VALIDATION_FAILED', /^Directives limit of 50 exceeded, found 51\.$/);
    expect(result.body.errors).toHaveLength(1);
  });

  it('refuses 11 root fields by the root fields limit, counting through fragments (issue #5 §4)', async () => {
    const plain = await postGraphQL(
      fake.server.url,
      `{ ${times(11, () => `user(id: "u1") { id }`)} }`, // no aliases: repeats merge, yet every one counts
    );
    expectRefused(plain, 'GRAPHQL_VALIDATION_FAILED', /^Root fields limit of 10 exceeded, found 11\.$/);
    expect(plain.body.errors).toHaveLength(1);
    // 2 × A (modelInfo, experiments, __typename free, B: modelInfo, user) + 3 in the inline fragment = 11.
    const viaFragments = `{ ...A ...A ... on Query { experiments { id } modelInfo { itemCount } experiments { id } } }
      fragment A on Query { modelInfo { itemCount } experiments { id } __typename ...B }
      fragment B on Query { modelInfo { itemCount } user(id: "u1") { id } }`;
    expectRefused(
      await postGraphQL(fake.server.url, viaFragments),
      'GRAPHQL_VALIDATION_FAILED',
      /^Root fields limit of 10 exceeded, found 11\.$/,
    );
  });

  it('refuses a 3.8 MB literal list of 100,000 feedback events by the token limit while parsing, when the body limit allows it', async () => {
    const server = await createServer({ gateway: fakeGateway(), bodyLimit: 8 * 1024 * 1024 });
    try {
      const events = times(100_000, (i) => `{ userId: "u1", itemId: "i${i % 30}", type: LIKE }`);
      const query = `mutation { recordFeedbackBatch(inputs: [${events}]) { accepted } }`;
      expect(query.length).toBeGreaterThan(3_800_000);
      const result = await postGraphQL(server.url, query);
      expect(result.status).toBe(400);
      expect(result.body.errors).toHaveLength(1);
      expect(result.body.errors![0]).toMatchObject({
        message: 'Syntax Error: Document contains more that 5000 tokens. Parsing aborted.',
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      });
    } finally {
      await server.close();
    }
  });

  it('refuses the same 3.8 MB document by the default body limit (1 MiB) before reading it: 413 PAYLOAD_TOO_LARGE', async () => {
    const events = times(100_000, (i) => `{ userId: "u1", itemId: "i${i % 30}", type: LIKE }`);
    const result = await postGraphQL(
      fake.server.url,
      `mutation { recordFeedbackBatch(inputs: [${events}]) { accepted } }`,
    );
    expect(result.status).toBe(413);
    expect(result.body.errors).toEqual([
      {
        message: expect.stringMatching(
          /^The request body must be at most 1048576 bytes; received \d+ bytes\./,
        ),
        extensions: { code: 'PAYLOAD_TOO_LARGE' },
      },
    ]);
    expect(engineWork()).toEqual([]);
  });

  it('takes a 1000-event recordFeedbackBatch as a variable; as a literal (about 11 tokens an event) it is over the token limit', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      userId: 'u1',
      itemId: `i${i % 30}`,
      type: 'LIKE',
    }));
    const asVariable = await postGraphQL(
      fake.server.url,
      'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted } }',
      { e: events },
    );
    expect(asVariable.body.errors).toBeUndefined();
    expect(asVariable.body.data!['recordFeedbackBatch']).toHaveLength(1000);

    fake.gateway.calls.splice(0);
    const literal = (n: number): string =>
      `mutation { recordFeedbackBatch(inputs: [${times(n, (i) => `{ userId: "u1", itemId: "i${i % 30}", type: LIKE }`)}]) { accepted } }`;
    expectRefused(
      await postGraphQL(fake.server.url, literal(1000)),
      'GRAPHQL_PARSE_FAILED',
      /\b5000 tokens\b/,
    );
    const small = await postGraphQL(fake.server.url, literal(400));
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data!['recordFeedbackBatch']).toHaveLength(400);
  });

  it('keeps HTTP batching off: a JSON array of operations is a BAD_REQUEST', async () => {
    const response = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ modelInfo { rankerVersion } }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batching/i);
    expect(engineWork()).toEqual([]);
  });
});

describe('Limits: variables graphql-js is slow to refuse are refused before coercion (issue #5 §4)', () => {
  const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `i${i}`);

  it('refuses a list variable of more than 2000 entries with 400 BAD_USER_INPUT, naming the variable', async () => {
    // 20,000 events (860 KB, under the 1 MiB body limit): coercing them would take about 0.25 s.
    const events = Array.from({ length: 20_000 }, () => ({ userId: 'u1', itemId: 'i01', type: 'LIKE' }));
    const result = await postGraphQL(
      fake.server.url,
      'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted } }',
      { e: events },
    );
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      {
        message: 'Variable "$e" must be a list of at most 2000 entries; received a list of 20000.',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(engineWork()).toEqual([]);
  });

  it('leaves a list of up to 2000 entries to the resolver, whose error names the argument', async () => {
    const result = await postGraphQL(fake.server.url, 'query ($i: [ID!]!) { items(ids: $i) { id } }', {
      i: ids(2000),
    });
    expect(result.body.errors![0]).toMatchObject({
      message: 'Argument `ids` must hold at most 1000 IDs; received a list of 2000.',
      extensions: { code: 'BAD_USER_INPUT', field: 'ids' },
    });
  });

  it('checks lists inside input objects, naming the path', async () => {
    const result = await postGraphQL(
      fake.server.url,
      'query ($f: ItemFilter) { recommendations(filter: $f) { requestId } }',
      { f: { excludeItemIds: ids(2001) } },
    );
    expect(result.status).toBe(400);
    expect(result.body.errors![0]!.message).toBe(
      'Variable "$f" at "f.excludeItemIds" must be a list of at most 2000 entries; received a list of 2001.',
    );
    expect(engineWork()).toEqual([]);
  });

  it('refuses an input object with a field its type does not have at the first one (200,000 of them took 19 s)', async () => {
    const context = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 1])); // under 1 MiB
    const result = await postGraphQL(
      fake.server.url,
      'query ($c: RequestContext) { recommendations(context: $c) { requestId } }',
      { c: context },
    );
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      {
        message:
          'Variable "$c" must be a RequestContext; received the field "k0", which RequestContext does not have.',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });

  it('refuses an object or a list given to a scalar or an enum, without printing it', async () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 1]));
    const asString = await postGraphQL(
      fake.server.url,
      'query ($s: String) { recommendations(surface: $s) { requestId } }',
      { s: wide },
    );
    expect(asString.status).toBe(400);
    expect(asString.body.errors![0]!.message).toBe('Variable "$s" must be a String; received an object.');
    const asEnum = await postGraphQL(
      fake.server.url,
      'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted } }',
      {
        e: [
          { userId: 'u1', itemId: 'i01', type: 'LIKE' },
          { userId: 'u1', itemId: 'i01', type: [1, 2, 3] },
        ],
      },
    );
    expect(asEnum.body.errors![0]!.message).toBe(
      'Variable "$e" at "e[1].type" must be a FeedbackType; received a list of 3 entries.',
    );
    const asId = await postGraphQL(fake.server.url, 'query ($v: ID!) { item(id: $v) { id } }', { v: [[1]] });
    expect(asId.body.errors![0]!.message).toBe('Variable "$v" must be an ID; received a list of 1 entry.');
    expect(engineWork()).toEqual([]);
  });

  it('lets JSON take any value (ItemInput.attributes has its own rules) and leaves other mistakes to graphql-js', async () => {
    const server = await createServer({ gateway: fakeGateway(), adminToken: 'secret-token-for-limits' });
    try {
      const attributes = { tags: ids(3000), nested: { a: [1, [2, [3]]] } };
      const ok = await postGraphQL(
        server.url,
        'mutation ($i: [ItemInput!]!) { upsertItems(items: $i) { upserted } }',
        { i: [{ id: 'new-1', attributes }] },
        { authorization: 'Bearer secret-token-for-limits' },
      );
      expect(ok.body).toEqual({ data: { upsertItems: { upserted: 1 } } });
    } finally {
      await server.close();
    }
    const wrongType = await postGraphQL(
      fake.server.url,
      'query ($n: Int) { recommendations(first: $n) { requestId } }',
      { n: 'ten' },
    );
    expect(wrongType.body.errors![0]!.message).toBe(
      'Variable "$n" got invalid value "ten"; Int cannot represent non-integer value: "ten"',
    );
  });
});

describe('Limits: the documents clients actually send still pass', () => {
  /** Runs `query` over HTTP and returns its data, asserting there is no error. */
  async function passes(query: string): Promise<Record<string, unknown>> {
    const { status, body } = await postGraphQL(fake.server.url, query);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data!;
  }

  it("passes the README's example query", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```graphql\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toContain('recommendations');
    const data = await passes(example!);
    expect(data['recommendations']).toMatchObject({ modelVersion: 'fake-v1' });
  });

  it("passes GraphiQL's example query, with and without a user, and GraphiQL's introspection query", async () => {
    await passes(exampleQuery('u1'));
    await passes(exampleQuery());
    const data = await passes(getIntrospectionQuery());
    expect(data['__schema']).toBeDefined();
  });

  it('passes 20 recommendations with each item’s popularity and 10 similar items (220 list items)', async () => {
    const data = await passes(
      '{ recommendations(first: 20) { items { item { popularity similar { item { title } } } } } }',
    );
    const items = (data['recommendations'] as { items: { item: { similar: unknown[] } }[] }).items;
    expect(items).toHaveLength(20);
    expect(items.every(({ item }) => item.similar.length === 10)).toBe(true);
  });

  it('passes a document at exactly the limits: depth 8, 15 aliases and 10 root fields', async () => {
    await passes(`{ item(id: "i01") { ${nestedSimilar(3, 2)} } }`); // 8 fields deep, 2 + 4 + 8 list items
    await passes(`{ modelInfo { ${times(15, (i) => `v${i}: rankerVersion`)} } }`);
    await passes(`{ ${times(10, (i) => `m${i}: modelInfo { rankerVersion }`)} __typename }`);
  });
});

describe('Limits: configuration', () => {
  it('documents its defaults', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({
      maxDepth: 8,
      maxAliases: 15,
      maxDirectives: 50,
      maxRootFields: 10,
      maxTokens: 5000,
      maxListItems: 2000,
    });
  });

  it('takes createServer({ limits }) over the defaults', async () => {
    const server = await createServer({ gateway: fakeGateway(), limits: { maxDepth: 10, maxListItems: 10 } });
    try {
      const deep = await postGraphQL(server.url, `{ item(id: "i01") { ${nestedSimilar(4, 1)} } }`);
      expect(deep.body.errors).toBeUndefined();
      const wide = await postGraphQL(server.url, '{ recommendations(first: 11) { requestId } }');
      expect(wide.body.errors?.[0]?.message).toMatch(/^List items limit of 10 exceeded, found 11\b/);
    } finally {
      await server.close();
    }
  });

  it('reads every limit from its RECGATE_* variable, blank meaning the default', () => {
    const { limits } = serveConfigFrom(
      {},
      {
        RECGATE_MAX_DEPTH: '12',
        RECGATE_MAX_ALIASES: '30',
        RECGATE_MAX_DIRECTIVES: ' ',
        RECGATE_MAX_ROOT_FIELDS: '4',
        RECGATE_MAX_TOKENS: '20000',
        RECGATE_MAX_LIST_ITEMS: '5000',
      },
    );
    expect(limits).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxDirectives: 50,
      maxRootFields: 4,
      maxTokens: 20000,
      maxListItems: 5000,
    });
    expect(serveConfigFrom({}, {}).limits).toEqual(DEFAULT_QUERY_LIMITS);
  });

  it.each(['0', '-1', '2.5', 'ten'])('refuses RECGATE_MAX_DEPTH=%s, naming the variable', (value) => {
    expect(() => serveConfigFrom({}, { RECGATE_MAX_DEPTH: value })).toThrow(
      `RECGATE_MAX_DEPTH: expected a positive integer, received "${value}"`,
    );
  });

  it('reads RECGATE_MAX_BODY_BYTES (default 1 MiB) and RECGATE_DEBUG, and createServer({ bodyLimit }) applies', async () => {
    expect(serveConfigFrom({}, {}).maxBodyBytes).toBe(1_048_576);
    expect(serveConfigFrom({}, { RECGATE_MAX_BODY_BYTES: '2048' }).maxBodyBytes).toBe(2048);
    expect(() => serveConfigFrom({}, { RECGATE_MAX_BODY_BYTES: '1mb' })).toThrow(
      'RECGATE_MAX_BODY_BYTES: expected a positive integer, received "1mb"',
    );
    expect(serveConfigFrom({}, {}).debug).toBe(false);
    expect(serveConfigFrom({}, { RECGATE_DEBUG: '1' }).debug).toBe(true);
    const server = await createServer({ gateway: fakeGateway(), bodyLimit: 2048 });
    try {
      const small = await postGraphQL(server.url, '{ __typename }', { pad: 'x'.repeat(1900) });
      expect(small.status).toBe(200);
      const large = await postGraphQL(server.url, '{ __typename }', { pad: 'x'.repeat(2100) });
      expect(large.status).toBe(413);
      expect(large.body.errors![0]!.message).toMatch(
        /^The request body must be at most 2048 bytes; received 21\d\d bytes\./,
      );
    } finally {
      await server.close();
    }
  });

  it('refuses a limit that is not a positive integer in createServer options', () => {
    expect(() => resolveQueryLimits({ maxTokens: 0 })).toThrow(
      'maxTokens: expected a positive integer, received 0',
    );
  });
});
