import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';
import { homeRequest } from '../support/homeRequest.js';

/**
 * Hot reload with RECGATE_FEATURE_STORE=redis while Redis is down (attack
 * report): a version published during the outage must not be rejected for
 * good, as a broken model is. It is tried again at later polls (with a
 * back-off) and served once Redis answers. A private Redis server (stopped
 * and started by the test; `persist` keeps its data, as a restart of a real
 * Redis with a snapshot does). The gateway polls nothing (`modelPollMs: 0`):
 * the test calls `checkModel()` as the poll would.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-rollout-outage-'));
const modelDir = path.join(dir, TEST_MODEL_NAME);
let redis: RedisProcess;
let gateway: Gateway;
const reloads: string[] = [];
const telemetry: Telemetry = {
  ...noopTelemetry,
  recordModelReload: (outcome) => void reloads.push(outcome),
};

/** Copies `base`'s current version into the test registry as `version` (manifest version rewritten). */
function publishCopy(base: string, version: string): void {
  const source = readCurrentVersion(base, TEST_MODEL_NAME)!;
  const target = path.join(modelDir, version);
  cpSync(path.join(base, TEST_MODEL_NAME, source), target, { recursive: true });
  const manifestFile = path.join(target, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, version }, null, 2));
}

beforeAll(async () => {
  const base = await trainedRegistry();
  publishCopy(base, 'v1');
  publishCopy(base, 'v2');
  publishCopy(base, 'v3-corrupt');
  writeFileSync(path.join(modelDir, 'v3-corrupt', 'model.onnx'), 'not an ONNX model');
  setCurrentVersion(dir, TEST_MODEL_NAME, 'v1');
  redis = await startRedis({ persist: true });
  gateway = await createGateway({
    registryDir: dir,
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    redisUrl: redis.url,
    eventLogFile: path.join(dir, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0,
    telemetry,
  });
}, 240_000);

afterAll(async () => {
  await gateway?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hot reload while Redis is down', () => {
  it('keeps a version published during the outage for later polls, with a back-off, and serves it once Redis is back', async () => {
    expect(gateway.modelInfo().rankerVersion).toBe('v1');
    await redis.stop();
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v2');

    await gateway.checkModel(); // attempt 1: tried again at the next poll
    expect(reloads).toEqual(['retrying']);
    expect(gateway.modelInfo().rankerVersion).toBe('v1');
    await gateway.checkModel(); // attempt 2: the next poll is skipped
    expect(reloads).toEqual(['retrying', 'retrying']);
    await gateway.checkModel(); // skipped
    expect(reloads).toEqual(['retrying', 'retrying']);
    await gateway.checkModel(); // attempt 3: the next 3 polls are skipped
    expect(reloads).toEqual(['retrying', 'retrying', 'retrying']);
    expect(gateway.modelInfo().rankerVersion).toBe('v1');

    await redis.start();
    // Condition-based: the client reconnects with its own back-off; a bounded number of polls.
    let polls = 0;
    while (gateway.modelInfo().rankerVersion !== 'v2' && polls < 100) {
      await gateway.checkModel();
      polls++;
      if (gateway.modelInfo().rankerVersion !== 'v2') await new Promise((r) => setTimeout(r, 200));
    }
    expect(gateway.modelInfo().rankerVersion).toBe('v2');
    expect(reloads.at(-1)).toBe('loaded');
    expect(reloads).not.toContain('rejected');
    const served = await gateway.recommendations(homeRequest('outage-user'), gateway.createRequestScope());
    expect(served.modelVersion).toBe('v2');
    expect(served.items).toHaveLength(10);
  }, 120_000);

  it('still rejects a broken version once, with Redis down or up', async () => {
    reloads.length = 0;
    const served = gateway.modelInfo().rankerVersion;
    await redis.stop();
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v3-corrupt');
    await gateway.checkModel();
    expect(reloads).toEqual(['rejected']);
    await redis.start();
    for (let i = 0; i < 3; i++) await gateway.checkModel();
    expect(reloads).toEqual(['rejected']);
    expect(gateway.modelInfo().rankerVersion).toBe(served);
  }, 120_000);
});
