import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import type { UserSeed } from '../../../src/stores/featureStore.js';
import { keySlot } from '../../../src/stores/redis/keySlot.js';
import { closeRedisClient, createRedisClient } from '../../../src/stores/redis/redisConnection.js';
import { RedisEventLog } from '../../../src/stores/redis/redisEventLog.js';
import { RedisFeatureStore } from '../../../src/stores/redis/redisFeatureStore.js';
import { eventLogContract, feedbackRecord } from '../../contracts/eventLogContract.js';
import { featureStoreContract } from '../../contracts/featureStoreContract.js';
import { startRedisCluster } from '../../support/redisServers.js';
import type { RedisClusterProcesses } from '../../support/redisServers.js';

/**
 * Both Redis adapters on a real 3-master Redis Cluster (private processes
 * from startRedisCluster, killed in afterAll): the shared contract suites,
 * and the batching promises that Cluster makes hard — any items in one MGET
 * (the `{items}` hash tag), users in one pipeline per node.
 */
let cluster: RedisClusterProcesses;
/** A client for inspecting the cluster independently of the adapters. */
let admin: Cluster;
let stores = 0;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  admin = (await createRedisClient({ clusterNodes: cluster.nodes }, { log: () => undefined })) as Cluster;
}, 60_000);

afterAll(async () => {
  if (admin !== undefined) await closeRedisClient(admin);
  await cluster?.stop();
}, 60_000);

const connect = (options: Parameters<typeof RedisFeatureStore.connect>[0] = {}) =>
  RedisFeatureStore.connect({ clusterNodes: cluster.nodes, prefix: `t${++stores}:`, ...options });

featureStoreContract('redis cluster', async (clock, options) => connect({ now: clock.now, ...options }));

eventLogContract('redis cluster', async () => {
  const stream = `events:${++stores}`;
  const open = () => RedisEventLog.connect({ clusterNodes: cluster.nodes, stream });
  return { log: await open(), reopen: open };
});

/** The master (`host:port`) serving each key, asked of the servers themselves (CLUSTER KEYSLOT, CLUSTER SLOTS). */
async function mastersOf(keys: readonly string[]): Promise<string[]> {
  const ranges = await admin.cluster('SLOTS');
  return Promise.all(
    keys.map(async (key) => {
      const slot = (await admin.cluster('KEYSLOT', key)) as number;
      const [, , master] = ranges.find(([from, to]) => from <= slot && slot <= to)!;
      return `${master![0]}:${master![1]}`;
    }),
  );
}

/** Total MGET calls served by the masters so far (INFO commandstats). */
async function mgetCalls(): Promise<number> {
  const infos = await Promise.all(admin.nodes('master').map((node) => node.info('commandstats')));
  return infos.reduce((sum, info) => sum + Number(/cmdstat_mget:calls=(\d+)/.exec(info)?.[1] ?? 0), 0);
}

const item = (id: string): CatalogItem => ({
  id,
  title: `Title ${id}`,
  categories: ['c'],
  attributes: {},
  createdAt: null,
  available: true,
});

describe('RedisFeatureStore on Redis Cluster', () => {
  let store: RedisFeatureStore;
  beforeAll(async () => {
    store = await connect();
    return async () => store.close();
  });

  it('computes the same slots as the servers (keySlot = CLUSTER KEYSLOT)', async () => {
    for (const key of ['123456789', 'somekey', 't1:{items}:ctr:9', 't1:{u:42}:meta', 'foo{}{bar}', 'é{x']) {
      expect(keySlot(key), key).toBe(await admin.cluster('KEYSLOT', key));
    }
  });

  it('reads 250 items whose ids hash to every node in ONE MGET each for items and counters', async () => {
    const ids = Array.from({ length: 250 }, (_, k) => `item-${k}`);
    // Without the shared tag these ids would spread over all three masters.
    expect(new Set(await mastersOf(ids)).size).toBe(3);
    await store.upsertItems(ids.slice(0, 200).map(item));
    for (const id of ids.slice(0, 5)) await store.incrementItemCounters(id, 2, Date.now());

    store.resetCalls();
    const before = await mgetCalls();
    const items = await store.getItems(ids);
    expect(store.roundTrips).toBe(1);
    expect(await mgetCalls()).toBe(before + 1);
    expect(items.map((i) => i?.id ?? null)).toEqual(ids.map((id, k) => (k < 200 ? id : null)));

    const counters = await store.getItemCounters(ids);
    expect(store.roundTrips).toBe(2);
    expect(await mgetCalls()).toBe(before + 2);
    expect(counters.filter((c) => c !== null).length).toBe(5);
    expect(counters[0]!.popularity).toBeCloseTo(2, 6);
    expect((await store.listItemIds()).length).toBe(200);
  });

  it('reads 50 users with one pipeline per node, sent in parallel, in key order', async () => {
    const ids = Array.from({ length: 50 }, (_, k) => `u${k}`);
    for (const id of ids.slice(0, 25)) {
      await store.applyInteraction(
        id,
        { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
        { categories: ['x'], weight: 1 },
      );
    }
    const nodes = new Set(await mastersOf(ids.map((id) => `${store.prefix}{u:${id}}:meta`)));
    expect(nodes.size).toBe(3);

    store.resetCalls();
    const users = await store.getUsers([...ids, 'u0']);
    expect(store.roundTrips).toBe(nodes.size);
    expect(users.map((u) => u?.userId ?? null)).toEqual([...ids.map((id, k) => (k < 25 ? id : null)), 'u0']);
    expect(users[3]!.recent.map((e) => e.itemId)).toEqual(['a']);
  });

  it('seeds 300 users spread over every node and reads them back', async () => {
    const seeds: UserSeed[] = Array.from({ length: 300 }, (_, k) => ({
      userId: `seed${k}`,
      interactionCount: k,
      recent: [{ itemId: `i${k}`, type: 'RATING', value: 4, timestamp: 10 + k }],
      seen: [`i${k}`],
      dismissed: [],
      categoryWeights: { x: k },
      categoryLastSeen: { x: 10 + k },
      vector: Float32Array.from([k, -k]),
    }));
    store.resetCalls();
    await store.seedUsers(seeds);
    expect(store.roundTrips).toBe(3);
    const users = await store.getUsers(seeds.map((s) => s.userId));
    expect(users.map((u) => u!.interactionCount)).toEqual(seeds.map((s) => s.interactionCount));
    expect(Array.from(users[299]!.vector!)).toEqual([299, -299]);
  });
});

describe('RedisFeatureStore.deleteUserStates on Redis Cluster', () => {
  it('deletes the user keys on every master (impressions stay), and no item key', async () => {
    const store = await connect();
    try {
      const ids = Array.from({ length: 60 }, (_, k) => `gone${k}`);
      for (const id of ids) {
        await store.applyInteraction(
          id,
          { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
          { categories: ['x'], weight: 1 },
        );
      }
      await store.recordImpressions('gone0', ['a'], 5);
      await store.upsertItems([
        { id: 'a', title: null, categories: ['x'], attributes: {}, createdAt: null, available: true },
      ]);
      // The users are spread over every master, so one node's SCAN would not find them all.
      expect(new Set(await mastersOf(ids.map((id) => `${store.prefix}{u:${id}}:meta`))).size).toBe(3);
      const userKeys = async (): Promise<string[]> =>
        (await Promise.all(admin.nodes('master').map((node) => node.keys(`${store.prefix}{u:*`)))).flat();
      const before = (await userKeys()).length;

      expect(await store.deleteUserStates()).toBe(before - 2);
      expect(await store.getUsers(ids)).toEqual(ids.map(() => null));
      expect((await userKeys()).sort()).toEqual([
        `${store.prefix}{u:gone0}:imp`,
        `${store.prefix}{u:gone0}:impAt`,
      ]);
      expect((await store.getItems(['a']))[0]?.id).toBe('a');
    } finally {
      await store.close();
    }
  });
});

// Last: it shuts a master down for good (the cluster is killed in afterAll).
describe('A master of the Cluster down (no replica)', () => {
  it('rejects every call that needs it instead of hanging: MGET, per-node pipelines, MULTI, the event log', async () => {
    const store = await connect({ log: () => undefined });
    const [itemsMaster] = await mastersOf([`${store.prefix}{items}:ids`]);
    const users = Array.from({ length: 30 }, (_, k) => `down${k}`);
    const userMasters = await mastersOf(users.map((id) => `${store.prefix}{u:${id}}:meta`));
    const victimUser = users[userMasters.indexOf(itemsMaster!)]!;
    const streams = Array.from({ length: 30 }, (_, k) => `down:events:${k}`);
    const stream = streams[(await mastersOf(streams)).indexOf(itemsMaster!)]!;
    const log = await RedisEventLog.connect({ clusterNodes: cluster.nodes, stream, log: () => undefined });
    try {
      await store.upsertItems([item('a')]);
      await log.append([feedbackRecord(1)]);
      const victim = admin
        .nodes('master')
        .find((n) => `${n.options.host}:${n.options.port}` === itemsMaster)!;
      await victim.call('SHUTDOWN', 'NOSAVE').catch(() => undefined); // the reply never comes

      await expect(store.getItems(['a'])).rejects.toThrow();
      await expect(store.getItemCounters(['a'])).rejects.toThrow();
      // ioredis retries a Cluster pipeline without re-arming its command
      // timeouts; the store's pipeline deadline turns a hang into a rejection.
      await expect(store.getUsers(users)).rejects.toThrow();
      await expect(
        store.applyInteraction(
          victimUser,
          { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
          { categories: [], weight: 1 },
        ),
      ).rejects.toThrow();
      await expect(log.append([feedbackRecord(2)])).rejects.toThrow();
    } finally {
      await log.close();
      await store.close();
    }
  });
});
