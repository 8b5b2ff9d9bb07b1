import { getIntrospectionQuery } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/createServer.js';
import { createServer } from '../../src/server/createServer.js';
import { introspectionEnabled } from '../../src/server/introspectionEnabled.js';
import { serveConfigFrom } from '../../src/server/serverConfig.js';
import { fakeGateway } from '../support/fakeGateway.js';
import { postGraphQL } from '../support/graphqlHttp.js';

// Issue #5 §4: introspection follows a setting, on by default in development and off in production.
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server on the fake engine with `process.env` set to `env` while createServer reads it. */
async function serverWith(
  env: Record<string, string | undefined>,
  options: { introspection?: boolean } = {},
): Promise<RunningServer> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  try {
    const server = await createServer({ gateway: fakeGateway(), ...options });
    servers.push(server);
    return server;
  } finally {
    apply(saved);
  }
}

describe('Introspection: RECGATE_INTROSPECTION, default on unless NODE_ENV=production', () => {
  it.each([
    [{}, true],
    [{ NODE_ENV: 'development' }, true],
    [{ NODE_ENV: 'test' }, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', RECGATE_INTROSPECTION: 'true' }, true],
    [{ NODE_ENV: 'development', RECGATE_INTROSPECTION: 'false' }, false],
    [{ RECGATE_INTROSPECTION: ' FALSE ' }, false],
    [{ NODE_ENV: 'production', RECGATE_INTROSPECTION: '' }, false],
  ])('reads %j as %s', (env, expected) => {
    expect(introspectionEnabled(env)).toBe(expected);
    expect(serveConfigFrom({}, env).introspection).toBe(expected);
  });

  it.each(['yes', '1', 'on'])('refuses RECGATE_INTROSPECTION=%s, naming the variable', (value) => {
    expect(() => introspectionEnabled({ RECGATE_INTROSPECTION: value })).toThrow(
      `RECGATE_INTROSPECTION: expected "true" or "false", received "${value}"`,
    );
  });

  it('answers introspection when on (development default)', async () => {
    const server = await serverWith({ NODE_ENV: 'development', RECGATE_INTROSPECTION: undefined });
    const { status, body } = await postGraphQL(server.url, getIntrospectionQuery());
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect((body.data!['__schema'] as { queryType: { name: string } }).queryType.name).toBe('Query');
  });

  it('refuses __schema and __type with 400 GRAPHQL_VALIDATION_FAILED when off (production default)', async () => {
    const server = await serverWith({ NODE_ENV: 'production', RECGATE_INTROSPECTION: undefined });
    for (const query of [getIntrospectionQuery(), '{ __type(name: "Query") { name } }']) {
      const { status, body } = await postGraphQL(server.url, query);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]).toMatchObject({
        message: expect.stringMatching(/^GraphQL introspection is not allowed\b/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
    // __typename is not introspection: clients (Apollo Client's cache) rely on it.
    const typename = await postGraphQL(server.url, '{ __typename modelInfo { itemCount } }');
    expect(typename.body).toEqual({ data: { __typename: 'Query', modelInfo: { itemCount: 30 } } });
  });

  it('lets RECGATE_INTROSPECTION=true win over NODE_ENV=production, and the createServer option win over both', async () => {
    const forced = await serverWith({ NODE_ENV: 'production', RECGATE_INTROSPECTION: 'true' });
    expect((await postGraphQL(forced.url, '{ __schema { queryType { name } } }')).status).toBe(200);
    const option = await serverWith({ RECGATE_INTROSPECTION: 'true' }, { introspection: false });
    expect((await postGraphQL(option.url, '{ __schema { queryType { name } } }')).status).toBe(400);
  });

  it('stops suggesting field names ("Did you mean …") when off, so errors do not reveal the schema', async () => {
    const on = await serverWith({}, { introspection: true });
    const off = await serverWith({}, { introspection: false });
    const query = '{ modelInf { itemCount } }';
    const suggested = await postGraphQL(on.url, query);
    expect(suggested.body.errors![0]!.message).toBe(
      'Cannot query field "modelInf" on type "Query". Did you mean "modelInfo"?',
    );
    const hidden = await postGraphQL(off.url, query);
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors![0]).toMatchObject({
      message: 'Cannot query field "modelInf" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
