import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/createServer.js';
import type { RunningServer } from '../../src/server/createServer.js';
import { inFlightLimitMiddleware } from '../../src/server/overload/inFlightLimit.js';
import { DEFAULT_MAX_IN_FLIGHT, serveConfigFrom } from '../../src/server/serverConfig.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import { fakeGateway } from '../support/fakeGateway.js';
import { postGraphQL } from '../support/graphqlHttp.js';

/**
 * Load shedding (attack on session 27: 200 concurrent clients queued on the
 * event loop, p99 20 s and `/healthz` above 5 s): past RECGATE_MAX_IN_FLIGHT
 * requests being answered, one more gets 503 OVERLOADED at once.
 */
const QUERY = '{ recommendations(userId: "u1", first: 2) { requestId } }';
let server: RunningServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

/** Waits until `ready()` holds, failing after `ms`. */
async function waitUntil(ready: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fake gateway whose `recommendations` wait until `release()`; `started` counts the calls begun. */
function heldGateway() {
  const gateway = fakeGateway();
  const original = gateway.recommendations.bind(gateway);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const state = { started: 0 };
  Object.assign(gateway, {
    recommendations: async (...args: Parameters<typeof original>) => {
      state.started++;
      await gate;
      return original(...args);
    },
  });
  return { gateway, release, state };
}

describe('RECGATE_MAX_IN_FLIGHT: load shedding', () => {
  it('answers 503 OVERLOADED with Retry-After past the limit, /healthz still answers, and serves again once below it', async () => {
    const { gateway, release, state } = heldGateway();
    let shed = 0;
    server = await createServer({
      gateway,
      maxInFlight: 2,
      telemetry: { ...noopTelemetry, recordRequestShed: () => void shed++ },
    });
    const url = server.url;
    const held = [postGraphQL(url, QUERY), postGraphQL(url, QUERY)];
    await waitUntil(() => state.started >= 2, 'two calls reached the gateway');
    const refused = await postGraphQL(url, QUERY);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 1 });
    expect(refused.body.errors?.[0]?.message).toMatch(
      /answering 2 requests, its limit \(RECGATE_MAX_IN_FLIGHT\)/,
    );
    expect(shed).toBe(1);
    expect(state.started).toBe(2); // the refused one never reached the gateway
    const health = await fetch(url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    release();
    for (const r of await Promise.all(held)) expect(r.status).toBe(200);
    // Both finished: the count is back to 0, so two more are served.
    const again = await Promise.all([postGraphQL(url, QUERY), postGraphQL(url, QUERY)]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    expect(shed).toBe(1);
  });

  it('counts a request whose client went away as finished', async () => {
    const { gateway, release, state } = heldGateway();
    server = await createServer({ gateway, maxInFlight: 1 });
    const controller = new AbortController();
    const gone = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
      signal: controller.signal,
    }).catch(() => null);
    await waitUntil(() => state.started >= 1, 'the call reached the gateway');
    controller.abort();
    await gone;
    await new Promise((r) => setTimeout(r, 50)); // the server sees the close
    // Still held in the gateway, but no longer counted: the next request is let in (and waits too).
    const next = postGraphQL(server.url, QUERY);
    await waitUntil(() => state.started >= 2, 'two calls reached the gateway');
    release();
    expect((await next).status).toBe(200);
  });

  it('reads RECGATE_MAX_IN_FLIGHT: none by default (0), and names it for a bad value', () => {
    expect(DEFAULT_MAX_IN_FLIGHT).toBe(0);
    expect(serveConfigFrom({}, {}).maxInFlight).toBe(0);
    expect(serveConfigFrom({}, { RECGATE_MAX_IN_FLIGHT: '64' }).maxInFlight).toBe(64);
    expect(serveConfigFrom({}, { RECGATE_MAX_IN_FLIGHT: '0' }).maxInFlight).toBe(0);
    expect(serveConfigFrom({}, { RECGATE_MAX_IN_FLIGHT: '500' }).maxInFlight).toBe(500);
    for (const bad of ['-1', '1.5', 'many', '1e3']) {
      expect(() => serveConfigFrom({}, { RECGATE_MAX_IN_FLIGHT: bad })).toThrow(
        /RECGATE_MAX_IN_FLIGHT: expected an integer ≥ 0 \(0 = no limit\), received/,
      );
    }
    expect(() => inFlightLimitMiddleware(0)).toThrow(RangeError);
  });
});
