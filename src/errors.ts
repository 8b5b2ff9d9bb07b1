/**
 * Public error codes (conventions.md §6). Anything thrown that is not a
 * {@link PublicError} is masked as `INTERNAL_SERVER_ERROR` by the server.
 */
export type PublicErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  /** The client closed the connection before the response (src/pipeline/requestAbortedError.ts). */
  | 'CLIENT_CLOSED_REQUEST';

/**
 * An error meant for the client: a stable `code`, a sentence saying what was
 * expected and what was received, and the argument or field at fault.
 * The GraphQL layer turns it into a GraphQLError with `extensions.code`.
 */
export class PublicError extends Error {
  override readonly name = 'PublicError';
  constructor(
    readonly code: PublicErrorCode,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}
