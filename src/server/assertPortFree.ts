import { createServer } from 'node:net';

/**
 * Checks that `port` on `host` can be listened on, by listening and closing
 * at once, so that `recgate serve` reports a port in use before it spends
 * minutes training a first model. Port 0 (any free port) is not checked.
 * Another process can still take the port before the gateway listens; the
 * listen error then reports it.
 * @param port TCP port, 0..65535.
 * @param host interface, e.g. `0.0.0.0`.
 * @throws Error `port <port> on <host> is in use (set PORT or --port to use another)`
 *   for EADDRINUSE, `cannot listen on <host>:<port>: <reason>` for any other listen error.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is in use (set PORT or --port to use another)`)
          : new Error(`cannot listen on ${host}:${port}: ${err.message}`),
      );
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
