import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Telemetry } from './telemetry.js';
import { activeOperationSpan } from './telemetryGraphqlMiddleware.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GRAPHQL_DOCUMENT,
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_GRAPHQL_OPERATION_TYPE,
  ATTR_REQUEST_ID,
  graphqlSpanName,
  TELEMETRY_SCOPE,
} from './telemetryNames.js';
import { getTelemetry } from './telemetryRuntime.js';

/** Options of {@link telemetryApolloPlugin}. */
export interface TelemetryApolloPluginOptions {
  /**
   * Put the document text on the span as `graphql.document` (semconv,
   * opt-in): useful for debugging, but literals in it can be user data.
   * @default false
   */
  readonly includeDocument?: boolean;
  /** Where operation metrics go. @default getTelemetry() at each response (the started facade, else a no-op) */
  readonly telemetry?: Telemetry;
}

const tracer = trace.getTracer(TELEMETRY_SCOPE);
/** Errors recorded as `exception` events on one span, at most. */
const MAX_EXCEPTION_EVENTS = 5;

/**
 * Apollo Server plugin: one span per GraphQL operation, named per the
 * OpenTelemetry GraphQL semantic conventions (`query recommendations`,
 * `mutation`, `GraphQL Operation` when no operation resolved) with
 * `graphql.operation.name`, `graphql.operation.type`, optionally
 * `graphql.document`, and `recgate.request_id` (the context's `requestId`,
 * else the `x-request-id` header); status ERROR with `error.type` (the first
 * error's `extensions.code`, else the class name of the error a resolver threw) and up to 5 `exception`
 * events when the response carries errors. It also records
 * `recgate_operation_duration_seconds` through the {@link Telemetry} facade.
 *
 * Span: the one {@link telemetryGraphqlMiddleware} started (then resolvers'
 * spans nest under it); without that middleware (e.g. `executeOperation` in
 * tests) the plugin starts and ends its own span, a child of the active
 * (HTTP server) span but not a parent of the resolvers' spans, since an
 * Apollo plugin cannot make a span active around execution.
 */
export function telemetryApolloPlugin<TContext extends BaseContext>(
  options: TelemetryApolloPluginOptions = {},
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue, request }) {
      const started = performance.now();
      const shared = activeOperationSpan();
      const span = shared ?? tracer.startSpan(graphqlSpanName(null, null), { kind: SpanKind.INTERNAL });
      const fromContext = (contextValue as { readonly requestId?: unknown }).requestId;
      const requestId =
        typeof fromContext === 'string' ? fromContext : request.http?.headers.get('x-request-id');
      if (requestId) span.setAttribute(ATTR_REQUEST_ID, requestId);
      let type: string | null = null;
      let name: string | null = null;
      let ok = true;
      return {
        async didResolveOperation({ operation, operationName, source }) {
          if (operation === undefined) return;
          type = operation.operation;
          name = operationName;
          span.updateName(graphqlSpanName(type, name));
          span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, type);
          if (name !== null) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, name);
          if (options.includeDocument === true) span.setAttribute(ATTR_GRAPHQL_DOCUMENT, source);
        },
        async didEncounterErrors({ errors }) {
          ok = false;
          const first = errors[0];
          const code = first?.extensions['code'];
          const type = typeof code === 'string' ? code : (first?.originalError?.name ?? first?.name);
          span.setAttribute(ATTR_ERROR_TYPE, type ?? 'GraphQLError');
          span.setStatus({ code: SpanStatusCode.ERROR, message: first?.message ?? 'GraphQL error' });
          for (const error of errors.slice(0, MAX_EXCEPTION_EVENTS)) span.recordException(error);
        },
        async willSendResponse() {
          const seconds = (performance.now() - started) / 1000;
          (options.telemetry ?? getTelemetry()).recordOperation(name, type, seconds, ok);
          if (shared === undefined) span.end();
        },
      };
    },
  };
}
