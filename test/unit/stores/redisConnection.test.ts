import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisEventLog } from '../../../src/stores/redis/redisEventLog.js';
import { RedisFeatureStore } from '../../../src/stores/redis/redisFeatureStore.js';
import { NotSentError } from '../../../src/stores/notSentError.js';
import {
  closeRedisClient,
  createRedisClient,
  describeRedisTarget,
  reconnectDelayMs,
  redisTargetFromEnv,
  resolveRedisTarget,
} from '../../../src/stores/redis/redisConnection.js';
import { feedbackRecord, readAll } from '../../contracts/eventLogContract.js';
import { startRedis } from '../../support/redisServers.js';
import type { RedisProcess } from '../../support/redisServers.js';
import { plainItem } from '../../support/catalogItems.js';

/**
 * The connection factory both Redis adapters use: configuration from the
 * environment, fail-fast connect errors, and the degradation policy (no
 * offline queue, command timeout, reconnect forever, one log line per state
 * change) against private redis-server processes that the tests stop, start
 * and put to sleep (the shared Redis on 6379 is only read).
 */
const sharedUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('redisTargetFromEnv', () => {
  it('defaults to redis://127.0.0.1:6379 when nothing (or only blanks) is set', () => {
    expect(redisTargetFromEnv({})).toEqual({ url: 'redis://127.0.0.1:6379' });
    expect(redisTargetFromEnv({ REDIS_URL: ' ', REDIS_CLUSTER_NODES: '' })).toEqual({
      url: 'redis://127.0.0.1:6379',
    });
  });

  it('uses REDIS_URL for a single server', () => {
    expect(redisTargetFromEnv({ REDIS_URL: 'redis://cache:6380/2' })).toEqual({
      url: 'redis://cache:6380/2',
    });
  });

  it('prefers REDIS_CLUSTER_NODES over REDIS_URL, in order, spaces and IPv6 brackets allowed', () => {
    expect(
      redisTargetFromEnv({
        REDIS_URL: 'redis://ignored:6379',
        REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001 ,[::1]:7002',
      }),
    ).toEqual({
      clusterNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it('accepts the longest host name RFC 1035 allows (253 characters, labels of 63)', () => {
    const host = [63, 63, 63, 61].map((n) => 'a'.repeat(n)).join('.');
    expect(host).toHaveLength(253);
    expect(redisTargetFromEnv({ REDIS_CLUSTER_NODES: `${host}:7000` })).toEqual({
      clusterNodes: [{ host, port: 7000 }],
    });
  });

  it.each([
    'redis-a',
    'redis-a:7000,',
    ':7000',
    'redis-a:0',
    'redis-a:65536',
    'redis-a:70x',
    'redis-a:7000;b:7001',
    '::1:7000',
    `${'a'.repeat(254)}:7000`, // a host name is at most 253 characters (RFC 1035)
    `${'a'.repeat(64)}.example:7000`, // and each label at most 63
  ])('throws a RangeError naming the bad entry for REDIS_CLUSTER_NODES=%j', (nodes) => {
    expect(() => redisTargetFromEnv({ REDIS_CLUSTER_NODES: nodes })).toThrow(RangeError);
    expect(() => redisTargetFromEnv({ REDIS_CLUSTER_NODES: nodes })).toThrow(
      /^REDIS_CLUSTER_NODES must be a comma-separated list of host:port .*; got entry "/,
    );
  });
});

describe('resolveRedisTarget and describeRedisTarget', () => {
  it('takes url or clusterNodes as given, refuses both', () => {
    expect(resolveRedisTarget({ url: 'redis://a:1' })).toEqual({ url: 'redis://a:1' });
    const clusterNodes = [{ host: 'a', port: 1 }];
    expect(resolveRedisTarget({ clusterNodes })).toEqual({ clusterNodes });
    expect(() => resolveRedisTarget({ url: 'redis://a:1', clusterNodes })).toThrow(RangeError);
  });

  it('names a URL with its password masked, and a cluster by its nodes', () => {
    expect(describeRedisTarget({ url: 'redis://user:s3cret@cache:6379/1' })).toBe(
      'Redis at redis://user:***@cache:6379/1',
    );
    expect(describeRedisTarget({ url: 'redis://127.0.0.1:6379' })).toBe('Redis at redis://127.0.0.1:6379');
    expect(
      describeRedisTarget({
        clusterNodes: [
          { host: 'a', port: 7000 },
          { host: '::1', port: 7001 },
        ],
      }),
    ).toBe('Redis Cluster at nodes a:7000, [::1]:7001');
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from 50 ms and caps at 2000 ms: min(50·2^(n−1), 2000)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => reconnectDelayMs(n))).toEqual([
      50, 100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
    expect(reconnectDelayMs(3, 120)).toBe(120);
  });
});

describe('createRedisClient', () => {
  it('connects, answers PING, and turns the offline queue off once connected', async () => {
    const client = (await createRedisClient({ url: sharedUrl })) as Redis;
    try {
      expect(await client.ping()).toBe('PONG');
      expect(client.options.enableOfflineQueue).toBe(false);
      expect(client.options.commandTimeout).toBe(1000);
      expect(client.options.connectTimeout).toBe(2000);
      expect(client.options.maxRetriesPerRequest).toBe(1);
    } finally {
      await closeRedisClient(client);
    }
  });

  it('rejects with the URL (password masked) and the socket error when the server is unreachable', async () => {
    const failure = createRedisClient({ url: 'redis://:hunter2@127.0.0.1:1' });
    await expect(failure).rejects.toThrow(
      /^cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it('rejects naming every node when no cluster node is reachable', async () => {
    await expect(
      createRedisClient({
        clusterNodes: [
          { host: '127.0.0.1', port: 1 },
          { host: '127.0.0.1', port: 2 },
        ],
      }),
    ).rejects.toThrow(/^cannot connect to Redis Cluster at nodes 127\.0\.0\.1:1, 127\.0\.0\.1:2: .+/);
  });

  it('refuses non-positive timeouts and an empty node list with a RangeError', async () => {
    await expect(createRedisClient({ url: sharedUrl }, { commandTimeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(createRedisClient({ url: sharedUrl }, { connectTimeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(createRedisClient({ clusterNodes: [] })).rejects.toThrow(RangeError);
  });
});

describe('Degradation and recovery (private redis-server)', () => {
  let server: RedisProcess;
  beforeAll(async () => {
    server = await startRedis();
  }, 60_000);
  afterAll(async () => server?.stop(), 60_000);

  it('rejects at once while Redis is down, then the same store works again once it is back (one log line each way)', async () => {
    const lines: string[] = [];
    const store = await RedisFeatureStore.connect({ url: server.url, log: (line) => lines.push(line) });
    let retries = 0;
    store.redis.on('reconnecting', () => retries++);
    try {
      await store.upsertItems([plainItem('a')]);
      const pid = server.pid;
      await server.stop();
      expect(() => process.kill(pid, 0)).toThrow(); // the process is gone

      // A call racing the disconnect rejects too (it may be the in-flight one).
      await expect(store.getItems(['a'])).rejects.toThrow();
      // Once the client saw the loss, calls fail fast: nothing is queued, and they say so (NotSentError: safe to retry).
      await vi.waitFor(() => expect(lines.length).toBe(1), { timeout: 10_000 });
      await expect(store.getItems(['a'])).rejects.toThrow(
        /the command was not sent \(the offline queue is off\)/,
      );
      const write = await store
        .applyInteraction(
          'u',
          { itemId: 'a', type: 'CLICK', value: null, timestamp: 1 },
          { categories: [], weight: 1 },
        )
        .catch((e: unknown) => e);
      expect(write).toBeInstanceOf(NotSentError);
      // Several failed reconnect attempts, still one line.
      await vi.waitFor(() => expect(retries).toBeGreaterThanOrEqual(4), { timeout: 20_000 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^RedisFeatureStore: lost Redis at redis://127\\.0\\.0\\.1:${server.port} \\(.*\\); commands fail fast while reconnecting \\(backoff up to 2000 ms\\)$`,
        ),
      );

      await server.start(); // the same port, empty (nothing is persisted)
      await vi.waitFor(() => store.getItems(['a']), { timeout: 20_000, interval: 100 });
      await store.upsertItems([plainItem('b')]);
      expect((await store.getItems(['a', 'b'])).map((i) => i?.id ?? null)).toEqual([null, 'b']);
      expect(lines).toEqual([lines[0], `RedisFeatureStore: reconnected to Redis at ${server.url}`]);
    } finally {
      await store.close();
    }
  });

  it('rejects an event-log append while Redis is down and appends again once it is back', async () => {
    const log = await RedisEventLog.connect({ url: server.url, stream: 'events', log: () => undefined });
    try {
      await log.append([feedbackRecord(1)]);
      await server.stop();
      await expect(log.append([feedbackRecord(2)])).rejects.toThrow();
      await server.start();
      await vi.waitFor(() => log.append([feedbackRecord(3)]), { timeout: 20_000, interval: 100 });
      expect((await readAll(log)).map((r) => r.eventId)).toEqual(['e0-3']);
    } finally {
      await log.close();
    }
  });

  it('rejects with ioredis’s command timeout when the server sleeps past commandTimeoutMs (200 ms)', async () => {
    const store = await RedisFeatureStore.connect({
      url: server.url,
      commandTimeoutMs: 200,
      log: () => undefined,
    });
    try {
      await server.sleep(2);
      // Let the server pick up DEBUG SLEEP before our command (a scheduling
      // margin, not an assertion on time).
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(store.getItems(['a'])).rejects.toThrow('Command timed out');
      await vi.waitFor(() => store.getItems(['a']), { timeout: 20_000, interval: 200 });
    } finally {
      await store.close();
    }
  });

  it('rejects with the command timeout during CLIENT PAUSE, and answers after it', async () => {
    const store = await RedisFeatureStore.connect({
      url: server.url,
      commandTimeoutMs: 200,
      log: () => undefined,
    });
    try {
      await server.pause(1500);
      await expect(store.getRankedList('r')).rejects.toThrow('Command timed out');
      await vi.waitFor(() => store.getRankedList('r'), { timeout: 20_000, interval: 200 });
    } finally {
      await store.close();
    }
  });

  it('closes without rejecting while Redis is down', async () => {
    const store = await RedisFeatureStore.connect({ url: server.url, log: () => undefined });
    await server.stop();
    await expect(store.close()).resolves.toBeUndefined();
    await server.start();
  });
});
