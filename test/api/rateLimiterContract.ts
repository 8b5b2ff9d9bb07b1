import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RateLimitDecision, RateLimiter } from '../../src/server/rateLimit/rateLimiter.js';

/** A hand-set clock: tests move `clock.now` (Unix ms) instead of sleeping. */
export interface TestClock {
  now: number;
}

/** Builds a limiter with the given rate and capacity that reads `clock`. */
export type MakeRateLimiter = (options: {
  rps: number;
  burst: number;
  clock: TestClock;
}) => Promise<RateLimiter>;

/** `allowed remaining` or `refused retryAfterMs` — a decision in one comparable string. */
const show = (d: RateLimitDecision): string =>
  d.allowed ? `allowed ${d.remaining}` : `refused ${d.retryAfterMs}`;

/**
 * The RateLimiter contract (src/server/rateLimit/rateLimiter.ts), run on
 * every implementation against the same hand-worked token-bucket values
 * (conventions.md §5 and §9): capacity `burst`, refill `rps` tokens a second,
 * one token a request, a refused request takes nothing and waits
 * ⌈(1 − tokens) × 1000 / rps⌉ ms.
 */
export function rateLimiterContract(name: string, make: MakeRateLimiter): void {
  describe(`RateLimiter contract: ${name}`, () => {
    it('follows the hand-worked sequence for rps 2, burst 3', async () => {
      const clock: TestClock = { now: 1_000_000 };
      const limiter = await make({ rps: 2, burst: 3, clock });
      const client = `client-${randomUUID()}`;
      const at = async (offsetMs: number): Promise<string> => {
        clock.now = 1_000_000 + offsetMs;
        return show(await limiter.take(client));
      };
      // t = 0: a new client starts full (3 tokens) and spends them; the 4th waits (1 − 0) × 1000 / 2 = 500 ms.
      expect([await at(0), await at(0), await at(0), await at(0)]).toEqual([
        'allowed 2',
        'allowed 1',
        'allowed 0',
        'refused 500',
      ]);
      // t = 100: 0.1 s × 2 = 0.2 tokens; still short of one: (1 − 0.2) × 1000 / 2 = 400 ms.
      expect(await at(100)).toBe('refused 400');
      // t = 500: 0 + 0.5 s × 2 = 1 token: allowed, nothing left.
      expect(await at(500)).toBe('allowed 0');
      // t = 1750: 1.25 s × 2 = 2.5 tokens → 1.5 → 0.5; then (1 − 0.5) × 1000 / 2 = 250 ms.
      expect([await at(1750), await at(1750), await at(1750)]).toEqual([
        'allowed 1',
        'allowed 0',
        'refused 250',
      ]);
      // t = 60 s: the refill is capped at the capacity, 3 → 2.
      expect(await at(60_000)).toBe('allowed 2');
      // t = 59 s, a clock that went back: no refill, 2 → 1 → 0, then a full 500 ms wait.
      expect([await at(59_000), await at(59_000), await at(59_000)]).toEqual([
        'allowed 1',
        'allowed 0',
        'refused 500',
      ]);
    });

    it('refills at fractional rates: rps 0.5, burst 1 allows one request every 2 s', async () => {
      const clock: TestClock = { now: 5_000_000 };
      const limiter = await make({ rps: 0.5, burst: 1, clock });
      const client = `slow-${randomUUID()}`;
      const at = async (offsetMs: number): Promise<string> => {
        clock.now = 5_000_000 + offsetMs;
        return show(await limiter.take(client));
      };
      expect(await at(0)).toBe('allowed 0');
      expect(await at(1000)).toBe('refused 1000'); // 0.5 tokens: (1 − 0.5) × 1000 / 0.5
      expect(await at(1999)).toBe('refused 1'); // 0.9995 tokens: (1 − 0.9995) × 1000 / 0.5 = 1 ms
      expect(await at(2000)).toBe('allowed 0');
    });

    it('keeps one bucket per client key', async () => {
      const clock: TestClock = { now: 7_000_000 };
      const limiter = await make({ rps: 1, burst: 1, clock });
      const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
      expect(show(await limiter.take(a))).toBe('allowed 0');
      expect(show(await limiter.take(a))).toBe('refused 1000');
      expect(show(await limiter.take(b))).toBe('allowed 0');
    });

    it('never lets concurrent requests overdraw a bucket: 25 at once on burst 10 allow exactly 10', async () => {
      const clock: TestClock = { now: 9_000_000 };
      const limiter = await make({ rps: 1, burst: 10, clock });
      const client = `burst-${randomUUID()}`;
      const decisions = await Promise.all(Array.from({ length: 25 }, () => limiter.take(client)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
      expect(
        decisions
          .filter((d) => d.allowed)
          .map((d) => d.remaining)
          .sort((x, y) => x - y),
      ).toEqual(Array.from({ length: 10 }, (_, i) => i));
    });
  });
}
