import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlHttp.js';
import type { FakeServer } from '../support/testServer.js';
import { startFakeServer } from '../support/testServer.js';

// HTTP-layer tests on the fake engine: CSRF prevention, GET, request ids, GraphiQL page and assets.
let fake: FakeServer;
beforeAll(async () => (fake = await startFakeServer()));
afterAll(() => fake.server.close());

const CSRF_MESSAGE = /potential Cross-Site Request Forgery/;

describe('HTTP: Apollo CSRF prevention stays on', () => {
  it('refuses a GET operation without a preflight-forcing header with 400', async () => {
    const response = await fetch(
      `${fake.server.url}?query=${encodeURIComponent('{ modelInfo { itemCount } }')}`,
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(CSRF_MESSAGE);
  });

  it('runs a GET operation with apollo-require-preflight (or x-apollo-operation-name)', async () => {
    for (const header of ['apollo-require-preflight', 'x-apollo-operation-name']) {
      const response = await fetch(
        `${fake.server.url}?query=${encodeURIComponent('{ modelInfo { itemCount } }')}`,
        {
          headers: { [header]: 'true' },
        },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { modelInfo: { itemCount: 30 } } });
    }
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses a POST with the "simple" content type %s with 400',
    async (contentType) => {
      const response = await fetch(fake.server.url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify({ query: 'mutation { deletePromotion(id: "p") }' }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(CSRF_MESSAGE);
    },
  );

  it('refuses a POST without a content type with 400', async () => {
    const response = await fetch(fake.server.url, {
      method: 'POST',
      body: new Blob([JSON.stringify({ query: '{ __typename }' })]),
    });
    expect(response.status).toBe(400);
  });
});

describe('HTTP: caching', () => {
  it('marks GraphQL answers Cache-Control: no-store (they are per user and per request)', async () => {
    const { headers } = await postGraphQL(fake.server.url, '{ recommendations(first: 1) { requestId } }');
    expect(headers.get('cache-control')).toBe('no-store');
  });
});

describe('HTTP: request ids', () => {
  it('echoes a valid x-request-id and hands it to the engine as the request scope id', async () => {
    const { headers, body } = await postGraphQL(
      fake.server.url,
      '{ recommendations(first: 1) { requestId } }',
      undefined,
      {
        'x-request-id': 'abc-123_XYZ.7',
      },
    );
    expect(headers.get('x-request-id')).toBe('abc-123_XYZ.7');
    expect(body.data).toEqual({ recommendations: { requestId: 'abc-123_XYZ.7' } });
  });

  it('replaces a missing or unsafe x-request-id by a UUID', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const cases: Record<string, string>[] = [
      {},
      { 'x-request-id': 'bad id with spaces' },
      { 'x-request-id': 'x'.repeat(200) },
    ];
    for (const header of cases) {
      const { headers } = await postGraphQL(fake.server.url, '{ __typename }', undefined, header);
      expect(headers.get('x-request-id')).toMatch(uuid);
    }
  });
});

describe('HTTP: GraphiQL served by recgate itself', () => {
  const page = async (): Promise<{ response: Response; html: string }> => {
    const response = await fetch(fake.server.url, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    return { response, html: await response.text() };
  };

  it('answers a browser GET /graphql with the GraphiQL page and a strict CSP', async () => {
    const { response, html } = await page();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('<div id="graphiql">');
    expect(html).toContain('recommendations(userId: \\"u1\\", first: 5)');
  });

  it('refers to no other host: every src and href is a local path', async () => {
    const { html } = await page();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/(src|href)="\/\//);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBe(5);
    for (const url of urls) expect(url).toMatch(/^\/graphiql\/assets\/[\w.-]+$/);
  });

  it('serves every asset the page names with 200 and the right content type', async () => {
    const { html } = await page();
    const base = new URL(fake.server.url);
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const response = await fetch(new URL(url!, base));
      expect(response.status, url).toBe(200);
      const type = response.headers.get('content-type') ?? '';
      expect(type, url).toMatch(url!.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
  });

  it('serves no other file from node_modules', async () => {
    for (const name of ['package.json', '..%2F..%2Fpackage.json', 'graphiql.js']) {
      const response = await fetch(new URL(`/graphiql/assets/${name}`, fake.server.url));
      expect(response.status).toBe(404);
    }
  });

  it('still treats GET /graphql with a query parameter or a JSON Accept as GraphQL', async () => {
    const json = await fetch(fake.server.url, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/json/);
    const query = await fetch(`${fake.server.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/html,*/*;q=0.8', 'apollo-require-preflight': 'true' },
    });
    expect(query.status).toBe(200);
    expect(await query.text()).toContain('"__typename":"Query"');
  });

  it('keeps the SDL descriptions of the scalars in the served schema', async () => {
    const { body } = await postGraphQL(fake.server.url, '{ __type(name: "DateTime") { description } }');
    expect((body.data!['__type'] as { description: string }).description).toMatch(
      /^A point in time as an RFC 3339 string/,
    );
  });

  it('answers GET /healthz', async () => {
    const response = await fetch(new URL('/healthz', fake.server.url));
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
