import type { RequestContext } from './requestContext.js';

/**
 * A last guard before graphql-js, which refuses NaN and ±Infinity for a
 * `Float` (and would then null the whole non-null list around it). The
 * engine guarantees finite values; should one slip through it is logged with
 * the request id and clamped: NaN → 0, ±Infinity → ±Number.MAX_VALUE.
 * @param field the schema coordinate, e.g. `Recommendation.score`, for the log.
 */
export function finiteFloat(value: number, field: string, ctx: RequestContext): number {
  if (Number.isFinite(value)) return value;
  ctx.logger.warn('clamped a non-finite Float', { requestId: ctx.requestId, field, value: String(value) });
  if (Number.isNaN(value)) return 0;
  return value > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}
