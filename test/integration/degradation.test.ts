import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCurrentVersion, readManifest } from '../../models/registry/registryPaths.js';
import { createServer } from '../../src/server/createServer.js';
import type { RunningServer } from '../../src/server/createServer.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { RedisEventLog } from '../../src/stores/redis/redisEventLog.js';
import { postGraphQL } from '../support/graphqlHttp.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Issue #4 §4: the gateway on its own Redis server (feature store and event
 * log), which the test pauses (`CLIENT PAUSE`), blocks (`DEBUG SLEEP`) and
 * stops and restarts. In each case:
 * - `recommendations` answers within its budget (`backendBudgetMs`) + 100 ms,
 *   from the in-process snapshot, with `degraded` naming the feature-store parts;
 * - feedback answers `accepted: false`, `UNAVAILABLE` within the event log's
 *   budget + 100 ms;
 * - once Redis answers again, the same gateway serves from it (no restart);
 * - afterwards every accepted event is in the Redis stream.
 * The Redis server runs with AOF (`appendfsync always`), as in docker/compose.yaml,
 * so a restart keeps its data.
 */
const BUDGET_MS = 150;
const LOG_BUDGET_MS = 300;
const RETRY_MS = 250;
const SLACK_MS = 100;

let redis: RedisProcess;
let gateway: Gateway;
let server: RunningServer;
let userId: string;
/** A user of the trained model, so the in-process snapshot knows them during an outage. */
let trainedUserId: string;
/** A cursor of a list stored in Redis while it was healthy. */
let cursor: string;
const stream = `recgate-degradation:${randomBytes(4).toString('hex')}:events`;
const accepted: string[] = [];
const durations: { what: string; ms: number }[] = [];

const LIST = `query($u: ID!) { recommendations(userId: $u, first: 10) { items { item { id } } degraded } }`;
const USER = `query($u: ID!) { user(id: $u) { id interactionCount degraded } }`;
const BOTH = `query($u: ID!) { user(id: $u) { degraded } recommendations(userId: $u, first: 10) { degraded } }`;
const ITEMS = `query($ids: [ID!]!) { items(ids: $ids) { id } }`;
const ITEM = `query($id: ID!) { item(id: $id) { id } }`;
const SIMILAR = `query($id: ID!) { similarItems(itemId: $id, first: 3) { items { rank } } }`;
const PAGE = `query($u: ID!, $after: String) { recommendations(userId: $u, first: 5, after: $after) { items { item { id } } pageInfo { endCursor } degraded } }`;
const FEEDBACK = `mutation($u: ID!, $i: ID!) { recordFeedback(input: { userId: $u, itemId: $i, type: CLICK }) { accepted eventId error { code } } }`;

async function timed<T>(what: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  const ms = performance.now() - t;
  durations.push({ what, ms });
  return { value, ms };
}

async function recommend(what: string) {
  const { value, ms } = await timed(what, () => postGraphQL(server.url, LIST, { u: userId }));
  expect(value.status).toBe(200);
  expect(value.body.errors).toBeUndefined();
  const list = (
    value.body.data as { recommendations: { items: { item: { id: string } }[]; degraded: string[] } }
  ).recommendations;
  return { ids: list.items.map((x) => x.item.id), degraded: list.degraded, ms };
}

async function userView(what: string) {
  const { value } = await timed(what, () => postGraphQL(server.url, USER, { u: trainedUserId }));
  expect(value.status).toBe(200);
  expect(value.body.errors).toBeUndefined();
  return (value.body.data as { user: { id: string; interactionCount: number; degraded: string[] } | null })
    .user;
}

async function feedback(what: string, itemId: string) {
  const { value, ms } = await timed(what, () => postGraphQL(server.url, FEEDBACK, { u: userId, i: itemId }));
  expect(value.status).toBe(200);
  const r = (
    value.body.data as {
      recordFeedback: { accepted: boolean; eventId: string | null; error: { code: string } | null };
    }
  ).recordFeedback;
  if (r.accepted) accepted.push(r.eventId!);
  return { ...r, ms };
}

/**
 * Polls until the gateway serves from Redis again, at most `ms`: lists are no
 * longer degraded and a feedback event is accepted (the event log has its own
 * connection, which may reconnect a little later).
 * @returns whether it recovered in time.
 */
async function recovered(itemId: string, ms = 15_000): Promise<boolean> {
  const until = Date.now() + ms;
  let listOk = false;
  while (Date.now() < until) {
    listOk ||= (await recommend('recovery poll (list)')).degraded.length === 0;
    if (listOk && (await feedback('recovery poll (feedback)', itemId)).accepted) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The checks of one outage, while it lasts. */
async function expectDegraded(kind: string): Promise<void> {
  const list = await recommend(`recommendations during ${kind}`);
  expect(list.ids).toHaveLength(10);
  // Which reads hit the outage first depends on timing; at least one was served from the snapshot.
  // Sources with a shorter budget than the store's (50 ms) may be named as well (e.g. `promotion`).
  expect(list.degraded.some((p) => p.startsWith('featureStore.'))).toBe(true);
  expect(list.ms).toBeLessThan(BUDGET_MS + SLACK_MS);
  // The circuit is open now: the next list skips Redis at once.
  const again = await recommend(`recommendations during ${kind} (circuit open)`);
  expect(again.degraded.length).toBeGreaterThan(0);
  expect(again.ms).toBeLessThan(BUDGET_MS + SLACK_MS);

  // user(id) from the snapshot says so too (attack report, issue #6 session 11).
  const user = await userView(`user during ${kind}`);
  expect(user?.id).toBe(trainedUserId);
  expect(user!.degraded.some((p) => p.startsWith('featureStore.'))).toBe(true);

  // One request with both fields: the user read they share marks both (fault-injection report, issue #6).
  const { value: both } = await timed(`user + recommendations during ${kind}`, () =>
    postGraphQL(server.url, BOTH, { u: trainedUserId }),
  );
  expect(both.body.errors).toBeUndefined();
  const bothData = both.body.data as {
    user: { degraded: string[] };
    recommendations: { degraded: string[] };
  };
  expect(bothData.user.degraded).toContain('featureStore.users');
  expect(bothData.recommendations.degraded).toContain('featureStore.users');

  // A user the snapshot does not know may exist in Redis: UNAVAILABLE, not "unknown" (null).
  const { value: unknown } = await timed(`unknown user during ${kind}`, () =>
    postGraphQL(server.url, USER, { u: `not-in-the-snapshot-${kind}` }),
  );
  expect(unknown.status).toBe(200);
  expect((unknown.body.data as { user: unknown }).user).toBeNull();
  expect(unknown.body.errors?.[0]?.extensions?.['code']).toBe('UNAVAILABLE');

  // The same for items: a known item answers, one the snapshot lacks is UNAVAILABLE at its position.
  const { value: items } = await timed(`items during ${kind}`, () =>
    postGraphQL(server.url, ITEMS, { ids: [list.ids[0]!, `not-in-the-snapshot-${kind}`] }),
  );
  expect(items.status).toBe(200);
  expect((items.body.data as { items: ({ id: string } | null)[] }).items).toEqual([
    { id: list.ids[0] },
    null,
  ]);
  expect(items.body.errors?.map((e) => [e.path, e.extensions?.['code'], e.extensions?.['field']])).toEqual([
    [['items', 1], 'UNAVAILABLE', 'ids[1]'],
  ]);
  const { value: one } = await timed(`item during ${kind}`, () =>
    postGraphQL(server.url, ITEM, { id: `not-in-the-snapshot-${kind}` }),
  );
  expect(one.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', field: 'id' });
  // similarItems of a seed the snapshot lacks: UNAVAILABLE too, not NOT_FOUND (attack report, session 18).
  const { value: similar } = await timed(`similarItems during ${kind}`, () =>
    postGraphQL(server.url, SIMILAR, { id: `not-in-the-snapshot-${kind}` }),
  );
  expect(similar.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', field: 'itemId' });

  const fb = await feedback(`feedback during ${kind}`, list.ids[0]!);
  expect(fb).toMatchObject({ accepted: false, eventId: null, error: { code: 'UNAVAILABLE' } });
  expect(fb.ms).toBeLessThan(LOG_BUDGET_MS + SLACK_MS);
}

beforeAll(async () => {
  redis = await startRedis({ persist: true });
  const registry = await trainedRegistry();
  gateway = await createGateway({
    registryDir: registry,
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    eventLog: 'redis',
    redisUrl: redis.url,
    eventStream: stream,
    backendBudgetMs: BUDGET_MS,
    backendRetryMs: RETRY_MS,
    eventLogBudgetMs: LOG_BUDGET_MS,
  });
  server = await createServer({ gateway, port: 0, host: '127.0.0.1' });
  userId = `degradation-user-${randomBytes(3).toString('hex')}`;
  const version = readCurrentVersion(registry, TEST_MODEL_NAME)!;
  const userIdsFile = readManifest(registry, TEST_MODEL_NAME, version).retrieval.userIds;
  trainedUserId = (
    JSON.parse(readFileSync(join(registry, TEST_MODEL_NAME, version, userIdsFile), 'utf8')) as string[]
  )[0]!;
}, 180_000);

afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await redis?.stop();
  const summary = durations.map((d) => `${d.what}: ${d.ms.toFixed(1)} ms`).join('\n  ');
  console.log(`degradation test request durations:\n  ${summary}`);
});

describe('graceful degradation when Redis fails', () => {
  it('serves normally while Redis answers', async () => {
    // An unknown item is null, with no error, while Redis answers.
    const unknown = await postGraphQL(server.url, ITEMS, { ids: ['no-such-item-anywhere'] });
    expect(unknown.body.errors).toBeUndefined();
    expect((unknown.body.data as { items: unknown[] }).items).toEqual([null]);
    const first = await postGraphQL(server.url, PAGE, { u: userId });
    cursor = (first.body.data as { recommendations: { pageInfo: { endCursor: string } } }).recommendations
      .pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    const list = await recommend('recommendations, healthy');
    expect(list.degraded).toEqual([]);
    expect((await userView('user, healthy'))?.degraded).toEqual([]);
    expect((await feedback('feedback, healthy', list.ids[0]!)).accepted).toBe(true);
  });

  it('CLIENT PAUSE: degrades within the budget, then recovers with no restart', async () => {
    await redis.pause(3000);
    await expectDegraded('CLIENT PAUSE');
    const list = await recommend('recommendations, paused');
    expect(await recovered(list.ids[1]!)).toBe(true);
    expect((await recommend('recommendations after CLIENT PAUSE')).degraded).toEqual([]);
  }, 30_000);

  it('DEBUG SLEEP: degrades within the budget, then recovers with no restart', async () => {
    await redis.sleep(3);
    await expectDegraded('DEBUG SLEEP');
    const list = await recommend('recommendations, sleeping');
    expect(await recovered(list.ids[2]!)).toBe(true);
    expect((await recommend('recommendations after DEBUG SLEEP')).degraded).toEqual([]);
  }, 30_000);

  it('server stopped: degrades within the budget; restarted: recovers with no restart of the gateway', async () => {
    await redis.stop();
    await expectDegraded('server stopped');
    // A list kept in Redis cannot be read now: UNAVAILABLE (retry), not "expired" (it has not).
    const during = await postGraphQL(server.url, PAGE, { u: userId, after: cursor });
    expect(during.body.errors?.[0]?.extensions?.['code']).toBe('UNAVAILABLE');
    expect(during.body.errors?.[0]?.message).toMatch(/cannot be read now.*retry/);
    // A list served during the outage is kept in this replica's fallback: it pages then and after.
    const outage = await postGraphQL(server.url, PAGE, { u: userId });
    const outageData = outage.body.data as {
      recommendations: { pageInfo: { endCursor: string }; degraded: string[] };
    };
    expect(outageData.recommendations.degraded).toContain('featureStore.rankedLists');
    const outageCursor = outageData.recommendations.pageInfo.endCursor;
    const list = await recommend('recommendations, stopped');
    await redis.start();
    expect(await recovered(list.ids[3]!)).toBe(true);
    const later = await postGraphQL(server.url, PAGE, { u: userId, after: outageCursor });
    expect(later.body.errors).toBeUndefined();
    expect((later.body.data as { recommendations: { items: unknown[] } }).recommendations.items).toHaveLength(
      5,
    );
    // The same cursor pages again once Redis is back.
    const after = await postGraphQL(server.url, PAGE, { u: userId, after: cursor });
    expect(after.body.errors).toBeUndefined();
    expect((after.body.data as { recommendations: { items: unknown[] } }).recommendations.items).toHaveLength(
      5,
    );
    expect((await recommend('recommendations after restart')).degraded).toEqual([]);
  }, 60_000);

  it('lost no accepted event: every accepted event id is in the Redis stream', async () => {
    // One while healthy, then one per recovery (the poll that succeeded).
    expect(accepted.length).toBe(4);
    const log = await RedisEventLog.connect({ url: redis.url, stream });
    try {
      const ids = new Set<string>();
      for await (const record of log.read()) ids.add(record.eventId);
      expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      await log.close();
    }
  });
});
