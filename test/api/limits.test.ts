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
// (depth 8, aliases 15, directives 50, tokens 5000, list items 2000; docs/api.md "Limits").
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
      `{ ${times(16, (i) => `m${i}: modelInfo { rankerVersion }`)} }`,
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

  it('refuses a 3.8 MB literal list of 100,000 feedback events by the token limit while parsing', async () => {
    const events = times(100_000, (i) => `{ userId: "u1", itemId: "i${i % 30}", type: LIKE }`);
    const query = `mutation { recordFeedbackBatch(inputs: [${events}]) { accepted } }`;
    expect(query.length).toBeGreaterThan(3_800_000);
    const result = await postGraphQL(fake.server.url, query);
    expectRefused(result, 'GRAPHQL_PARSE_FAILED', /\b5000 tokens\b/);
    expect(result.body.errors).toHaveLength(1);
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

  it('passes a document at exactly the limits: depth 8 and 15 aliases', async () => {
    await passes(`{ item(id: "i01") { ${nestedSimilar(3, 2)} } }`); // 8 fields deep, 2 + 4 + 8 list items
    await passes(`{ ${times(15, (i) => `m${i}: modelInfo { rankerVersion }`)} }`);
  });
});

describe('Limits: configuration', () => {
  it('documents its defaults', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({
      maxDepth: 8,
      maxAliases: 15,
      maxDirectives: 50,
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
        RECGATE_MAX_TOKENS: '20000',
        RECGATE_MAX_LIST_ITEMS: '5000',
      },
    );
    expect(limits).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxDirectives: 50,
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

  it('refuses a limit that is not a positive integer in createServer options', () => {
    expect(() => resolveQueryLimits({ maxTokens: 0 })).toThrow(
      'maxTokens: expected a positive integer, received 0',
    );
  });
});
