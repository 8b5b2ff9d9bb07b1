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
