import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickExampleUserId } from '../../src/server/pickExampleUserId.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { GatewayConfig } from '../../src/config.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { UserView } from '../../src/services/serviceTypes.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';
import { clickEvent } from '../support/feedbackEvents.js';

/**
 * Regression (newcomer report, session 28): a gateway that seeded an empty
 * Redis at start-up did not replay the file event log, so feedback an earlier
 * run had logged (e.g. with the memory store) was missing from the store,
 * while a re-seed of the same Redis after a flush did replay it. Now the
 * start-up seed replays the log since the model's cut-off too; a start that
 * finds the seed mark does not replay again, so each event counts once.
 * A private `redis-server`, so the shared one is never written.
 */
let redis: RedisProcess;
let tmp: string;
let registry: string;
let userId: string;
const coldUser = `startup-replay-cold-${process.pid}`;

const click = clickEvent;

const config = (featureStore: 'memory' | 'redis'): GatewayConfig => ({
  registryDir: registry,
  modelName: TEST_MODEL_NAME,
  featureStore,
  ...(featureStore === 'redis' ? { redisUrl: redis.url } : {}),
  eventLog: 'file',
  eventLogFile: path.join(tmp, 'events.jsonl'),
  eventLogFsync: 'never',
  modelPollMs: 0,
  // A loaded CI host: reads stay on Redis rather than on the snapshot a slow read would answer from.
  backendBudgetMs: 5000,
});

const view = (gateway: Gateway, id: string): Promise<UserView | null> =>
  gateway.user(id, gateway.createRequestScope());

beforeAll(async () => {
  redis = await startRedis();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-startup-replay-'));
  registry = await trainedRegistry();
  userId = pickExampleUserId(registry, TEST_MODEL_NAME)!;
}, 180_000);

afterAll(async () => {
  await redis?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('a gateway that seeds an empty Redis at start-up, with a file event log', () => {
  it('replays the feedback an earlier run logged, and a later start does not replay it again', async () => {
    // An earlier run on the memory store logs two clicks.
    const first = await createGateway(config('memory'));
    let trained: UserView;
    let clicked: string;
    try {
      trained = (await view(first, userId))!;
      const list = await first.recommendations(
        { userId, sessionItemIds: [], surface: 'home', first: 20, after: null, filter: null, context: null },
        first.createRequestScope(),
      );
      clicked = list.items.map((r) => r.itemId).find((id) => !trained.recentItemIds.includes(id))!;
      expect(clicked).toBeDefined();
      const results = await first.recordFeedback(
        [click(userId, clicked), click(coldUser, clicked)],
        first.createRequestScope(),
      );
      expect(results.map((r) => r.accepted)).toEqual([true, true]);
    } finally {
      await first.close();
    }

    // The Redis store is empty: this start seeds it, and must replay the log.
    const second = await createGateway(config('redis'));
    try {
      const user = (await view(second, userId))!;
      expect(user.degraded).toEqual([]);
      expect(user.recentItemIds[0]).toBe(clicked);
      expect(user.interactionCount).toBe(trained.interactionCount + 1);
      const cold = (await view(second, coldUser))!;
      expect(cold.recentItemIds).toEqual([clicked]);
      expect(cold.interactionCount).toBe(1);
    } finally {
      await second.close();
    }

    // Redis holds its seed mark now: a restart neither seeds nor replays, so nothing counts twice.
    const third = await createGateway(config('redis'));
    try {
      expect((await view(third, userId))!.interactionCount).toBe(trained.interactionCount + 1);
      expect((await view(third, coldUser))!.interactionCount).toBe(1);
    } finally {
      await third.close();
    }
  }, 180_000);
});
