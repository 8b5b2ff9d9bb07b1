/**
 * A store command that certainly never reached the backend: it was refused
 * before anything was written to the connection (the connection was down or
 * reconnecting, or the client's offline queue is off and refused it). Retrying
 * it cannot apply anything twice. Its opposite, any other failure of a write
 * (a timeout after the command was sent, a connection lost while it was in
 * flight, an error reply of a script that may have run part-way), may have
 * landed: callers must not retry those blindly (counters and fold-ins are not
 * idempotent).
 *
 * Thrown by the Redis feature store (`stores/redis/sendOrNotSent.ts`); other
 * wrappers (the fallback store's `DependencyUnavailableError`) keep it as
 * their `cause`: test with {@link isNotSent}, never with `instanceof` alone.
 */
export class NotSentError extends Error {
  /** Stable code, for logs. */
  readonly code = 'NOT_SENT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotSentError';
  }
}

/** How many `cause` links {@link isNotSent} follows (wrappers nest one or two deep). */
const MAX_CAUSE_DEPTH = 8;

/**
 * True when `error`, or an error in its `cause` chain (at most 8 links), is a
 * {@link NotSentError}: the failed command certainly did not reach the store.
 */
export function isNotSent(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && e instanceof Error; depth++) {
    if (e instanceof NotSentError) return true;
    e = e.cause;
  }
  return false;
}
