import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASKED_MESSAGE, TOO_DEEP_MESSAGE } from '../../src/server/errorMasking.js';
import { hasStackTrace, postGraphQL } from '../support/graphqlHttp.js';
import type { FakeServer } from '../support/testServer.js';
import { startFakeServer } from '../support/testServer.js';

// API-shape tests on the fake engine: error codes, masking and the finite-float guard.
let fake: FakeServer;
beforeAll(async () => (fake = await startFakeServer()));
afterAll(() => fake.server.close());

describe('Errors: public codes, masked internals, no stack traces', () => {
  it("passes the engine's NOT_FOUND for an unknown similarItems seed", async () => {
    const { body, text } = await postGraphQL(
      fake.server.url,
      '{ similarItems(itemId: "nope") { requestId } }',
    );
    expect(body.data).toEqual({ similarItems: null });
    expect(body.errors![0]!.extensions).toEqual({ code: 'NOT_FOUND', field: 'itemId' });
    expect(hasStackTrace(text)).toBe(false);
  });

  it('masks a plain Error from the engine as INTERNAL_SERVER_ERROR and logs it with the request id', async () => {
    fake.gateway.failWith('modelInfo', new Error('disk on fire at /var/secret/path'));
    const { body, text, headers } = await postGraphQL(
      fake.server.url,
      '{ modelInfo { rankerVersion } }',
      undefined,
      { 'x-request-id': 'req-mask-1' },
    );
    expect(headers.get('x-request-id')).toBe('req-mask-1');
    expect(body.errors).toEqual([
      {
        message: MASKED_MESSAGE,
        locations: [{ line: 1, column: 3 }],
        path: ['modelInfo'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(text).not.toContain('disk on fire');
    expect(hasStackTrace(text)).toBe(false);
    expect(fake.logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({
          requestId: 'req-mask-1',
          error: 'disk on fire at /var/secret/path',
        }),
      }),
    );
  });

  it('masks an engine failure while creating the request scope (no plugin runs then)', async () => {
    fake.gateway.failWith('createRequestScope', new TypeError('cannot read properties of undefined'));
    try {
      const { status, body, text } = await postGraphQL(fake.server.url, '{ experiments { id } }');
      expect(status).toBe(500);
      expect(body.errors).toEqual([
        { message: MASKED_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
      expect(hasStackTrace(text)).toBe(false);
      expect(text).not.toContain('cannot read');
    } finally {
      fake.gateway.failWith('createRequestScope', undefined as unknown as Error);
    }
  });

  it('logs a masked error no plugin saw (request-scope failure) with the request id (attack report #6)', async () => {
    fake.gateway.failWith('createRequestScope', new TypeError('scope exploded'));
    try {
      await postGraphQL(fake.server.url, '{ experiments { id } }', undefined, {
        'x-request-id': 'req-ctx-1',
      });
      expect(fake.logged).toContainEqual(
        expect.objectContaining({
          level: 'error',
          fields: expect.objectContaining({
            requestId: 'req-ctx-1',
            error: expect.stringContaining('scope exploded'),
          }),
        }),
      );
    } finally {
      fake.gateway.failWith('createRequestScope', undefined as unknown as Error);
    }
  });

  it('answers a deeply nested document with "the document is too deeply nested", not a stack overflow (attack report #5)', async () => {
    const deep = '{ ' + 'a { '.repeat(20_000) + 'b' + ' }'.repeat(20_001);
    const { status, body, text } = await postGraphQL(fake.server.url, deep);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { message: TOO_DEEP_MESSAGE, extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
    ]);
    expect(text).not.toMatch(/call stack/i);
  });

  it('never sends a non-finite score: NaN and Infinity are clamped, logged, and the list survives', async () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      fake.gateway.scoreOverride = value;
      const { body } = await postGraphQL(
        fake.server.url,
        '{ recommendations(first: 3) { items { rank score } } }',
      );
      expect(body.errors).toBeUndefined();
      const scores = (body.data!['recommendations'] as { items: { score: number }[] }).items.map(
        (i) => i.score,
      );
      expect(scores).toHaveLength(3);
      for (const score of scores) expect(Number.isFinite(score)).toBe(true);
    }
    fake.gateway.scoreOverride = null;
    expect(fake.logged.some((l) => l.level === 'warn' && l.fields['field'] === 'Recommendation.score')).toBe(
      true,
    );
  });

  it('shows request-level errors (parse, validation, variables) with their code and no stack', async () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['{ recommendations(', undefined, 'GRAPHQL_PARSE_FAILED'],
      ['{ nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
      ['query ($f: Int) { recommendations(first: $f) { requestId } }', { f: 'ten' }, 'BAD_USER_INPUT'],
      [
        'query ($t: DateTime) { recommendations(context: { timestamp: $t }) { requestId } }',
        { t: 12 },
        'BAD_USER_INPUT',
      ],
    ];
    for (const [query, variables, code] of cases) {
      const { status, body, text } = await postGraphQL(fake.server.url, query, variables);
      expect(status).toBe(400);
      expect(body.errors![0]!.extensions).toEqual({ code });
      expect(hasStackTrace(text)).toBe(false);
    }
  });

  it('answers a body that is not JSON with 400 BAD_REQUEST as JSON, not an HTML stack page', async () => {
    const response = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    expect(hasStackTrace(text)).toBe(false);
  });

  it('answers a body over the limit with 413 and no stack', async () => {
    const response = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(6 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(hasStackTrace(await response.text())).toBe(false);
  });
});
