import { randomUUID } from 'node:crypto';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/createServer.js';
import type { RunningServer } from '../../src/server/createServer.js';
import { clientKeyOf } from '../../src/server/rateLimit/clientKeyOf.js';
import { connectRateLimiter } from '../../src/server/rateLimit/connectRateLimiter.js';
import { createRateLimiter } from '../../src/server/rateLimit/createRateLimiter.js';
import { MemoryRateLimiter } from '../../src/server/rateLimit/memoryRateLimiter.js';
import type { RateLimiter } from '../../src/server/rateLimit/rateLimiter.js';
import { RedisRateLimiter } from '../../src/server/rateLimit/redisRateLimiter.js';
import { serveConfigFrom } from '../../src/server/serverConfig.js';
import type { ServerLogger } from '../../src/server/serverLogger.js';
import { fakeGateway } from '../support/fakeGateway.js';
import { postGraphQL } from '../support/graphqlHttp.js';
import type { TestClock } from './rateLimiterContract.js';
import { rateLimiterContract } from './rateLimiterContract.js';

/**
 * Issue #5 §4, rate limiting: the token bucket against hand-worked values
 * with a hand-set clock (no sleeps), in memory and on the real Redis (never
 * mocked; every key under a random prefix, deleted afterwards), Redis
 * failing open, and 429 RATE_LIMITED over HTTP.
 */
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `recgate-test:${randomUUID()}:ratelimit:`;
const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);

beforeAll(async () => {
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`these tests need a real Redis at ${url} (set REDIS_URL): ${(err as Error).message}`, {
      cause: err,
    });
  }
});

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
});

/** A logger keeping its lines. */
function memoryLogger(): ServerLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    error: (message) => void lines.push({ level: 'error', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
  };
}

rateLimiterContract(
  'memory',
  async ({ rps, burst, clock }) => new MemoryRateLimiter({ rps, burst, now: () => clock.now }),
);
rateLimiterContract(
  'redis',
  async ({ rps, burst, clock }) => new RedisRateLimiter({ redis, rps, burst, prefix, now: () => clock.now }),
);

describe('RateLimiter: memory', () => {
  it('past maxKeys drops the least recently used bucket (its client starts over full)', async () => {
    const limiter = new MemoryRateLimiter({ rps: 1, burst: 1, now: () => 0, maxKeys: 3 });
    const allowed = async (key: string): Promise<boolean> => (await limiter.take(key)).allowed;
    expect([await allowed('a'), await allowed('b'), await allowed('c')]).toEqual([true, true, true]);
    expect(await allowed('a')).toBe(false); // a drained; order of use now b, c, a
    expect(await allowed('d')).toBe(true); // a 4th bucket: b, the least recently used, goes
    expect(limiter.size).toBe(3);
    expect(await allowed('b')).toBe(true); // b starts over full (and c goes)
    expect(await allowed('a')).toBe(false); // a was kept, still drained
  });

  it('every 1000 takes drops the buckets that have refilled completely (they equal missing ones)', async () => {
    const clock: TestClock = { now: 0 };
    const limiter = new MemoryRateLimiter({ rps: 1, burst: 1, now: () => clock.now });
    for (const key of ['x1', 'x2', 'x3', 'x4', 'x5']) await limiter.take(key);
    clock.now = 999;
    for (let i = 0; i < 995; i++) await limiter.take('y'); // the 1000th take sweeps: nothing is full yet
    expect(limiter.size).toBe(6);
    clock.now = 1000; // 1 s refills the x buckets' one token
    for (let i = 0; i < 1000; i++) await limiter.take('y'); // the next sweep drops them
    expect(limiter.size).toBe(1);
  });
});

describe('RateLimiter: redis', () => {
  it('keeps a bucket in one hash <prefix><client key> that expires once it would be full again (+1 s)', async () => {
    const limiter = new RedisRateLimiter({ redis, rps: 2, burst: 3, prefix, now: () => 1_000 });
    const client = `ttl-${randomUUID()}`;
    await limiter.take(client);
    const key = `${prefix}${client}`;
    expect(await redis.hgetall(key)).toEqual({ t: '2', u: '1000' });
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1500 + 1000); // 3 tokens / 2 per s = 1.5 s, plus 1 s
  });

  it('loads its script itself after SCRIPT FLUSH would have dropped it (NOSCRIPT → EVAL)', async () => {
    // A fresh client and a never-seen script SHA are the same case as a flushed script cache; rather
    // than flush the shared server's cache, check the limiter works on a connection that never ran it.
    const fresh = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      await fresh.ping();
      const limiter = new RedisRateLimiter({ redis: fresh, rps: 1, burst: 2, prefix, now: () => 0 });
      expect((await limiter.take(`fresh-${randomUUID()}`)).allowed).toBe(true);
    } finally {
      fresh.disconnect();
    }
  });

  it('fails open when its connection is down: allows, warns once, and says when limiting resumes', async () => {
    const own = new Redis(url, { maxRetriesPerRequest: 1 });
    own.on('error', () => undefined);
    await own.ping();
    const logger = memoryLogger();
    const limiter = new RedisRateLimiter({ redis: own, rps: 1, burst: 1, prefix, now: () => 0, logger });
    const client = `down-${randomUUID()}`;
    expect((await limiter.take(client)).allowed).toBe(true);
    expect((await limiter.take(client)).allowed).toBe(false);
    own.disconnect();
    try {
      for (let i = 0; i < 5; i++) expect((await limiter.take(client)).allowed).toBe(true);
      expect(logger.lines).toEqual([
        {
          level: 'warn',
          message: 'rate limiter: Redis is unavailable; allowing every request until it answers (fail open)',
        },
      ]);
      await own.connect();
      expect((await limiter.take(client)).allowed).toBe(false); // the bucket in Redis is still empty
      expect(logger.lines.at(-1)).toEqual({
        level: 'warn',
        message: 'rate limiter: Redis answers again; rate limiting resumed',
      });
    } finally {
      own.disconnect();
    }
  });

  it('fails open when Redis accepts the connection but never answers (after timeoutMs)', async () => {
    // A TCP server that never replies: ioredis without its ready check and CLIENT SETINFO is ready at once.
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const mute = new Redis({
      host: '127.0.0.1',
      port,
      enableReadyCheck: false,
      disableClientInfo: true,
      maxRetriesPerRequest: 1,
    });
    mute.on('error', () => undefined);
    try {
      if (mute.status !== 'ready') await new Promise<void>((resolve) => mute.once('ready', () => resolve()));
      const logger = memoryLogger();
      const limiter = new RedisRateLimiter({ redis: mute, rps: 1, burst: 1, timeoutMs: 50, logger });
      for (let i = 0; i < 3; i++) expect((await limiter.take('anyone')).allowed).toBe(true);
      expect(logger.lines).toHaveLength(1);
    } finally {
      mute.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('createRateLimiter and its settings', () => {
  it('is off (null) at 0 rps, in memory without Redis, in Redis with it', () => {
    expect(createRateLimiter({ rps: 0, burst: 0 })).toBeNull();
    expect(createRateLimiter({ rps: 5, burst: 10 })?.name).toBe('memory');
    expect(createRateLimiter({ rps: 5, burst: 10, redis })?.name).toBe('redis');
    expect(createRateLimiter({ rps: 5, burst: 10, redis: null })?.name).toBe('memory');
  });

  it.each([
    [{ rps: -1, burst: 1 }, 'rps: expected a number of requests per second ≥ 0, received -1'],
    [{ rps: Number.NaN, burst: 1 }, 'rps: expected a number of requests per second ≥ 0, received NaN'],
    [{ rps: 1, burst: 0 }, 'burst: expected an integer ≥ 1, received 0'],
    [{ rps: 1, burst: 2.5 }, 'burst: expected an integer ≥ 1, received 2.5'],
  ])('refuses %j', (options, message) => {
    expect(() => createRateLimiter(options)).toThrow(message);
  });

  it('reads RECGATE_RATE_LIMIT_RPS (default 0 = off) and RECGATE_RATE_LIMIT_BURST (default ⌈rps⌉)', () => {
    expect(serveConfigFrom({}, {}).rateLimit).toEqual({
      rps: 0,
      burst: 1,
      redisUrl: null,
      redisClusterNodes: null,
      prefix: 'recgate:ratelimit:',
    });
    expect(serveConfigFrom({}, { RECGATE_RATE_LIMIT_RPS: '2.5' }).rateLimit).toMatchObject({
      rps: 2.5,
      burst: 3,
    });
    expect(
      serveConfigFrom({}, { RECGATE_RATE_LIMIT_RPS: '5', RECGATE_RATE_LIMIT_BURST: '20' }).rateLimit,
    ).toMatchObject({ rps: 5, burst: 20 });
    expect(() => serveConfigFrom({}, { RECGATE_RATE_LIMIT_RPS: 'fast' })).toThrow(
      'RECGATE_RATE_LIMIT_RPS: expected a number ≥ 0 (0 = off), received "fast"',
    );
    expect(() => serveConfigFrom({}, { RECGATE_RATE_LIMIT_BURST: '0' })).toThrow(
      'RECGATE_RATE_LIMIT_BURST: expected a positive integer, received "0"',
    );
  });

  it('keeps buckets in Redis when the gateway keeps its state there, under the gateway prefix', () => {
    const env = {
      RECGATE_RATE_LIMIT_RPS: '5',
      RECGATE_FEATURE_STORE: 'redis',
      REDIS_URL: 'redis://cache:6380',
      RECGATE_REDIS_PREFIX: 'shop:',
    };
    expect(serveConfigFrom({}, env).rateLimit).toEqual({
      rps: 5,
      burst: 5,
      redisUrl: 'redis://cache:6380',
      redisClusterNodes: null,
      prefix: 'shop:ratelimit:',
    });
    expect(serveConfigFrom({}, { RECGATE_EVENT_LOG: 'redis' }).rateLimit.redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
  });

  it('connectRateLimiter opens its own Redis connection for serve, limits through it, and closes it', async () => {
    const { rateLimiter, ready, close } = connectRateLimiter(
      { rps: 1, burst: 1, redisUrl: url, redisClusterNodes: null, prefix },
      memoryLogger(),
    );
    try {
      expect(rateLimiter?.name).toBe('redis');
      // connectRateLimiter does not wait for the connection (until it is ready, requests are allowed).
      await ready();
      const client = `serve-${randomUUID()}`;
      expect((await rateLimiter!.take(client)).allowed).toBe(true);
      expect((await rateLimiter!.take(client)).allowed).toBe(false);
    } finally {
      await close();
    }
    expect(
      connectRateLimiter({ rps: 0, burst: 1, redisUrl: url, redisClusterNodes: null, prefix }, memoryLogger())
        .rateLimiter,
    ).toBeNull();
  });
});

describe('clientKeyOf: API key, else IP', () => {
  const req = (remoteAddress: string, headers: Record<string, string | string[]> = {}) => ({
    headers,
    socket: { remoteAddress },
  });

  it('keys by a hash of x-api-key when present, whatever the IP', () => {
    const a = clientKeyOf(req('10.0.0.1', { 'x-api-key': 'secret-key-1' }));
    expect(a).toMatch(/^key:[A-Za-z0-9_-]{22}$/);
    expect(a).not.toContain('secret');
    expect(clientKeyOf(req('10.0.0.2', { 'x-api-key': ' secret-key-1 ' }))).toBe(a);
    expect(clientKeyOf(req('10.0.0.1', { 'x-api-key': 'secret-key-2' }))).not.toBe(a);
    expect(clientKeyOf(req('10.0.0.1', { 'x-api-key': ['secret-key-1', 'other'] }))).toBe(a);
    expect(clientKeyOf(req('10.0.0.1', { 'x-api-key': 'k'.repeat(10_000) }))).toHaveLength(4 + 22);
  });

  it('keys by IPv4 address, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64 network', () => {
    expect(clientKeyOf(req('203.0.113.7'))).toBe('ip:203.0.113.7');
    expect(clientKeyOf(req('203.0.113.7', { 'x-api-key': '  ' }))).toBe('ip:203.0.113.7');
    expect(clientKeyOf(req('::ffff:203.0.113.7'))).toBe('ip:203.0.113.7');
    expect(clientKeyOf(req('2001:db8:0:1:aaaa:bbbb:cccc:dddd'))).toBe('ip:2001:db8:0:1::/64');
    expect(clientKeyOf(req('2001:db8:0:1::42'))).toBe('ip:2001:db8:0:1::/64');
    expect(clientKeyOf(req('2001:0DB8::1'))).toBe('ip:2001:db8:0:0::/64');
    expect(clientKeyOf(req('::1'))).toBe('ip:0:0:0:0::/64');
    expect(clientKeyOf(req('fe80::1%eth0'))).toBe('ip:fe80:0:0:0::/64');
  });
});

describe('Rate limiting over HTTP: the N+1th request gets 429 RATE_LIMITED with a retry hint', () => {
  const query = '{ modelInfo { itemCount } }';

  /** Sends `n` queries as `headers`'s client and returns the statuses. */
  const statuses = async (server: RunningServer, n: number, headers: Record<string, string> = {}) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await postGraphQL(server.url, query, undefined, headers)).status);
    return out;
  };

  it.each([
    ['memory', () => createRateLimiter({ rps: 1, burst: 3, now: () => 0 })],
    [
      'redis',
      () => createRateLimiter({ rps: 1, burst: 3, now: () => 0, redis, prefix: `${prefix}${randomUUID()}:` }),
    ],
  ] as const)(
    'with the %s limiter (burst 3, frozen clock)',
    async (_name, make: () => RateLimiter | null) => {
      const gateway = fakeGateway();
      const server = await createServer({ gateway, rateLimiter: make() });
      try {
        expect(await statuses(server, 3)).toEqual([200, 200, 200]);
        const refused = await postGraphQL(server.url, query, undefined, { 'x-request-id': 'limited-1' });
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('1');
        expect(refused.headers.get('x-request-id')).toBe('limited-1');
        expect(refused.body).toEqual({
          errors: [
            {
              message:
                'Too many requests from this client: the limit is 1 a second, in bursts of up to 3; received one more. Retry in 1 s.',
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 },
            },
          ],
        });
        const calls = gateway.calls.filter((c) => c.method === 'modelInfo').length;
        expect(calls).toBe(3); // the refused request never reached the engine
        // Another client (an API key) has its own bucket; GET queries count too; /healthz is not limited.
        expect(await statuses(server, 3, { 'x-api-key': 'partner-a' })).toEqual([200, 200, 200]);
        const get = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, {
          headers: { 'apollo-require-preflight': 'true' },
        });
        expect(get.status).toBe(429);
        expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
      } finally {
        await server.close();
      }
    },
  );

  it('refuses before reading the body: a 10 MB body from a limited client gets 429, not 413', async () => {
    const server = await createServer({
      gateway: fakeGateway(),
      rateLimiter: createRateLimiter({ rps: 1, burst: 1, now: () => 0 }),
    });
    try {
      expect(await statuses(server, 1)).toEqual([200]);
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, padding: 'x'.repeat(10 * 1024 * 1024) }),
      });
      expect(response.status).toBe(429);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    } finally {
      await server.close();
    }
  });

  it('gives the whole seconds until the next token: 0.2 rps waits 5 s', async () => {
    const server = await createServer({
      gateway: fakeGateway(),
      rateLimiter: createRateLimiter({ rps: 0.2, burst: 1, now: () => 0 }),
    });
    try {
      await statuses(server, 1);
      const refused = await postGraphQL(server.url, query);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 5 });
    } finally {
      await server.close();
    }
  });
});
