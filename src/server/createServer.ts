import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { resolvers } from '../../resolvers/index.js';
import type { Gateway } from '../services/gateway.js';
import { authenticateAdmin } from './adminAuth.js';
import { clientErrorHandler } from './clientErrorHandler.js';
import { debugEnabled } from './debugEnabled.js';
import { createErrorMasking } from './errorMasking.js';
import { GRAPHIQL_ASSET_PATH, serveGraphiqlAsset } from './graphiql/graphiqlAssets.js';
import { exampleQuery, GRAPHIQL_CSP, graphiqlPage } from './graphiql/graphiqlPage.js';
import { loadTypeDefs } from './loadTypeDefs.js';
import type { RequestContext } from './requestContext.js';
import { metricsHandler } from '../telemetry/metricsHandler.js';
import { logger as jsonLogger } from '../telemetry/logger.js';
import { telemetryApolloPlugin } from '../telemetry/telemetryApolloPlugin.js';
import { telemetryGraphqlMiddleware } from '../telemetry/telemetryGraphqlMiddleware.js';
import { requestIdFrom } from './requestIdFrom.js';
import { httpErrorHandler } from './httpErrorHandler.js';
import { introspectionEnabled } from './introspectionEnabled.js';
import { apolloLimits } from './limits/apolloLimits.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './limits/bodyLimit.js';
import { jsonNestingLimit } from './limits/jsonNestingLimit.js';
import type { QueryLimits } from './limits/queryLimits.js';
import { resolveQueryLimits } from './limits/queryLimits.js';
import type { RateLimiter } from './rateLimit/rateLimiter.js';
import { rateLimitMiddleware } from './rateLimit/rateLimitMiddleware.js';
import { inFlightLimitMiddleware } from './overload/inFlightLimit.js';
import type { ServerLogger } from './serverLogger.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { getTelemetry } from '../telemetry/telemetryRuntime.js';

/** Most abort listeners a request's signal takes before Node warns of a leak (one per running source). */
const MAX_REQUEST_ABORT_LISTENERS = 1000;

/** Abort signal of each in-flight `/graphql` request, set before its body is read (see {@link createServer}). */
const requestSignals = new WeakMap<Request, AbortSignal>();

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** The engine behind the API. The server does not close it. */
  readonly gateway: Gateway;
  /** Secret for admin mutations (`Authorization: Bearer <token>`); undefined or empty disables them. */
  readonly adminToken?: string;
  /**
   * Allow schema introspection (GraphiQL needs it); off also hides "Did you
   * mean …" suggestions in errors.
   * @default introspectionEnabled(process.env): `RECGATE_INTROSPECTION`, else on unless NODE_ENV=production
   */
  readonly introspection?: boolean;
  /**
   * Send masked errors' stack traces in `extensions.stacktrace`. Never on by
   * itself in any NODE_ENV.
   * @default debugEnabled(process.env): true only with RECGATE_DEBUG=1
   */
  readonly debug?: boolean;
  /**
   * Per-client rate limit of `/graphql` (createRateLimiter in
   * src/server/rateLimit/); null = none. The server does not close it.
   * @default null
   */
  readonly rateLimiter?: RateLimiter | null;
  /**
   * Load shedding: most `/graphql` requests answered at once, 503 OVERLOADED
   * past it (inFlightLimitMiddleware, src/server/overload/); 0 = no limit.
   * `recgate serve` passes `RECGATE_MAX_IN_FLIGHT` (off by default).
   * @default 0
   */
  readonly maxInFlight?: number;
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** A user id of the served model for GraphiQL's example query; without one the example is a cold-start query. */
  readonly exampleUserId?: string;
  /**
   * Largest request body: bytes, or express's notation (`'1mb'`). A larger
   * body gets 413 PAYLOAD_TOO_LARGE before it is parsed.
   * @default DEFAULT_BODY_LIMIT_BYTES (1 MiB)
   */
  readonly bodyLimit?: number | string;
  /** Where masked errors and guarded values are logged. @default JSON lines on stderr */
  readonly logger?: ServerLogger;
  /**
   * Limits on the shape of a document (depth, aliases, directives, tokens,
   * list entries); omitted ones keep their default.
   * @default DEFAULT_QUERY_LIMITS (src/server/limits/queryLimits.ts)
   */
  readonly limits?: Partial<QueryLimits>;
  /** Where `recgate_requests_aborted_total` is counted. @default getTelemetry() when a request aborts */
  readonly telemetry?: Telemetry;
}

/** A running server. */
export interface RunningServer {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  readonly port: number;
  /** The Apollo Server, for `executeOperation` in tests (pass {@link RunningServer.contextFor}). */
  readonly apollo: ApolloServer<RequestContext>;
  /**
   * The context an HTTP request with these headers would get (lower-case
   * header names). `options.signal` stands for the request's abort signal
   * (aborted when its client disconnects); without one the context's
   * pipeline runs are never aborted.
   */
  contextFor(
    headers?: Readonly<Record<string, string>>,
    options?: { readonly signal?: AbortSignal },
  ): RequestContext;
  /** Stops accepting requests, drains in-flight ones and closes the port. Does not close the gateway. */
  close(): Promise<void>;
}

/**
 * Starts recgate's HTTP server: Apollo Server 5 on express 5 at `/graphql`
 * (POST and GET, CSRF prevention on), GraphiQL for browsers at `GET /graphql`
 * with its assets under `/graphiql/assets/`, and `GET /healthz`. Every
 * response carries `x-request-id`. Errors are masked (see errorMasking.ts).
 * Documents over a {@link QueryLimits} limit are refused before they run,
 * and HTTP batching is off. Before a body is read, a `rateLimiter` may refuse
 * the request (429 RATE_LIMITED); bodies over `bodyLimit` (413
 * PAYLOAD_TOO_LARGE), not UTF-8 or nested deeper than 64 levels (415/400
 * BAD_REQUEST) are refused before they are parsed; variables are checked
 * before coercion (variableShapeGuard.ts). Requests Node's HTTP parser
 * refuses (headers over 16 KiB) get the same JSON error body (clientErrorHandler.ts).
 * Every refusal is listed in docs/api.md.
 *
 * Every `/graphql` request gets an AbortSignal (in its context and its
 * gateway request scope) that aborts when the client closes the connection
 * before the response was fully sent (`res` `close` without
 * `writableFinished`): the engine then stops at its next pipeline stage and
 * logs nothing as served. Such a request is counted in
 * `recgate_requests_aborted_total` and logged with one `info` line (request
 * id, method, path), never as an error.
 * @throws RangeError when a limit is not a positive integer, or RECGATE_INTROSPECTION (read when
 *   `introspection` is not given) is neither true nor false.
 */
export async function createServer(options: CreateServerOptions): Promise<RunningServer> {
  const { gateway, adminToken } = options;
  const logger = options.logger ?? jsonLogger;
  const app = express();
  app.disable('x-powered-by');
  // No ETag: GraphQL POST answers are not revalidated, and hashing every body costs CPU per request.
  app.set('etag', false);
  const httpServer: Server = createHttpServer(app);
  httpServer.on('clientError', clientErrorHandler());
  const introspection = options.introspection ?? introspectionEnabled(process.env);
  const debug = options.debug ?? debugEnabled(process.env);
  if (debug) {
    logger.warn('debug mode (RECGATE_DEBUG=1): masked errors carry their stack trace to clients', {});
  }
  const masking = createErrorMasking({ logger, debug });
  const limits = apolloLimits(resolveQueryLimits(options.limits));
  const apollo = new ApolloServer<RequestContext>({
    // Shutdown is recgate's (src/cli/registerServe.ts): Apollo's own handler would re-raise
    // SIGTERM after stop() and kill the process before the event log is flushed.
    stopOnTerminationSignals: false,
    typeDefs: loadTypeDefs(),
    resolvers,
    introspection,
    // Without introspection, "Did you mean …" suggestions would reveal the schema instead.
    hideSchemaDetailsFromClientErrors: !introspection,
    includeStacktraceInErrorResponses: false,
    formatError: masking.formatError,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used, and the plugin would wrap every field resolver (a cost per field).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      masking.plugin,
      ...limits.plugins,
      telemetryApolloPlugin<RequestContext>(),
    ],
  });
  await apollo.start();

  const contextFor = (
    headers: Readonly<Record<string, string | string[] | undefined>> = {},
    contextOptions: { readonly signal?: AbortSignal } = {},
  ): RequestContext => {
    const requestId = requestIdFrom(headers['x-request-id']);
    const authorization = headers['authorization'];
    const { signal } = contextOptions;
    return {
      gateway,
      logger,
      requestId,
      ...(signal === undefined ? {} : { signal }),
      scope: gateway.createRequestScope(signal === undefined ? { requestId } : { requestId, signal }),
      admin: authenticateAdmin(Array.isArray(authorization) ? authorization[0] : authorization, adminToken),
    };
  };
  const page = graphiqlPage({ defaultQuery: exampleQuery(options.exampleUserId) });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    void gateway.readiness().then(
      (r) =>
        res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not ready', checks: r.checks }),
      (err: unknown) =>
        res
          .status(503)
          .json({ status: 'not ready', checks: [{ name: 'gateway', ok: false, detail: String(err) }] }),
    );
  });
  app.get('/metrics', metricsHandler);
  app.get('/', (_req, res) => res.redirect(302, '/graphql'));
  app.get('/favicon.ico', (_req, res) => void res.status(204).end()); // browsers ask; spare them a 404
  app.get(`${GRAPHIQL_ASSET_PATH}/:name`, serveGraphiqlAsset);
  app.get('/graphql', (req: Request, res: Response, next: NextFunction) => {
    // A browser navigating here (no GraphQL params, HTML preferred) gets GraphiQL; everything else is GraphQL.
    const wantsPage =
      req.query['query'] === undefined &&
      req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsPage) return next();
    res.setHeader('Content-Security-Policy', GRAPHIQL_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(page);
  });
  const rateLimiter = options.rateLimiter ?? null;
  /**
   * Gives the request its abort signal, before anything else reads the body:
   * `res` `close` before the response finished means the client went away
   * (`req` `close` would not do: it fires once the body is read).
   */
  const abortOnDisconnect = (req: Request, res: Response, next: NextFunction): void => {
    const controller = new AbortController();
    // Every source running for this request holds one abort listener until it settles
    // (withBudget removes it), and one request can run many pipelines at once (aliases,
    // Item.similar under a list): past Node's default of 10 that printed a false
    // MaxListenersExceededWarning. The bound stays, far above what the query limits allow.
    setMaxListeners(MAX_REQUEST_ABORT_LISTENERS, controller.signal);
    requestSignals.set(req, controller.signal);
    res.once('close', () => {
      if (res.writableFinished) return;
      controller.abort();
      (options.telemetry ?? getTelemetry()).recordRequestAborted();
      logger.info?.('request aborted: the client closed the connection before the response was sent', {
        requestId: String(req.headers['x-request-id']),
        method: req.method,
        path: req.baseUrl,
      });
    });
    next();
  };
  app.use(
    '/graphql',
    abortOnDisconnect,
    ...((options.maxInFlight ?? 0) > 0
      ? [
          inFlightLimitMiddleware(options.maxInFlight!, () =>
            (options.telemetry ?? getTelemetry()).recordRequestShed(),
          ),
        ]
      : []),
    ...(rateLimiter === null ? [] : [rateLimitMiddleware(rateLimiter)]),
    express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES, verify: jsonNestingLimit() }),
    // After the body parser: it resumes in the HTTP span's context (see telemetryGraphqlMiddleware).
    telemetryGraphqlMiddleware(),
    (_req: Request, res: Response, next: NextFunction) => {
      // Apollo's cache-control plugin is off (it wraps every field resolver); answers are per user, never cached.
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const signal = requestSignals.get(req);
          return contextFor(req.headers, signal === undefined ? {} : { signal });
        } catch (err) {
          masking.contextFailed(err, String(req.headers['x-request-id']));
          throw err;
        }
      },
    }),
  );
  // Any other path: the same JSON error shape as the API, not express's HTML page.
  app.use((req: Request, res: Response) => {
    res.status(404).json({
      errors: [
        {
          message: `no such path: ${req.method} ${req.path.slice(0, 200)}`,
          extensions: { code: 'NOT_FOUND' },
        },
      ],
    });
  });
  app.use(httpErrorHandler({ logger, debug }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(address.address)
    ? 'localhost'
    : address.address;
  return {
    url: `http://${host}:${address.port}/graphql`,
    port: address.port,
    apollo,
    contextFor,
    close: () => apollo.stop(),
  };
}
