import type { ErrorRequestHandler } from 'express';
import { MASKED_MESSAGE, stackLines } from './errorMasking.js';
import type { ServerLogger } from './serverLogger.js';

/** Options of {@link httpErrorHandler}. */
export interface HttpErrorHandlerOptions {
  /** Where unexpected errors are logged, with the request id and stack. */
  readonly logger: ServerLogger;
  /** Send the stack of a 500 in `extensions.stacktrace` (RECGATE_DEBUG=1 only). @default false */
  readonly debug?: boolean;
}

/** The status, code and message a body-parser or express error becomes. */
function describeHttpError(err: unknown): { status: number; code: string; message: string } {
  const { status, type, limit, length, code } = err as {
    status?: unknown;
    type?: unknown;
    limit?: unknown;
    length?: unknown;
    code?: unknown;
  };
  switch (type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        code: 'BAD_REQUEST',
        message:
          'The request body must be a JSON object ({"query": …}); received a body that does not parse as one.',
      };
    case 'entity.too.deep':
      return {
        status: 400,
        code: 'BAD_REQUEST',
        message: `The request body must nest arrays and objects at most ${String(limit ?? 64)} levels deep; received a deeper body.`,
      };
    case 'entity.too.large':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message:
          `The request body must be at most ${String(limit)} bytes` +
          (typeof length === 'number' ? `; received ${length} bytes` : '; received more') +
          '. Send smaller batches (at most 1000 events or items).',
      };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return {
        status: 415,
        code: 'BAD_REQUEST',
        message: `The request body must be JSON in UTF-8 without a content encoding other than gzip, deflate or br; ${(err as Error).message}.`,
      };
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    // zlib's error (Z_DATA_ERROR, Z_BUF_ERROR…) while inflating a gzip, deflate or br body.
    return {
      status: 400,
      code: 'BAD_REQUEST',
      message: `The request body does not decompress as its Content-Encoding says (${(err as Error).message}); send it compressed with that encoding, or uncompressed without the header.`,
    };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: 'BAD_REQUEST', message: `The HTTP request was refused (status ${status}).` };
  }
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: MASKED_MESSAGE };
}

/**
 * Express's last error handler: turns errors raised before Apollo runs (a
 * body that is not JSON, nested too deeply, over the size limit, in another
 * charset) into a GraphQL-style JSON error with a stable `extensions.code`
 * and the right status:
 *
 * | status | code | when |
 * | 400 | `BAD_REQUEST` | the body does not parse as JSON, or nests deeper than 64 levels (jsonNestingLimit.ts) |
 * | 413 | `PAYLOAD_TOO_LARGE` | the body is over the body size limit (createServer's `bodyLimit`) |
 * | 415 | `BAD_REQUEST` | the body is not UTF-8, or has an unknown `Content-Encoding` |
 * | 400 | `BAD_REQUEST` | the body does not decompress as its `Content-Encoding` says |
 * | other 4xx | `BAD_REQUEST` | any other client error express reports |
 * | 500 | `INTERNAL_SERVER_ERROR` | anything else: masked, logged with the request id and stack |
 *
 * Replaces express's default handler, which would send an HTML page with a
 * stack trace. With `debug`, a 500 also carries `extensions.stacktrace`.
 */
export function httpErrorHandler(options: HttpErrorHandlerOptions): ErrorRequestHandler {
  const { logger, debug = false } = options;
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, code, message } = describeHttpError(err);
    if (status === 500) {
      logger.error('HTTP layer error', {
        requestId: String(req.headers['x-request-id'] ?? ''),
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    const extensions = { code, ...(status === 500 && debug && { stacktrace: stackLines(err) }) };
    res.status(status).json({ errors: [{ message, extensions }] });
  };
}
