import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerErrorCode,
  ApolloServerValidationErrorCode,
  unwrapResolverError,
} from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { PublicError } from '../errors.js';
import type { RequestContext } from './requestContext.js';
import type { ServerLogger } from './serverLogger.js';

/** The message every masked error gets. */
export const MASKED_MESSAGE =
  'Internal server error. It was logged with the request id in the x-request-id response header.';

/** Longest message of a request-level error sent to clients; longer ones (graphql-js quotes the values it refuses) are cut. */
export const MAX_SHOWN_MESSAGE_LENGTH = 1000;

/** The message a document nested too deeply for the parser gets (instead of the engine's stack overflow). */
export const TOO_DEEP_MESSAGE = 'the document is too deeply nested';

/** Codes of request-level errors (parse, validation, variable coercion, bad HTTP request) shown as they are. */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerValidationErrorCode.INTROSPECTION_DISABLED,
  ApolloServerValidationErrorCode.MAX_RECURSIVE_SELECTIONS_EXCEEDED,
]);

/**
 * Whether an error reaches the client as it is: a {@link PublicError} from a
 * resolver or the engine, or a request-level GraphQL error (no `path`: it
 * happened before execution) with one of Apollo's client-error codes.
 * Everything else (plain Errors, graphql-js execution errors such as a NaN
 * for a Float, context-creation failures) is masked.
 */
function isShown(error: unknown): boolean {
  if (unwrapResolverError(error) instanceof PublicError) return true;
  // Duck-typed, not `instanceof GraphQLError`: under vitest, Apollo (CommonJS graphql) and this file (ESM
  // graphql) can see two copies of the GraphQLError class.
  const { path, extensions } = asGraphQLErrorLike(error);
  const code = extensions?.['code'];
  return (
    path === undefined &&
    ((typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) || isUncodedBadRequest(extensions))
  );
}

/**
 * Apollo's request-level refusals that carry an HTTP 400 but no code (an
 * automatic persisted query with an unsupported `version`, or whose
 * `sha256Hash` does not match the query): shown with code `BAD_REQUEST`.
 */
function isUncodedBadRequest(extensions: Readonly<Record<string, unknown>> | undefined): boolean {
  if (extensions === undefined || extensions['code'] !== undefined) return false;
  const http = extensions['http'] as { status?: unknown } | undefined;
  return http?.status === 400;
}

/** The GraphQLError fields this file reads, from any object that may be one. */
function asGraphQLErrorLike(error: unknown): {
  path?: readonly (string | number)[];
  extensions?: Readonly<Record<string, unknown>>;
} {
  return typeof error === 'object' && error !== null ? error : {};
}

/** Options of {@link createErrorMasking}. */
export interface ErrorMaskingOptions {
  /** Where masked errors are logged, with the request id and stack. */
  readonly logger: ServerLogger;
  /** Send masked errors' stack traces in `extensions.stacktrace` (RECGATE_DEBUG=1 only). @default false */
  readonly debug?: boolean;
}

/** An error's stack as lines (`String(error)` for a non-Error), for debug responses. */
export function stackLines(error: unknown): string[] {
  return error instanceof Error ? (error.stack ?? String(error)).split('\n') : [String(error)];
}

/**
 * Error masking (conventions.md §6). `formatError` turns a PublicError into
 * `extensions: { code, field }`, keeps request-level errors with only their
 * code (`BAD_REQUEST` for Apollo's uncoded HTTP 400s: a bad persisted query),
 * and replaces anything else by {@link MASKED_MESSAGE} with code
 * `INTERNAL_SERVER_ERROR`. No response carries `extensions.stacktrace` (but
 * in debug mode, below) or an exception. The plugin logs each masked error once, with the request
 * id, before it is masked; a failure to create the request's context (no
 * plugin sees one) is logged with its request id by `contextFailed`, which
 * the context function calls; `formatError` logs anything else it masks
 * unlogged (a response-serialization failure) with a null request id. No
 * AsyncLocalStorage is used: it would add a promise hook to every promise of
 * every request. A parse failure
 * caused by a stack overflow (a deeply nested document) is shown as
 * {@link TOO_DEEP_MESSAGE}, never as the engine's RangeError text. A
 * request-level message longer than {@link MAX_SHOWN_MESSAGE_LENGTH}
 * characters (graphql-js quotes a refused variable value whole) is cut there
 * and ends with `… (message truncated)`.
 *
 * With `debug` (explicit `RECGATE_DEBUG=1`, never implied by `NODE_ENV`) a
 * masked error additionally carries `extensions.stacktrace`: the original
 * error's stack as an array of lines (its first line holds the original
 * message). Only masked errors get one; public and request-level errors never do.
 */
export function createErrorMasking(options: ErrorMaskingOptions): {
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  plugin: ApolloServerPlugin<RequestContext>;
  /**
   * Logs a failure to create a request's context (Apollo runs no plugin for
   * one) with the request's id, once: `formatError` then masks it without
   * logging it again.
   */
  contextFailed: (error: unknown, requestId: string) => void;
} {
  const { logger, debug = false } = options;
  const logged = new WeakSet<object>();
  const log = (error: unknown, requestId: string | null): void => {
    const original = unwrapResolverError(error);
    logger.error('masked an internal error', {
      requestId,
      path: asGraphQLErrorLike(error).path?.join('.'),
      error: original instanceof Error ? original.message : String(original),
      stack: original instanceof Error ? original.stack : undefined,
    });
  };
  /** Whether `error`, or the error Apollo wrapped in it ("Context creation failed: …"), was logged. */
  const wasLogged = (error: unknown): boolean => {
    if (typeof error !== 'object' || error === null) return false;
    if (logged.has(error)) return true;
    const { originalError } = error as { originalError?: unknown };
    return typeof originalError === 'object' && originalError !== null && logged.has(originalError);
  };
  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { message, locations, path } = formatted;
    const original = unwrapResolverError(error);
    if (original instanceof PublicError) {
      const extensions = {
        code: original.code,
        ...(original.field === null ? {} : { field: original.field }),
      };
      return {
        message: original.message,
        ...(locations && { locations }),
        ...(path && { path }),
        extensions,
      };
    }
    if (isShown(error)) {
      const code = formatted.extensions?.['code'];
      const tooDeep =
        code === ApolloServerErrorCode.GRAPHQL_PARSE_FAILED && /maximum call stack/i.test(message);
      const shown =
        message.length > MAX_SHOWN_MESSAGE_LENGTH
          ? `${message.slice(0, MAX_SHOWN_MESSAGE_LENGTH)}… (message truncated)`
          : message;
      return {
        message: tooDeep ? TOO_DEEP_MESSAGE : shown,
        ...(locations && { locations }),
        // Apollo fills in INTERNAL_SERVER_ERROR for an error without a code: an uncoded 400 is BAD_REQUEST.
        extensions: {
          code: isUncodedBadRequest(asGraphQLErrorLike(error).extensions)
            ? ApolloServerErrorCode.BAD_REQUEST
            : formatted.extensions?.['code'],
        },
      };
    }
    if (!wasLogged(error)) log(error, null);
    return {
      message: MASKED_MESSAGE,
      ...(locations && { locations }),
      ...(path && { path }),
      extensions: {
        code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
        ...(debug && { stacktrace: stackLines(original) }),
      },
    };
  };
  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isShown(error)) continue;
            log(error, contextValue.requestId);
            logged.add(error);
          }
        },
      };
    },
  };
  const contextFailed = (error: unknown, requestId: string): void => {
    if (wasLogged(error)) return;
    log(error, requestId);
    if (typeof error === 'object' && error !== null) logged.add(error);
  };
  return { formatError, plugin, contextFailed };
}
