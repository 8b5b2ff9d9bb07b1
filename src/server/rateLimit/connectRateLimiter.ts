import { Cluster, Redis } from 'ioredis';
import type { ServerLogger } from '../serverLogger.js';
import { createRateLimiter } from './createRateLimiter.js';
import type { RateLimiter } from './rateLimiter.js';

/** Rate-limit settings of `recgate serve` (ServeConfig.rateLimit, read by serveConfigFrom). */
export interface RateLimitConfig {
  /** Requests per second per client; 0 = off. Env `RECGATE_RATE_LIMIT_RPS`. @default 0 */
  readonly rps: number;
  /** Bucket capacity, integer ≥ 1. Env `RECGATE_RATE_LIMIT_BURST`. @default max(1, ⌈rps⌉) */
  readonly burst: number;
  /** Redis URL when the gateway keeps its state in Redis, so buckets are shared by replicas; null = in process. @default null */
  readonly redisUrl: string | null;
  /** Redis Cluster seed nodes `host:port,host:port`; wins over `redisUrl`. @default null */
  readonly redisClusterNodes: string | null;
  /** Prefix of the bucket keys in Redis. @default 'recgate:ratelimit:' */
  readonly prefix: string;
}

/** A limiter and the connection it owns. */
export interface ConnectedRateLimiter {
  /** Null when rate limiting is off. */
  readonly rateLimiter: RateLimiter | null;
  /**
   * Resolves once the Redis connection is ready (at once without Redis);
   * never rejects, and never resolves while Redis stays down.
   */
  ready(): Promise<void>;
  /** Closes the Redis connection, if one was opened. */
  close(): Promise<void>;
}

/**
 * Builds `recgate serve`'s rate limiter from its {@link RateLimitConfig}:
 * none when `rps` is 0; the Redis limiter when a Redis URL or cluster is set
 * (its own connection, with the offline queue off so a down Redis fails
 * fast and the limiter fails open; connection errors are not logged here,
 * the limiter logs once when it starts failing open); else the memory one.
 * Does not wait for Redis: until it is connected, requests are allowed.
 * @throws RangeError for an `rps` or `burst` createRateLimiter refuses.
 */
export function connectRateLimiter(config: RateLimitConfig, logger: ServerLogger): ConnectedRateLimiter {
  if (config.rps === 0) return { rateLimiter: null, ready: async () => {}, close: async () => {} };
  let redis: Redis | Cluster | null = null;
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  if (config.redisClusterNodes !== null) {
    // `host:port,host:port`; an IPv6 host in brackets (`[::1]:7000`).
    const nodes = config.redisClusterNodes.split(',').map((node) => {
      const entry = node.trim();
      const colon = entry.lastIndexOf(':');
      return {
        host: entry.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
        port: Number(entry.slice(colon + 1)),
      };
    });
    redis = new Cluster(nodes, { enableOfflineQueue: false, redisOptions: options });
  } else if (config.redisUrl !== null) {
    redis = new Redis(config.redisUrl, options);
  }
  redis?.on('error', () => {}); // reported by the limiter (fail open, logged once)
  const rateLimiter = createRateLimiter({ ...config, redis, logger });
  return {
    rateLimiter,
    ready: async () => {
      if (redis === null || redis.status === 'ready') return;
      await new Promise<void>((resolve) => redis?.once('ready', () => resolve()));
    },
    close: async () => {
      if (redis === null) return;
      await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
