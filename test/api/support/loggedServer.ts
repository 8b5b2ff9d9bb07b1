import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeedbackRecord } from '../../../src/domain/events.js';
import type { CreateServerOptions, RunningServer } from '../../../src/server/createServer.js';
import { createServer } from '../../../src/server/createServer.js';
import { pickExampleUserId } from '../../../src/server/pickExampleUserId.js';
import { serveConfigFrom } from '../../../src/server/serverConfig.js';
import type { ServerLogger } from '../../../src/server/serverLogger.js';
import { createGateway } from '../../../src/services/createGateway.js';
import type { Gateway } from '../../../src/services/gateway.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../../support/trainedRegistry.js';

/** A real-engine server whose file event log the test can read. */
export interface LoggedServer {
  readonly server: RunningServer;
  readonly gateway: Gateway;
  /** A user of the trained model with many interactions. */
  readonly exampleUserId: string;
  /** The JSON Lines event log the engine appends to. */
  readonly eventLogFile: string;
  /** Lines the server logged (masked errors, guarded values). */
  readonly logged: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[];
  /**
   * Every feedback record in the event log file now. Appends resolve before
   * `recordFeedback` answers, so a record the client saw accepted is there.
   * @throws Error when a line is not one JSON object (a torn or injected line).
   */
  feedbackRecords(): FeedbackRecord[];
  close(): Promise<void>;
}

/**
 * Starts the real engine (`createGateway`) over the shared trained registry
 * with a private file event log (fsync off: the tests read it from the same
 * machine), and a server on a free port in front of it, with `options`
 * (rate limiter, limits, …) added. The config comes from `serveConfigFrom`,
 * as `recgate serve` builds it.
 */
export async function startLoggedServer(
  options: Partial<Omit<CreateServerOptions, 'gateway'>> = {},
): Promise<LoggedServer> {
  const registry = await trainedRegistry();
  const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-hostile-'));
  const eventLogFile = path.join(varDir, 'events.jsonl');
  const config = serveConfigFrom(
    { port: 0, host: '127.0.0.1', registry, modelName: TEST_MODEL_NAME },
    { RECGATE_EVENT_LOG_FILE: eventLogFile, RECGATE_EVENT_LOG_FSYNC: 'never' },
  );
  const gateway = await createGateway({ ...config.gateway, awaitSideEffects: true });
  const exampleUserId = pickExampleUserId(registry, TEST_MODEL_NAME);
  if (exampleUserId === undefined) throw new Error(`no user state in ${registry}`);
  const logged: LoggedServer['logged'] = [];
  const logger: ServerLogger = {
    error: (message, fields) => void logged.push({ level: 'error', message, fields }),
    warn: (message, fields) => void logged.push({ level: 'warn', message, fields }),
  };
  const server = await createServer({
    gateway,
    port: 0,
    host: '127.0.0.1',
    exampleUserId,
    logger,
    ...options,
  });
  return {
    server,
    gateway,
    exampleUserId,
    eventLogFile,
    logged,
    feedbackRecords() {
      if (!existsSync(eventLogFile)) return [];
      const lines = readFileSync(eventLogFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      return lines
        .map((line, i) => {
          const record = JSON.parse(line) as unknown;
          if (typeof record !== 'object' || record === null || Array.isArray(record)) {
            throw new Error(`event log line ${i + 1} is not a JSON object: ${line.slice(0, 80)}`);
          }
          return record as { kind: string };
        })
        .filter((record): record is FeedbackRecord => record.kind === 'feedback');
    },
    async close() {
      await server.close();
      await gateway.close();
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}
