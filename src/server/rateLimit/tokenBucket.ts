import type { RateLimitDecision } from './rateLimiter.js';

/** A client's bucket: tokens held (fractional) as of `updatedAt` (Unix ms). */
export interface BucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

/**
 * The token-bucket step both limiters share (the Redis one runs the same
 * arithmetic in Lua, tokenBucketLua.ts, in the same order, so both give
 * bit-identical results): refill the bucket for the time since `updatedAt`,
 * `tokens + (now − updatedAt) × rps / 1000`, capped at `burst`; then take one
 * token if at least one is there. A refused request takes nothing and waits
 * `⌈(1 − tokens) × 1000 / rps⌉` ms for the next whole token. A clock that
 * went back (`now < updatedAt`, another replica's clock) refills nothing.
 * @param state null for a client without a bucket: it starts full.
 * @param now Unix ms. @param rps tokens per second, > 0. @param burst capacity, ≥ 1.
 * @returns the bucket to store and the decision.
 */
export function takeToken(
  state: BucketState | null,
  now: number,
  rps: number,
  burst: number,
): { state: BucketState; decision: RateLimitDecision } {
  let tokens = state === null ? burst : state.tokens;
  let updatedAt = state === null ? now : state.updatedAt;
  if (now > updatedAt) {
    tokens = Math.min(burst, tokens + ((now - updatedAt) * rps) / 1000);
    updatedAt = now;
  }
  if (tokens >= 1) {
    tokens -= 1;
    return {
      state: { tokens, updatedAt },
      decision: { allowed: true, remaining: Math.floor(tokens), retryAfterMs: 0 },
    };
  }
  // − 1e-9 keeps 400.00000000000006 ms (float noise) from rounding up to 401.
  const retryAfterMs = Math.max(1, Math.ceil(((1 - tokens) * 1000) / rps - 1e-9));
  return { state: { tokens, updatedAt }, decision: { allowed: false, remaining: 0, retryAfterMs } };
}

/**
 * How long an untouched bucket takes to fill up from empty, in ms: after
 * that it equals a missing one, so stores may forget it (Redis key TTL,
 * memory sweep). `⌈burst × 1000 / rps⌉`.
 */
export function bucketFillMs(rps: number, burst: number): number {
  return Math.ceil((burst * 1000) / rps);
}
