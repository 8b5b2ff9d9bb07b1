import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlHttp.js';
import { startServeProcess } from '../support/serveProcess.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Issue #4 §4: with the file event log (fsync `always`, the default), an
 * event the gateway accepted survives a `kill -9` sent the moment the
 * response arrives: the append resolved only after fdatasync.
 */
const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-kill9-'));
afterAll(() => rmSync(varDir, { recursive: true, force: true }));

describe('file event log durability', () => {
  it('keeps every accepted event after kill -9 right after the response', async () => {
    const registry = await trainedRegistry();
    const file = path.join(varDir, 'events.jsonl');
    const server = await startServeProcess(registry, {
      RECGATE_EVENT_LOG_FILE: file,
      RECGATE_EVENT_LOG_FSYNC: 'always',
      RECGATE_ADMIN_TOKEN: '',
    });
    const events = Array.from({ length: 20 }, (_, k) => ({
      userId: `kill-user-${k % 3}`,
      itemId: `any-item-${k}`,
      type: 'CLICK',
    }));
    const r = await postGraphQL(
      server.url,
      'mutation($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted eventId } }',
      { e: events },
    );
    const killed = server.stop('SIGKILL');
    const results = (r.body.data as { recordFeedbackBatch: { accepted: boolean; eventId: string }[] })
      .recordFeedbackBatch;
    expect(await killed).toBeNull();
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(results.every((x) => x.accepted)).toBe(true);
    const logged = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { eventId: string }).eventId),
    );
    expect(results.map((x) => logged.has(x.eventId))).toEqual(results.map(() => true));
  }, 120_000);
});
