import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { LatencyHistogram } from './latencyHistogram.js';
import type { LatencySummary } from './latencyHistogram.js';

/** The outcome of one load run. */
export interface LoadResult {
  /** Completed 2xx responses per second over the run. */
  readonly requestsPerSecond: number;
  /** Latency in ms (see each driver for what it is measured from). */
  readonly latency: LatencySummary;
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  readonly failures: number;
  /** Completed 2xx responses. */
  readonly completed: number;
  readonly seconds: number;
  /**
   * {@link openLoop} only: how late the scheduler handed each request to the
   * HTTP client, ms after its due time (timer granularity and the driver's own
   * event loop; not the server's). The latency excludes it.
   */
  readonly schedulerLag?: LatencySummary;
}

/** Options shared by the drivers: the GraphQL URL and the bodies to cycle through. */
export interface LoadTarget {
  readonly url: string;
  readonly bodies: readonly string[];
}

/**
 * Several servers (replicas) behind one client: {@link openLoop} sends request
 * i to `urls[i mod urls.length]`, as a round-robin load balancer in front of
 * the replicas would (HAProxy `balance roundrobin`, nginx's default), without
 * a proxy process competing for the cores.
 */
export interface ReplicaTarget {
  readonly urls: readonly string[];
  readonly bodies: readonly string[];
}

/**
 * Closed-loop saturation with autocannon 9 (`connections` keep-alive
 * connections, each sending its next request as soon as the previous answer
 * arrives, for `seconds`), run in one worker thread so the calling thread
 * stays free (e.g. for {@link probeLatency}). Requests cycle through
 * `bodies`. Latency is autocannon's: from writing a request to its last
 * byte, at saturation (so it includes queueing in the server).
 */
export async function saturate(
  target: LoadTarget,
  options: { readonly connections: number; readonly seconds: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: target.bodies.map((body) => ({ method: 'POST', body })),
    connections: options.connections,
    duration: options.seconds,
    workers: 1,
    timeout: 30,
  });
  const completed = result['2xx'];
  return {
    requestsPerSecond: completed / Math.max(1e-9, result.duration),
    latency: {
      count: completed,
      mean: result.latency.average,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    failures: result.non2xx + result.errors + result.timeouts,
    completed,
    seconds: result.duration,
  };
}

/**
 * Open-loop load at a fixed offered rate: request i is due at
 * t0 + i/`rate` s whatever happened to earlier ones (as wrk2 does), sent on
 * a keep-alive agent of up to `maxSockets` connections (more outstanding
 * requests wait in the agent's queue). Latency is measured from the moment
 * the scheduler hands the request to the HTTP client, which happens on time
 * whether or not earlier requests were answered, so waiting for a free
 * connection and every server stall count: no coordinated omission. What it
 * excludes is the scheduler's own lateness (a Node timer fires up to about a
 * millisecond after its time; measured against a no-op server at 200 req/s it
 * added 0.5–0.8 ms to the p50), reported apart as `schedulerLag`.
 * Runs for `seconds`, then waits for the outstanding answers.
 * With a {@link ReplicaTarget}, request i goes to replica i mod n, each on
 * its own agent of up to `maxSockets` connections; the result is over all.
 * @throws RangeError when `rate` or `seconds` is not a positive finite number, or a ReplicaTarget has no URL.
 */
export async function openLoop(
  target: LoadTarget | ReplicaTarget,
  options: { readonly rate: number; readonly seconds: number; readonly maxSockets?: number },
): Promise<LoadResult> {
  if (!(options.rate > 0 && Number.isFinite(options.rate)))
    throw new RangeError(`openLoop: rate must be a positive number, received ${options.rate}`);
  if (!(options.seconds > 0 && Number.isFinite(options.seconds)))
    throw new RangeError(`openLoop: seconds must be a positive number, received ${options.seconds}`);
  const urls = ('urls' in target ? target.urls : [target.url]).map((u) => new URL(u));
  if (urls.length === 0) throw new RangeError('openLoop: a ReplicaTarget needs at least one URL');
  const agents = urls.map(() => new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 }));
  const histogram = new LatencyHistogram();
  const lag = new LatencyHistogram();
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const interval = 1000 / options.rate;
  let failures = 0;
  let completed = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        const due = t0 + next * interval;
        const body = target.bodies[next % target.bodies.length]!;
        const sent = performance.now();
        lag.record(sent - due);
        pending.push(
          post(urls[next % urls.length]!, body, agents[next % agents.length]!).then(
            (status) => {
              if (status >= 200 && status < 300) {
                completed++;
                histogram.record(performance.now() - sent);
              } else failures++;
            },
            () => void failures++,
          ),
        );
        next++;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, t0 + next * interval - performance.now() - 0.5));
    };
    tick();
  });
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  for (const agent of agents) agent.destroy();
  return {
    requestsPerSecond: completed / seconds,
    latency: histogram.summary(),
    failures,
    completed,
    seconds,
    schedulerLag: lag.summary(),
  };
}

/**
 * GETs `url` every `intervalMs` until `until` settles, one request at a
 * time on its own keep-alive connection, and summarises the latencies (ms,
 * from sending to the full response). Used on `/healthz` while a load runs:
 * its tail is the gateway's event-loop blocking as a client sees it.
 */
export async function probeLatency(
  url: string,
  intervalMs: number,
  until: Promise<unknown>,
): Promise<LatencySummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const histogram = new LatencyHistogram();
  let done = false;
  void until.finally(() => (done = true));
  const target = new URL(url);
  while (!done) {
    const start = performance.now();
    try {
      await get(target, agent);
      histogram.record(performance.now() - start);
    } catch {
      // A failed probe is not a latency; the load run reports errors.
    }
    const wait = intervalMs - (performance.now() - start);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  agent.destroy();
  return histogram.summary();
}

function post(url: URL, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(url: URL, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
