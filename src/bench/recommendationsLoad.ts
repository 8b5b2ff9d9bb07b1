import autocannon from 'autocannon';

/** Options of {@link recommendationsLoad}. */
export interface RecommendationsLoadOptions {
  /** The gateway's GraphQL endpoint. */
  readonly endpoint: URL;
  /** The user every request asks for. */
  readonly userId: string;
  /** Concurrent connections, each sending its next request when the last is answered. */
  readonly connections: number;
  /** Length of the run, in seconds. */
  readonly seconds: number;
  /** Called for every answer: its HTTP status and latency in ms (autocannon's). */
  readonly onResponse: (status: number, latencyMs: number) => void;
}

/**
 * Closed-loop `recommendations(userId, first: 20)` load from autocannon
 * against a running gateway (items' rank, id and title), for the probes that
 * watch a gateway under load while something else happens (`bench:overload`,
 * `bench:reseed`). Client time-outs after 20 s.
 * @returns autocannon's result (time-outs, errors, non-2xx counts, …).
 */
export function recommendationsLoad(options: RecommendationsLoadOptions): ReturnType<typeof autocannon> {
  const body = JSON.stringify({
    query: 'query($u: ID!) { recommendations(userId: $u, first: 20) { items { rank item { id title } } } }',
    variables: { u: options.userId },
  });
  return autocannon({
    url: options.endpoint.href,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections,
    duration: options.seconds,
    timeout: 20,
    setupClient: (client) => client.on('response', (status, _bytes, ms) => options.onResponse(status, ms)),
  });
}

/** A running `/healthz` poller ({@link pollHealth}). */
export interface HealthPoller {
  /** Stops polling; resolves after the poll in flight. */
  stop(): Promise<void>;
}

/**
 * Polls `healthUrl` every `everyMs` (after each answer) until stopped, and
 * reports each poll as (start ms on `performance.now()`, latency ms); a poll
 * that fails or takes 10 s reports 10,000 ms. Used by `bench:overload` and
 * `bench:reseed` to see the event loop from outside while they load the gateway.
 */
export function pollHealth(
  healthUrl: string | URL,
  everyMs: number,
  onPoll: (startedAt: number, latencyMs: number) => void,
): HealthPoller {
  let running = true;
  const polling = (async () => {
    while (running) {
      const t = performance.now();
      try {
        await fetch(healthUrl, { signal: AbortSignal.timeout(10_000) });
        onPoll(t, performance.now() - t);
      } catch {
        onPoll(t, 10_000);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await polling;
    },
  };
}

/** The q-quantile (0..1) of ascending `sorted` values by nearest rank, rounded to 0.1; NaN when empty. */
export function nearestRankQuantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0
    ? NaN
    : Math.round(10 * sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!) / 10;
}
