import { existsSync, readFileSync } from 'node:fs';
import type { FeedbackRecord } from '../../../src/domain/events.js';
import type { CreateServerOptions } from '../../../src/server/createServer.js';
import type { RealServer } from '../../support/realServer.js';
import { startRealServer } from '../../support/realServer.js';

/** A real-engine server whose file event log the test can read. */
export interface LoggedServer extends RealServer {
  /**
   * Every feedback record in the event log file now. Appends resolve before
   * `recordFeedback` answers, so a record the client saw accepted is there.
   * @throws Error when a line is not one JSON object (a torn or injected line).
   */
  feedbackRecords(): FeedbackRecord[];
}

/**
 * The real-engine server of `startRealServer` (shared trained registry,
 * private file event log, fsync off), with admin mutations disabled and
 * `options` (rate limiter, limits, …) added to `createServer`'s, plus a
 * reader of the feedback records in its event log.
 */
export async function startLoggedServer(
  options: Partial<Omit<CreateServerOptions, 'gateway'>> = {},
): Promise<LoggedServer> {
  const real = await startRealServer({ adminToken: null, server: options });
  const { eventLogFile } = real;
  return {
    ...real,
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
  };
}
