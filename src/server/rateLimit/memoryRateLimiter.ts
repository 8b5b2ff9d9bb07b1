import type { RateLimitDecision, RateLimiter } from './rateLimiter.js';
import type { BucketState } from './tokenBucket.js';
import { bucketFillMs, takeToken } from './tokenBucket.js';

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Refill rate, tokens per second; > 0. */
  readonly rps: number;
  /** Bucket capacity; integer ≥ 1. */
  readonly burst: number;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
  /** Most buckets kept; past it the least recently used one is dropped (its client starts over full). @default 100000 */
  readonly maxKeys?: number;
}

/** Takes between two sweeps of full buckets. */
const SWEEP_EVERY = 1000;

/**
 * The in-process {@link RateLimiter}: one bucket per client key in a Map,
 * for a single gateway process (several replicas each count on their own:
 * use the Redis limiter to share the limit). Memory stays bounded: every
 * {@link SWEEP_EVERY} takes, buckets that have refilled completely (equal
 * to a missing one) are dropped, and past `maxKeys` the least recently used
 * bucket goes. Never rejects.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly name = 'memory';
  readonly rps: number;
  readonly burst: number;
  private readonly now: () => number;
  private readonly maxKeys: number;
  /** Client key → bucket, least recently used first (re-inserted on each take). */
  private readonly buckets = new Map<string, BucketState>();
  private takesSinceSweep = 0;

  constructor(options: MemoryRateLimiterOptions) {
    this.rps = options.rps;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  async take(clientKey: string): Promise<RateLimitDecision> {
    const now = this.now();
    const { state, decision } = takeToken(this.buckets.get(clientKey) ?? null, now, this.rps, this.burst);
    this.buckets.delete(clientKey);
    this.buckets.set(clientKey, state);
    if (++this.takesSinceSweep >= SWEEP_EVERY || this.buckets.size > this.maxKeys) this.sweep(now);
    return decision;
  }

  /** Drops buckets that are full by `now`, then the least recently used ones past `maxKeys`. */
  private sweep(now: number): void {
    this.takesSinceSweep = 0;
    const fillMs = bucketFillMs(this.rps, this.burst);
    for (const [key, state] of this.buckets) {
      if (now - state.updatedAt >= fillMs) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
