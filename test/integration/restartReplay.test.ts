import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { logger } from '../../src/telemetry/logger.js';
import type { RecommendationsRequest } from '../../src/services/serviceTypes.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Feedback survives a restart of the embedded gateway: at start-up the
 * event log's feedback received after the model was published is replayed
 * into the feature store (found by a newcomer: a DISMISSed item came back
 * after a restart).
 */
let registry: string;
let tmp: string;
let userId: string;

const request = (first = 20): RecommendationsRequest => ({
  userId,
  sessionItemIds: [],
  surface: 'home',
  first,
  after: null,
  filter: null,
  context: null,
});

async function start(options: { log?: string; now?: () => number } = {}): Promise<Gateway> {
  return createGateway({
    registryDir: registry,
    eventLogFile: path.join(tmp, options.log ?? 'events.jsonl'),
    ...(options.now === undefined ? {} : { now: options.now }),
    eventLogFsync: 'never',
    awaitSideEffects: true,
    servedLogFlushMs: 0,
  });
}

beforeAll(async () => {
  registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-replay-'));
  const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
  const first = readFileSync(path.join(registry, 'default', version, 'user-state.jsonl'), 'utf8').split(
    '\n',
  )[0]!;
  userId = (JSON.parse(first) as { userId: string }).userId;
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Gateway: restart', () => {
  it('keeps a DISMISS and a PURCHASE recorded before the restart', async () => {
    const before = await start();
    const list = await before.recommendations(request(), before.createRequestScope());
    const [dismissed, purchased] = list.items.map((r) => r.itemId);
    const results = await before.recordFeedback(
      [
        {
          userId,
          itemId: dismissed!,
          type: 'DISMISS',
          value: null,
          requestId: list.requestId,
          timestamp: null,
          context: null,
        },
        {
          userId,
          itemId: purchased!,
          type: 'PURCHASE',
          value: null,
          requestId: list.requestId,
          timestamp: null,
          context: null,
        },
      ],
      before.createRequestScope(),
    );
    expect(results.every((r) => r.accepted)).toBe(true);
    await before.close();

    const info = vi.spyOn(logger, 'info');
    const after = await start();
    // The start-up says how much feedback it replayed from the event log (newcomer report).
    expect(info.mock.calls.map(([message]) => message)).toContain(
      'replayed 2 feedback events the model was not trained on',
    );
    info.mockRestore();
    const again = await after.recommendations(request(50), after.createRequestScope());
    const ids = again.items.map((r) => r.itemId);
    expect(ids).not.toContain(dismissed);
    expect(ids).not.toContain(purchased);
    const user = await after.user(userId, after.createRequestScope());
    expect(user?.recentItemIds).toContain(purchased);
    await after.close();
  }, 120_000);

  it('puts replayed feedback before the seeded training history in recentItems', async () => {
    // Regression: the seed stamped the training history with the start-up time, so after a
    // restart the replayed (earlier-stamped) feedback sorted behind it, and out of the 20
    // recent items that drive item-to-item retrieval.
    const log = 'recent-order.jsonl';
    const before = await start({ log });
    const seeded = (await before.user(userId, before.createRequestScope()))!.recentItemIds;
    expect(seeded.length).toBeGreaterThan(1);
    const list = await before.recommendations(request(), before.createRequestScope());
    const clicked = list.items.map((r) => r.itemId).find((id) => !seeded.includes(id))!;
    const [result] = await before.recordFeedback(
      [
        {
          userId,
          itemId: clicked,
          type: 'CLICK',
          value: null,
          requestId: list.requestId,
          timestamp: null,
          context: null,
        },
      ],
      before.createRequestScope(),
    );
    expect(result!.accepted).toBe(true);
    expect((await before.user(userId, before.createRequestScope()))!.recentItemIds[0]).toBe(clicked);
    await before.close();

    // Restarted an hour later: the seed runs at the new start-up time, the CLICK is replayed.
    const after = await start({ log, now: () => Date.now() + 3_600_000 });
    const recent = (await after.user(userId, after.createRequestScope()))!.recentItemIds;
    expect(recent[0]).toBe(clicked);
    expect(recent.slice(1, seeded.length + 1)).toEqual(seeded); // training order kept behind it
    await after.close();
  }, 120_000);
});
