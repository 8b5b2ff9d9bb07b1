import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { clientKeyOf } from './clientKeyOf.js';
import type { RateLimiter } from './rateLimiter.js';

/**
 * Express middleware taking one token per request from the client's bucket
 * ({@link clientKeyOf}: API key, else IP) before the body is read, so a
 * refused request costs no parsing. A refused request gets HTTP 429, the
 * header `Retry-After: <seconds>` and the body
 * `{"errors":[{"message":…,"extensions":{"code":"RATE_LIMITED","retryAfterSeconds":N}}]}`,
 * where N ≥ 1 is the whole seconds until the bucket holds a token again (the
 * header and the extension always agree). Allowed requests go on untouched.
 */
export function rateLimitMiddleware(limiter: RateLimiter): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const decision = await limiter.take(clientKeyOf(req));
    if (decision.allowed) return next();
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(429).json({
      errors: [
        {
          message:
            `Too many requests from this client: the limit is ${limiter.rps} a second, in bursts of up to ` +
            `${limiter.burst}; received one more. Retry in ${retryAfterSeconds} s.`,
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
        },
      ],
    });
  };
}
