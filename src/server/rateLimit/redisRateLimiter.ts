import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { ServerLogger } from '../serverLogger.js';
import type { RateLimitDecision, RateLimiter } from './rateLimiter.js';
import { bucketFillMs } from './tokenBucket.js';
import { TOKEN_BUCKET_LUA } from './tokenBucketLua.js';

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** A connected ioredis client or cluster; not closed by the limiter. */
  readonly redis: Redis | Cluster;
  /** Refill rate, tokens per second; > 0. */
  readonly rps: number;
  /** Bucket capacity; integer ≥ 1. */
  readonly burst: number;
  /** Prefix of every bucket key. @default 'recgate:ratelimit:' */
  readonly prefix?: string;
  /** Clock, Unix ms (sent to the script, so replicas need synchronised clocks, e.g. NTP). @default Date.now */
  readonly now?: () => number;
  /** Where the fail-open warning goes. @default no logging */
  readonly logger?: ServerLogger;
  /** Longest wait for Redis before the request is allowed anyway, in ms. @default 100 */
  readonly timeoutMs?: number;
}

/** The decision when Redis cannot decide. */
const ALLOW: RateLimitDecision = { allowed: true, remaining: 0, retryAfterMs: 0 };

/** Extra lifetime of a bucket key beyond the time it takes to refill, in ms. */
const TTL_MARGIN_MS = 1000;

/**
 * The shared {@link RateLimiter}: one Redis hash per client key,
 * `<prefix><client key>` (`t` tokens, `u` updatedAt), updated by one atomic
 * Lua script (refill + take, tokenBucketLua.ts; EVALSHA, loaded on first
 * use), so every gateway replica draws from the same bucket. Keys expire once
 * they would have refilled completely (plus 1 s). One key per call, so it
 * works on Redis Cluster as it is.
 *
 * Fails open: when the connection is not ready, a command fails or takes
 * longer than `timeoutMs`, the request is allowed. The first such failure
 * logs one warning; the next success logs that limiting resumed.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly name = 'redis';
  readonly rps: number;
  readonly burst: number;
  private readonly redis: Redis | Cluster;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly logger: ServerLogger | null;
  private readonly timeoutMs: number;
  private readonly sha = createHash('sha1').update(TOKEN_BUCKET_LUA).digest('hex');
  private failing = false;

  constructor(options: RedisRateLimiterOptions) {
    this.redis = options.redis;
    this.rps = options.rps;
    this.burst = options.burst;
    this.prefix = options.prefix ?? 'recgate:ratelimit:';
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? null;
    this.timeoutMs = options.timeoutMs ?? 100;
  }

  async take(clientKey: string): Promise<RateLimitDecision> {
    if (this.redis.status !== 'ready') {
      return this.failOpen(new Error(`the Redis connection is ${this.redis.status}`));
    }
    let reply: unknown;
    try {
      reply = await this.withTimeout(this.run(clientKey));
    } catch (error) {
      return this.failOpen(error);
    }
    if (this.failing) {
      this.failing = false;
      this.logger?.warn('rate limiter: Redis answers again; rate limiting resumed', {});
    }
    const [allowed, tokens, retryAfterMs] = reply as [number, string, number];
    return allowed === 1
      ? { allowed: true, remaining: Math.floor(Number(tokens)), retryAfterMs: 0 }
      : { allowed: false, remaining: 0, retryAfterMs: Number(retryAfterMs) };
  }

  /** Runs the script by its SHA, loading it when the server does not know it yet. */
  private async run(clientKey: string): Promise<unknown> {
    const key = `${this.prefix}${clientKey}`;
    const ttlMs = bucketFillMs(this.rps, this.burst) + TTL_MARGIN_MS;
    const args = [String(this.rps), String(this.burst), String(this.now()), String(ttlMs)];
    try {
      return await this.redis.evalsha(this.sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(TOKEN_BUCKET_LUA, 1, key, ...args);
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from Redis within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private failOpen(error: unknown): RateLimitDecision {
    if (!this.failing) {
      this.failing = true;
      this.logger?.warn(
        'rate limiter: Redis is unavailable; allowing every request until it answers (fail open)',
        {
          error: error instanceof Error ? error.message : String(error),
        },
      );
    }
    return ALLOW;
  }
}
