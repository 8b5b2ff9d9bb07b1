import type { ErrorRequestHandler } from 'express';
import type { ServerLogger } from './serverLogger.js';

/**
 * Express's last error handler: turns errors raised before Apollo runs (a
 * body that is not JSON, a body over the size limit) into a GraphQL-style JSON
 * error with the right status, and anything else into a masked 500. Replaces
 * express's default handler, which would send an HTML page with a stack trace.
 */
export function httpErrorHandler(logger: ServerLogger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: unknown }).status;
    const type = (err as { type?: unknown }).type;
    const requestId = String(req.headers['x-request-id'] ?? '');
    let message: string;
    let httpStatus: number;
    if (type === 'entity.parse.failed') {
      httpStatus = 400;
      message = 'The request body must be valid JSON; received a body that does not parse.';
    } else if (type === 'entity.too.large') {
      httpStatus = 413;
      message =
        'The request body is over the size limit; send smaller batches (at most 1000 events or items).';
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      httpStatus = status;
      message = `The HTTP request was refused (status ${status}).`;
    } else {
      httpStatus = 500;
      message =
        'Internal server error. It was logged with the request id in the x-request-id response header.';
      logger.error('HTTP layer error', {
        requestId,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    const code = httpStatus === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    res.status(httpStatus).json({ errors: [{ message, extensions: { code } }] });
  };
}
