import { PublicError } from '../errors.js';

/**
 * The HTTP request a pipeline run belongs to was aborted: its client closed
 * the connection before the response was sent (the signal `createServer`
 * makes per request; see src/server/createServer.ts). The run stops at its
 * next stage boundary instead of computing a list nobody will read, and
 * nothing is logged as served.
 *
 * It is a {@link PublicError} with the stable code `CLIENT_CLOSED_REQUEST`
 * (nginx's 499 has the same meaning) so the server's error masking shows it
 * as it is and never logs it as an unexpected internal error with a stack;
 * the client that would read it is gone, but in-process callers
 * (`executeOperation` in tests, library use) see the code.
 */
export class RequestAbortedError extends PublicError {
  constructor(message = 'the request was aborted: the client closed the connection before the response') {
    super('CLIENT_CLOSED_REQUEST', message);
  }
}

/**
 * The pipeline's checkpoint: returns when `signal` is absent or not aborted.
 * (A two-line helper kept beside the error it throws.)
 * @throws RequestAbortedError when `signal` is aborted.
 */
export function throwIfRequestAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new RequestAbortedError();
}
