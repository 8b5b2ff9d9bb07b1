import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../src/stores/redis/deleteKeysByPrefix.js';
import { postGraphQL } from '../support/graphqlHttp.js';
import { startServeProcess } from '../support/serveProcess.js';
import type { ServeProcess } from '../support/serveProcess.js';
import { repoRoot, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Issue #4 §3: two `recgate serve` processes on different ports share one
 * real Redis (feature store and event log). Whatever one replica accepts, the
 * other serves at once.
 */
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `recgate-test-replicas:${randomBytes(6).toString('hex')}:`;
const ADMIN = 'replica-admin-token-0123456789';
const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-replicas-'));
let a: ServeProcess;
let b: ServeProcess;
let registry: string;
let env: Record<string, string>;

const LIST = `query($u: ID!, $first: Int!, $after: String) {
  recommendations(userId: $u, first: $first, after: $after) {
    requestId items { item { id } promotion { id } } pageInfo { hasNextPage endCursor } degraded
  }
}`;
type ListData = {
  recommendations: {
    requestId: string;
    items: { item: { id: string }; promotion: { id: string } | null }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    degraded: string[];
  };
};
async function list(server: ServeProcess, userId: string, first = 10, after: string | null = null) {
  const r = await postGraphQL(server.url, LIST, { u: userId, first, after });
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as ListData).recommendations;
}

beforeAll(async () => {
  registry = await trainedRegistry();
  env = {
    RECGATE_FEATURE_STORE: 'redis',
    RECGATE_EVENT_LOG: 'redis',
    REDIS_URL: redisUrl,
    RECGATE_REDIS_PREFIX: prefix,
    RECGATE_EVENT_STREAM: `${prefix}events`,
    RECGATE_ADMIN_TOKEN: ADMIN,
    RECGATE_EXPERIMENTS: path.join(repoRoot, 'config/experiments.example.yaml'),
    RECGATE_EVENT_LOG_FILE: path.join(varDir, 'unused.jsonl'),
    // Sharing is under test here, not the budget: on a loaded host a Redis call past the default
    // 150 ms is served by the replica's own snapshot (as documented, and named in `degraded`), and a
    // ranked list stored there is not on the other replica (a newcomer's run at load 6-10 failed so).
    RECGATE_BACKEND_BUDGET_MS: '2000',
  };
  // A first, then B: B finds the catalog A seeded and does not seed again.
  a = await startServeProcess(registry, env);
  b = await startServeProcess(registry, env);
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  const redis = new Redis(redisUrl);
  try {
    await deleteKeysByPrefix(redis, prefix);
  } finally {
    redis.disconnect();
    rmSync(varDir, { recursive: true, force: true });
  }
});

describe('two gateway replicas on one Redis', () => {
  let dismissedBy: { user: string; item: string } | null = null;

  it('runs on two ports', () => {
    expect(new URL(a.url).port).not.toBe(new URL(b.url).port);
  });

  it('feedback sent to A changes the next list from B', async () => {
    const user = `replica-user-${randomBytes(3).toString('hex')}`;
    const before = await list(b, user);
    const dismissed = before.items[0]!.item.id;
    const r = await postGraphQL(
      a.url,
      `mutation($u: ID!, $i: ID!) { recordFeedback(input: { userId: $u, itemId: $i, type: DISMISS }) { accepted error { code } } }`,
      { u: user, i: dismissed },
    );
    expect(r.body.data).toEqual({ recordFeedback: { accepted: true, error: null } });
    const after = await list(b, user);
    expect(after.items.map((x) => x.item.id)).not.toContain(dismissed);
    expect(after.degraded).toEqual([]);
    dismissedBy = { user, item: dismissed };
  });

  it('a cursor from page 1 on A gives page 2 on B, with no repeats', async () => {
    const user = `replica-pager-${randomBytes(3).toString('hex')}`;
    const page1 = await list(a, user, 10);
    expect(page1.degraded).toEqual([]); // stored in Redis, not in A's snapshot
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await list(b, user, 10, page1.pageInfo.endCursor);
    const again = await list(a, user, 10, page1.pageInfo.endCursor);
    expect(page2.requestId).toBe(page1.requestId);
    expect(page2.items).toHaveLength(10);
    const ids1 = new Set(page1.items.map((x) => x.item.id));
    expect(page2.items.filter((x) => ids1.has(x.item.id))).toEqual([]);
    // The same stored list: A's own page 2 is B's page 2.
    expect(page2.items.map((x) => x.item.id)).toEqual(again.items.map((x) => x.item.id));
  });

  it('a promotion created on A is served by B', async () => {
    const user = `replica-promo-${randomBytes(3).toString('hex')}`;
    const base = await list(b, user, 20);
    const promoted = base.items[base.items.length - 1]!.item.id;
    const id = `promo-${randomBytes(3).toString('hex')}`;
    const r = await postGraphQL(
      a.url,
      `mutation($p: PromotionInput!) { upsertPromotion(input: $p) { id } }`,
      { p: { id, itemIds: [promoted], positions: [1] } },
      { authorization: `Bearer ${ADMIN}` },
    );
    expect(r.body.data).toEqual({ upsertPromotion: { id } });
    const served = await list(b, user, 20);
    expect(served.items[0]).toEqual({ item: { id: promoted }, promotion: { id } });
    await postGraphQL(
      a.url,
      `mutation($id: ID!) { deletePromotion(id: $id) }`,
      { id },
      {
        authorization: `Bearer ${ADMIN}`,
      },
    );
  });

  it('assigns the same experiment variants on both', async () => {
    const q = `query($u: ID!) { experimentAssignments(userId: $u) { experiment variant bucket } }`;
    for (const user of ['u-1', 'u-2', 'u-3', 'someone-else']) {
      const fromA = await postGraphQL(a.url, q, { u: user });
      const fromB = await postGraphQL(b.url, q, { u: user });
      expect(fromA.body.errors).toBeUndefined();
      expect(
        (fromA.body.data as { experimentAssignments: unknown[] }).experimentAssignments.length,
      ).toBeGreaterThan(0);
      expect(fromB.body).toEqual(fromA.body);
    }
  });

  it('a restarted replica keeps the feedback effects (they live in Redis)', async () => {
    expect(dismissedBy).not.toBeNull();
    expect(await a.stop()).toBe(0);
    a = await startServeProcess(registry, env);
    const after = await list(a, dismissedBy!.user, 20);
    expect(after.items.length).toBe(20);
    expect(after.items.map((x) => x.item.id)).not.toContain(dismissedBy!.item);
    const user = await postGraphQL(a.url, `query($u: ID!) { user(id: $u) { id } }`, { u: dismissedBy!.user });
    expect(user.body.errors).toBeUndefined();
  }, 120_000);
});
