/** The outcome of one {@link RateLimiter.take}. */
export interface RateLimitDecision {
  /** Whether the request may go on (a token was taken). */
  readonly allowed: boolean;
  /** Whole tokens left in the client's bucket after this request (0 when refused). */
  readonly remaining: number;
  /** When refused, ms until the bucket holds one token again (≥ 1); 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * A per-client request rate limit: a token bucket per client key holding at
 * most `burst` tokens, refilled at `rps` tokens a second (continuously, not
 * in steps); each request takes one token, and a request finding less than
 * one is refused without taking anything. A new or long-idle client starts
 * with a full bucket.
 *
 * Contract (test/api/rateLimiterContract.ts runs it on every implementation):
 * `take` never rejects. An implementation whose store fails (Redis down or
 * slow) allows the request: rate limiting fails open, because refusing every
 * client would turn a Redis outage into an API outage.
 */
export interface RateLimiter {
  /** `memory` or `redis`, for logs. */
  readonly name: string;
  /** Refill rate, tokens per second (> 0). */
  readonly rps: number;
  /** Bucket capacity: the most requests a rested client may send at once (integer ≥ 1). */
  readonly burst: number;
  /** Takes one token from `clientKey`'s bucket (see clientKeyOf.ts for the keys the server uses). */
  take(clientKey: string): Promise<RateLimitDecision>;
}
