import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Seconds a shed request is told to wait (`Retry-After`). */
export const SHED_RETRY_AFTER_SECONDS = 1;

/**
 * Load shedding for `/graphql`: at most `maxInFlight` requests are being
 * answered at once; one more is refused at once, before its body is read,
 * with HTTP 503, `Retry-After: 1` and the body
 * `{"errors":[{"message":…,"extensions":{"code":"OVERLOADED","retryAfterSeconds":1}}]}`.
 * A request counts from its arrival until its response is finished or its
 * client is gone (`res` `close`). Without a bound, a burst of slow or many
 * requests queues on the event loop (an attack with 200 concurrent clients
 * saw p99 latencies of 20 s and client time-outs); a fast refusal lets
 * clients and load balancers that honour `Retry-After` go elsewhere or wait.
 * Clients that retry at once cost the event loop the refusals (fewer answers
 * in all: docs/api.md, "Load shedding"), so `recgate serve` leaves it off
 * unless `RECGATE_MAX_IN_FLIGHT` is set. `/healthz`, `/readyz` and
 * `/metrics` are not behind it (it is mounted on `/graphql`).
 * @param maxInFlight the bound, an integer ≥ 1.
 * @param onShed called once per refused request (a metric).
 * @throws RangeError when `maxInFlight` is not an integer ≥ 1.
 */
export function inFlightLimitMiddleware(maxInFlight: number, onShed: () => void = () => {}): RequestHandler {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${maxInFlight}`);
  }
  let inFlight = 0;
  return (_req: Request, res: Response, next: NextFunction) => {
    if (inFlight >= maxInFlight) {
      onShed();
      res.setHeader('Retry-After', String(SHED_RETRY_AFTER_SECONDS));
      res.status(503).json({
        errors: [
          {
            message:
              `The server is answering ${inFlight} ${inFlight === 1 ? 'request' : 'requests'}, its limit (RECGATE_MAX_IN_FLIGHT); ` +
              `received one more. Retry in ${SHED_RETRY_AFTER_SECONDS} s.`,
            extensions: { code: 'OVERLOADED', retryAfterSeconds: SHED_RETRY_AFTER_SECONDS },
          },
        ],
      });
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    next();
  };
}
