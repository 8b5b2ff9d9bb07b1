/**
 * A stand-in for Qdrant's REST API in tests (no Qdrant server can be
 * installed on these machines): an HTTP server on loopback that records every
 * request and answers from routes with bodies written from Qdrant's REST API
 * reference (test/fixtures/qdrant/). The official client talks to it for real.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the fake received. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}
/** A canned answer, or `hang` to never answer. */
export type Reply = { readonly status: number; readonly body: unknown } | 'hang';

/** An HTTP server on port 0 that records requests and answers from routes (the latest matching route wins). */
export class FakeQdrant {
  readonly requests: Recorded[] = [];
  private readonly routes: { method: string; url: string; reply: (r: Recorded) => Reply }[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  /** Starts on `port` (default: a free one). */
  static async start(port = 0): Promise<FakeQdrant> {
    let fake: FakeQdrant | null = null;
    const server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const r: Recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
          headers: req.headers,
        };
        fake!.requests.push(r);
        const route = [...fake!.routes].reverse().find((x) => x.method === r.method && x.url === r.url);
        const reply: Reply = route?.reply(r) ?? {
          status: 500,
          body: { status: { error: `fake: no route for ${r.method} ${r.url}` } },
        };
        if (reply === 'hang') return;
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
    fake = new FakeQdrant(server);
    server.on('connection', (s) => {
      fake!.sockets.add(s);
      s.on('close', () => fake!.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(method: string, url: string, reply: Reply | ((r: Recorded) => Reply)): this {
    this.routes.push({ method, url, reply: typeof reply === 'function' ? reply : () => reply });
    return this;
  }

  /** Requests after the first `skip` (e.g. after opening), as method + url + body. */
  calls(skip = 0): { method: string; url: string; body: unknown }[] {
    return this.requests.slice(skip).map(({ method, url, body }) => ({ method, url, body }));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
