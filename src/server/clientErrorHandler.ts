import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** The status and stable code of each HTTP parser error Node reports before a request exists. */
function describeClientError(code: string | undefined): { status: number; code: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'BAD_REQUEST',
        message:
          'The request line and headers must fit in the server limit (16 KiB by default); send long operations in a POST body.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The chunk extensions are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'BAD_REQUEST', message: 'The request did not arrive in time.' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: 'The request is not valid HTTP/1.1.' };
  }
}

/**
 * A `clientError` listener for the Node HTTP server: answers a request Node's
 * HTTP parser refused (headers or a GET query string over 16 KiB, malformed
 * HTTP, a request timeout) with the same GraphQL-style JSON error body as
 * every other refusal, `{"errors":[{"message":…,"extensions":{"code":…}}]}`,
 * instead of Node's bare status line, then closes the connection. Status
 * 431, 413 (`PAYLOAD_TOO_LARGE`), 408 or 400; code `BAD_REQUEST` otherwise.
 * Does what Node's default does when the socket is gone or a response was
 * already started: nothing but closing it.
 */
export function clientErrorHandler(): (err: Error & { code?: string }, socket: Duplex) => void {
  return (err, socket) => {
    // As Node's own handler: answer only when no response on this socket has started.
    const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && inFlight?._headerSent !== true) {
      const { status, code, message } = describeClientError(err.code);
      const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy(err);
  };
}
