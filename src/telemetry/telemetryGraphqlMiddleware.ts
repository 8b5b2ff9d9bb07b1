import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, createContextKey, SpanKind, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR_REQUEST_ID, graphqlSpanName, TELEMETRY_SCOPE } from './telemetryNames.js';

const tracer = trace.getTracer(TELEMETRY_SCOPE);
const OPERATION_SPAN = createContextKey('recgate.graphql.operation_span');

/**
 * Express middleware for the GraphQL endpoint (mount it after the request-id
 * middleware and `express.json()`, before Apollo's `expressMiddleware`). It
 * starts the span of the GraphQL operation, a child of the HTTP server span,
 * and makes it the ACTIVE span for the rest of the request, so that
 * everything the resolvers do (`pipeline home`, its stages, Redis and HTTP
 * calls) nests under it; {@link telemetryApolloPlugin} names and annotates it
 * once the operation is known. It also puts `recgate.request_id` (the
 * request's `x-request-id` header) on the HTTP server span and on the
 * operation span. The span ends when the response closes (sent or aborted),
 * even if Apollo never saw the request. Never throws; with no SDK registered
 * it costs a no-op span.
 *
 * A plain Node signature, so it mounts on express as is.
 */
export function telemetryGraphqlMiddleware(): (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void {
  return (req, res, next) => {
    const header = req.headers['x-request-id'];
    const requestId = Array.isArray(header) ? header[0] : header;
    const root = trace.getActiveSpan();
    if (requestId !== undefined) root?.setAttribute(ATTR_REQUEST_ID, requestId);
    const span = tracer.startSpan(graphqlSpanName(null, null), {
      kind: SpanKind.INTERNAL,
      ...(requestId === undefined ? {} : { attributes: { [ATTR_REQUEST_ID]: requestId } }),
    });
    res.once('close', () => span.end());
    const active = trace.setSpan(context.active(), span).setValue(OPERATION_SPAN, span);
    context.with(active, next);
  };
}

/** The operation span {@link telemetryGraphqlMiddleware} started for the current request, if any. */
export function activeOperationSpan(): Span | undefined {
  return context.active().getValue(OPERATION_SPAN) as Span | undefined;
}
