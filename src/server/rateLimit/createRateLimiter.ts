import type { Cluster, Redis } from 'ioredis';
import type { ServerLogger } from '../serverLogger.js';
import { MemoryRateLimiter } from './memoryRateLimiter.js';
import type { RateLimiter } from './rateLimiter.js';
import { RedisRateLimiter } from './redisRateLimiter.js';

/** Options of {@link createRateLimiter}. */
export interface CreateRateLimiterOptions {
  /** Refill rate, requests per second per client (fractions allowed: 0.5 = one every 2 s); 0 = rate limiting off. Env `RECGATE_RATE_LIMIT_RPS`. @default 0 */
  readonly rps: number;
  /** Bucket capacity: the most requests a rested client may send at once; an integer ≥ 1 (read only when `rps` > 0). Env `RECGATE_RATE_LIMIT_BURST`. @default ⌈rps⌉ */
  readonly burst: number;
  /** A Redis client or cluster to share buckets between replicas (not closed by the limiter); null or absent: in this process. @default null */
  readonly redis?: Redis | Cluster | null;
  /** Prefix of the Redis bucket keys. @default 'recgate:ratelimit:' */
  readonly prefix?: string;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
  /** Where the Redis limiter's fail-open warning goes. @default none */
  readonly logger?: ServerLogger;
  /** Longest wait for Redis before allowing the request, in ms. @default 100 */
  readonly timeoutMs?: number;
}

/**
 * The rate limiter for createServer's `rateLimiter` option: a token bucket
 * per client of `burst` tokens refilled at `rps` a second, kept in Redis
 * when `redis` is given ({@link RedisRateLimiter}, fails open when Redis is
 * down), else in this process ({@link MemoryRateLimiter}).
 * @returns null when `rps` is 0 (rate limiting off).
 * @throws RangeError when `rps` is negative or not finite, or `burst` is not an integer ≥ 1 while `rps` > 0.
 */
export function createRateLimiter(options: CreateRateLimiterOptions): RateLimiter | null {
  const { rps, burst } = options;
  if (!Number.isFinite(rps) || rps < 0) {
    throw new RangeError(`rps: expected a number of requests per second ≥ 0, received ${String(rps)}`);
  }
  if (rps === 0) return null;
  if (!Number.isSafeInteger(burst) || burst < 1) {
    throw new RangeError(`burst: expected an integer ≥ 1, received ${String(burst)}`);
  }
  const common = {
    rps,
    burst,
    ...(options.now && { now: options.now }),
  };
  if (options.redis) {
    return new RedisRateLimiter({
      ...common,
      redis: options.redis,
      ...(options.prefix !== undefined && { prefix: options.prefix }),
      ...(options.logger && { logger: options.logger }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
  }
  return new MemoryRateLimiter(common);
}
