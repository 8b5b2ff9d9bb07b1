import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_RANKING_PART } from '../../src/components/sources/liveCounterRanking.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { RecommendationList } from '../../src/services/serviceTypes.js';
import { homeRequest } from '../support/homeRequest.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * A popular/trending refresh answered by the start-up snapshot (Redis down)
 * was only logged: the lists served from that ranking afterwards had no
 * `degraded` entry for it (a request that read nothing else from Redis, e.g.
 * an anonymous one, looked healthy). Now they name `featureStore.liveRanking`
 * until a refresh reads Redis again. The gateway runs on its own Redis server
 * (stopped and restarted; with AOF, so it keeps its data), with a wall clock
 * the test steps forward to make the next refresh due without waiting.
 */
let redis: RedisProcess;
let gateway: Gateway;
let tmp: string;
/** Added to the gateway's wall clock: moving it forward makes the next ranking refresh due. */
let offsetMs = 0;

const list = (): Promise<RecommendationList> =>
  gateway.recommendations(homeRequest(null), gateway.createRequestScope());

/** Lists (a refresh due before each) until `done` holds for one, at most ~20 s; returns the last. */
async function listUntil(done: (l: RecommendationList) => boolean): Promise<RecommendationList> {
  let l = await list();
  for (let k = 0; k < 400 && !done(l); k++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    offsetMs += 60_000; // past any refresh spacing (at most 60 s)
    l = await list();
  }
  return l;
}

beforeAll(async () => {
  redis = await startRedis({ persist: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-ranking-fallback-'));
  gateway = await createGateway({
    registryDir: await trainedRegistry(),
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    redisUrl: redis.url,
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0,
    backendBudgetMs: 150,
    backendRetryMs: 250,
    now: () => Date.now() + offsetMs,
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await redis?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('popular/trending ranking refreshed from the start-up snapshot', () => {
  it('is named in degraded (featureStore.liveRanking) while lists are served from it, and no longer once a refresh reads Redis again', async () => {
    const healthy = await list();
    expect(healthy.items.length).toBeGreaterThan(0);
    expect(healthy.degraded).toEqual([]);

    await redis.stop();
    offsetMs += 60_000;
    // This list starts a refresh but is served the ranking read from Redis before the outage.
    const first = await list();
    expect(first.degraded).not.toContain(LIVE_RANKING_PART);
    // The refresh reads the snapshot (within the 10-s budget of a whole-catalog read) and lands.
    const during = await listUntil((l) => l.degraded.includes(LIVE_RANKING_PART));
    expect(during.degraded).toContain(LIVE_RANKING_PART);
    expect(during.items.length).toBeGreaterThan(0);

    await redis.start();
    const after = await listUntil((l) => l.degraded.length === 0);
    expect(after.degraded).toEqual([]);
    expect(after.items.length).toBeGreaterThan(0);
  }, 120_000);
});
