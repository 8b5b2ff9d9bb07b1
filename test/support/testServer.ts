import type { GraphQLRequest } from '@apollo/server';
import { createServer } from '../../src/server/createServer.js';
import type { RunningServer } from '../../src/server/createServer.js';
import type { ServerLogger } from '../../src/server/serverLogger.js';
import type { FakeGateway } from './fakeGateway.js';
import { fakeGateway } from './fakeGateway.js';
import type { GraphQLResponseBody } from './graphqlHttp.js';

/** A server on port 0 in front of a {@link fakeGateway}, with its log captured. */
export interface FakeServer {
  readonly server: RunningServer;
  readonly gateway: FakeGateway;
  readonly logged: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[];
  /** Runs an operation in-process (`executeOperation`) with the context these headers would give. */
  execute(request: GraphQLRequest, headers?: Record<string, string>): Promise<GraphQLResponseBody>;
}

/** Starts a server on the fake engine (API-shape tests only). */
export async function startFakeServer(options: { adminToken?: string } = {}): Promise<FakeServer> {
  const gateway = fakeGateway();
  const logged: FakeServer['logged'] = [];
  const logger: ServerLogger = {
    error: (message, fields) => void logged.push({ level: 'error', message, fields }),
    warn: (message, fields) => void logged.push({ level: 'warn', message, fields }),
  };
  const server = await createServer({ gateway, logger, exampleUserId: 'u1', ...options });
  return {
    server,
    gateway,
    logged,
    async execute(request, headers = {}) {
      const response = await server.apollo.executeOperation(request, {
        contextValue: server.contextFor(headers),
      });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResponseBody;
    },
  };
}
