import type { Gateway, RequestScope } from '../services/gateway.js';
import type { AdminAuth } from './adminAuth.js';
import type { ServerLogger } from './serverLogger.js';

/**
 * The GraphQL context: built once per HTTP request by {@link createServer}
 * (never shared across requests, so per-request DataLoaders in `scope` never
 * leak between users). Resolvers read it; they never mutate it.
 */
export interface RequestContext {
  /** The engine. */
  readonly gateway: Gateway;
  /** Per-request engine state (request id, DataLoaders). */
  readonly scope: RequestScope;
  /** The request id: the caller's valid `x-request-id`, else a random UUID; echoed in the response header. */
  readonly requestId: string;
  /** Whether the caller presented the admin token (see {@link AdminAuth}). */
  readonly admin: AdminAuth;
  /**
   * Aborted when the client closed the connection before the response was
   * sent (also in `scope.signal`); absent when the context was not built for
   * an HTTP request (`contextFor` in tests).
   */
  readonly signal?: AbortSignal;
  /** Where resolvers report what the client must not see (guarded values, engine inconsistencies). */
  readonly logger: ServerLogger;
}
