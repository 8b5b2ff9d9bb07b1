import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from '../../src/server/createServer.js';
import type { CreateServerOptions, RunningServer } from '../../src/server/createServer.js';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { serveConfigFrom } from '../../src/server/serverConfig.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { GatewayConfig } from '../../src/config.js';
import type { ServerLogger } from '../../src/server/serverLogger.js';
import { TEST_MODEL_NAME, trainedRegistry } from './trainedRegistry.js';

/** The admin token real-engine test servers use. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A server on the real engine over the shared trained registry. */
export interface RealServer {
  readonly server: RunningServer;
  readonly gateway: Gateway;
  /** A user of the trained model with many interactions. */
  readonly exampleUserId: string;
  /** The JSON Lines event log the engine appends to (fsync off). */
  readonly eventLogFile: string;
  /** Lines the server logged. */
  readonly logged: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[];
  close(): Promise<void>;
}

/**
 * Starts the real engine (`createGateway`) over {@link trainedRegistry} with a
 * private event log, and a server on a free port in front of it. The config
 * is built by `serveConfigFrom`, exactly as `recgate serve` builds it.
 */
export async function startRealServer(
  options: {
    /** The admin token; null leaves admin mutations disabled. @default TEST_ADMIN_TOKEN */
    adminToken?: string | null;
    /** More `createServer` options (rate limiter, limits, …). */
    server?: Partial<Omit<CreateServerOptions, 'gateway'>>;
    /** More `createGateway` options (surfaces, source budget, …), over the serve config. */
    gateway?: Partial<GatewayConfig>;
    /** Wraps the engine before the server is put in front of it (e.g. to observe calls). @default none */
    wrapGateway?: (gateway: Gateway) => Gateway;
  } = {},
): Promise<RealServer> {
  const registry = await trainedRegistry();
  const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-test-var-'));
  const eventLogFile = path.join(varDir, 'events.jsonl');
  const adminToken = options.adminToken === undefined ? TEST_ADMIN_TOKEN : options.adminToken;
  const config = serveConfigFrom(
    { port: 0, host: '127.0.0.1', registry, modelName: TEST_MODEL_NAME },
    {
      RECGATE_EVENT_LOG_FILE: eventLogFile,
      RECGATE_EVENT_LOG_FSYNC: 'never',
      ...(adminToken === null ? {} : { RECGATE_ADMIN_TOKEN: adminToken }),
    },
  );
  const gateway = await createGateway({ ...config.gateway, awaitSideEffects: true, ...options.gateway });
  const exampleUserId = pickExampleUserId(registry, TEST_MODEL_NAME);
  if (exampleUserId === undefined) throw new Error(`no user state in ${registry}`);
  const logged: RealServer['logged'] = [];
  const logger: ServerLogger = {
    error: (message, fields) => void logged.push({ level: 'error', message, fields }),
    warn: (message, fields) => void logged.push({ level: 'warn', message, fields }),
    info: (message, fields) => void logged.push({ level: 'info', message, fields }),
  };
  const server = await createServer({
    gateway: options.wrapGateway?.(gateway) ?? gateway,
    port: 0,
    host: '127.0.0.1',
    exampleUserId,
    logger,
    ...(config.gateway.adminToken ? { adminToken: config.gateway.adminToken } : {}),
    ...options.server,
  });
  return {
    server,
    gateway,
    exampleUserId,
    eventLogFile,
    logged,
    async close() {
      await server.close();
      await gateway.close();
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}
