import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * A malformed line in the middle of user-state.jsonl fails start-up on Redis
 * before the shared store is written (attack report, session 22: with records
 * parsed as they were seeded, the catalog, counters and ~8,000 users went to
 * Redis first). A private Redis server, so every key it holds is the gateway's.
 */
let redis: RedisProcess;
let registry: string;
let badLine: number;

beforeAll(async () => {
  redis = await startRedis();
  registry = mkdtempSync(path.join(os.tmpdir(), 'recgate-bad-user-state-'));
  cpSync(await trainedRegistry(), registry, { recursive: true });
  const version = readFileSync(path.join(registry, TEST_MODEL_NAME, 'CURRENT'), 'utf8').trim();
  const file = path.join(registry, TEST_MODEL_NAME, version, 'user-state.jsonl');
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(100);
  badLine = Math.floor(lines.length / 2) + 1;
  lines.splice(badLine - 1, 0, '{"userId": 7}');
  writeFileSync(file, lines.join('\n') + '\n');
}, 180_000);

afterAll(async () => {
  await redis?.stop();
  if (registry) rmSync(registry, { recursive: true, force: true });
});

describe('Redis seeding with a malformed user state line', () => {
  it('fails naming the file and line, and writes no catalog, counter or user key', async () => {
    const started = createGateway({
      registryDir: registry,
      modelName: TEST_MODEL_NAME,
      featureStore: 'redis',
      eventLog: 'redis',
      redisUrl: redis.url,
      modelPollMs: 0,
    });
    await expect(started).rejects.toThrow(
      new RegExp(`user-state\\.jsonl:${badLine}: expected a user state object: userId is not a string`),
    );
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      // At most the seeding's own bookkeeping (a "seeding" marker), never state.
      expect(keys.filter((k) => !/seed/i.test(k))).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 120_000);
});
