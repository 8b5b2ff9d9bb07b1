import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/createServer.js';
import { debugEnabled } from '../../src/server/debugEnabled.js';
import { MASKED_MESSAGE, TOO_DEEP_MESSAGE } from '../../src/server/errorMasking.js';
import { fakeGateway } from '../support/fakeGateway.js';
import { hasStackTrace, postGraphQL } from '../support/graphqlHttp.js';
import type { FakeServer } from '../support/testServer.js';
import { startFakeServer } from '../support/testServer.js';

// API-shape tests on the fake engine: error codes, masking and the finite-float guard.
let fake: FakeServer;
beforeAll(async () => (fake = await startFakeServer()));
afterAll(() => fake.server.close());

describe('Errors: public codes, masked internals, no stack traces', () => {
  it('refuses a subscription at validation (400), without logging an internal error', async () => {
    const before = fake.logged.length;
    const { status, body, text } = await postGraphQL(fake.server.url, 'subscription { x }');
    expect(status).toBe(400);
    expect(body.errors!.map((e) => e.extensions?.['code'])).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors!.map((e) => e.message)).toContain(
      'Subscriptions are not supported: send a query or a mutation.',
    );
    expect(hasStackTrace(text)).toBe(false);
    expect(fake.logged.slice(before).filter((l) => l.level === 'error')).toEqual([]);
  });

  it('answers an unknown path with a JSON 404 NOT_FOUND', async () => {
    const r = await fetch(fake.server.url.replace(/\/graphql$/, '/no/such/page'));
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({
      errors: [{ message: 'no such path: GET /no/such/page', extensions: { code: 'NOT_FOUND' } }],
    });
  });

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

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE as JSON, naming the limit, and no stack', async () => {
    const body = JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(6 * 1024 * 1024) });
    const response = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      errors: [
        {
          message: `The request body must be at most 1048576 bytes; received ${body.length} bytes. Send smaller batches (at most 1000 events or items).`,
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
    expect(hasStackTrace(text)).toBe(false);
  });

  it('refuses a JSON body nested deeper than 64 levels before parsing it (400 BAD_REQUEST)', async () => {
    // The body is level 1, `variables` level 2, then `depth − 2` nested lists.
    const nested = (depth: number): string =>
      `{"query":"{ __typename }","variables":{"x":${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;
    const ok = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: nested(64),
    });
    expect(ok.status).toBe(200);
    const deep = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: nested(65),
    });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({
      errors: [
        {
          message:
            'The request body must nest arrays and objects at most 64 levels deep; received a deeper body.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    // Brackets inside strings are text, not nesting.
    const inString = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { x: `\\"${'['.repeat(500)}` } }),
    });
    expect(inString.status).toBe(200);
  });

  it('refuses a JSON body in another charset than UTF-8 with 415 BAD_REQUEST', async () => {
    const response = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(JSON.stringify({ query: '{ __typename }' }), 'utf16le'),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a body declared UTF-8 that is not valid UTF-8 with 415, so bad bytes never become U+FFFD ids', async () => {
    // Attack report (session 18): "u8\xff" and "u8\xfe" both decoded to "u8\ufffd", one user.
    const bad = Buffer.concat([
      Buffer.from('{"query":"{ __typename }","variables":{"u":"u8'),
      Buffer.from([0xff]),
      Buffer.from('"}}'),
    ]);
    const response = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bad,
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      errors: [{ message: expect.stringContaining('not valid UTF-8'), extensions: { code: 'BAD_REQUEST' } }],
    });
    // The same body with a valid character is answered.
    bad[bad.indexOf(0xff)] = 0x41;
    const fine = await fetch(fake.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bad,
    });
    expect(fine.status).toBe(200);
  });

  it('answers a request whose headers are over 16 KiB with 431 and the same JSON error body', async () => {
    const response = await fetch(`${fake.server.url}?query=${'x'.repeat(20_000)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({
      errors: [
        {
          message:
            'The request line and headers must fit in the server limit (16 KiB by default); send long operations in a POST body.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });

  it('cuts a long request-level message (graphql-js quotes the refused value) at 1000 characters', async () => {
    const { status, body } = await postGraphQL(
      fake.server.url,
      'query ($f: Int) { recommendations(first: $f) { requestId } }',
      { f: 'x'.repeat(100_000) },
    );
    expect(status).toBe(400);
    const message = body.errors![0]!.message;
    expect(message).toMatch(/^Variable "\$f" got invalid value "xxx/);
    expect(message).toMatch(/… \(message truncated\)$/);
    expect(message.length).toBe(1000 + '… (message truncated)'.length);
  });
});

describe('Errors: stack traces only with explicit debug (RECGATE_DEBUG=1)', () => {
  const failing = async (
    options: { debug?: boolean },
    env: Record<string, string | undefined>,
  ): Promise<{ text: string; extensions: Record<string, unknown> }> => {
    const saved = { NODE_ENV: process.env['NODE_ENV'], RECGATE_DEBUG: process.env['RECGATE_DEBUG'] };
    Object.assign(process.env, env);
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
    const gateway = fakeGateway();
    const server = await createServer({ gateway, logger: { error: () => {}, warn: () => {} }, ...options });
    try {
      gateway.failWith('modelInfo', new Error('disk on fire at /var/secret/path'));
      const { text, body } = await postGraphQL(server.url, '{ modelInfo { rankerVersion } }');
      expect(body.errors![0]!.message).toBe(MASKED_MESSAGE);
      return { text, extensions: body.errors![0]!.extensions! };
    } finally {
      await server.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };

  it.each([
    ['NODE_ENV=development', { NODE_ENV: 'development', RECGATE_DEBUG: undefined }],
    ['NODE_ENV=production', { NODE_ENV: 'production', RECGATE_DEBUG: undefined }],
    ['RECGATE_DEBUG=true (only 1 counts)', { NODE_ENV: 'development', RECGATE_DEBUG: 'true' }],
  ])('sends no stack with %s', async (_name, env) => {
    const { text, extensions } = await failing({}, env);
    expect(extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(hasStackTrace(text)).toBe(false);
    expect(text).not.toContain('disk on fire');
  });

  it('sends the masked error’s stack in extensions.stacktrace with RECGATE_DEBUG=1 (or createServer({ debug: true }))', async () => {
    for (const [options, env] of [
      [{}, { RECGATE_DEBUG: '1' }],
      [{ debug: true }, {}],
    ] as const) {
      const { extensions } = await failing(options, env);
      expect(extensions['code']).toBe('INTERNAL_SERVER_ERROR');
      const stack = extensions['stacktrace'] as string[];
      expect(stack[0]).toBe('Error: disk on fire at /var/secret/path');
      expect(stack.slice(1).every((line) => /^\s+at /.test(line))).toBe(true);
    }
    expect(debugEnabled({ RECGATE_DEBUG: '1' })).toBe(true);
    expect(debugEnabled({ RECGATE_DEBUG: 'yes' })).toBe(false);
    expect(debugEnabled({})).toBe(false);
  });
});
