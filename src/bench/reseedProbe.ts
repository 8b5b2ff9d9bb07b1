/**
 * `npm run bench:reseed`: what a re-seed of an emptied Redis feature store
 * costs a running gateway (docs/redis.md, "A Redis that lost its data").
 * Sends `recommendations(userId, first: 20)` from `--connections` autocannon
 * connections for `--seconds`, polls `/healthz` every `--poll-ms`, and after
 * `--flush-at` seconds sends `FLUSHALL` to `--redis-url` (the gateway's
 * feature store, which it must seed again: ONLY a Redis of your own). The
 * re-seed window runs from the flush until the seed mark
 * (`<prefix>{meta}:seeded`) is back, read every 20 ms.
 *
 * Prints the window's length, the `/healthz` latency p50 / p99 / max (ms)
 * inside and outside it, and the recommendations answered per second inside
 * and before it.
 *
 * Start the server first, e.g. `PORT=4790 RECGATE_FEATURE_STORE=redis
 * REDIS_URL=redis://127.0.0.1:6393 npm start`, then `npm run bench:reseed --
 * --url http://127.0.0.1:4790/graphql --redis-url redis://127.0.0.1:6393`.
 * `--redis-url` has no default, so that no shared Redis is flushed by mistake.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { helpOrContinue, parseOrExit, usageError } from './benchCli.js';
import { nearestRankQuantile, pollHealth, recommendationsLoad } from './recommendationsLoad.js';

const USAGE = `npm run bench:reseed -- --redis-url url [options]   the cost of re-seeding an emptied Redis
  --redis-url url      the gateway's feature-store Redis, FLUSHALLed during the run (required)
  --url url            the gateway's GraphQL endpoint (default http://127.0.0.1:4000/graphql)
  --prefix p           RECGATE_REDIS_PREFIX of the gateway (default recgate:)
  --user-id id         the user asked for (default 2850, a user of the bundled model)
  --connections n      concurrent connections (default 8)
  --seconds n          length of the run (default 20)
  --flush-at n         seconds into the run the Redis is flushed (default 4)
  --poll-ms n          /healthz poll interval (default 10)
  --help               this text`;
helpOrContinue(USAGE);
const { values } = parseOrExit('bench:reseed', () =>
  parseArgs({
    options: {
      'redis-url': { type: 'string' },
      url: { type: 'string', default: 'http://127.0.0.1:4000/graphql' },
      prefix: { type: 'string', default: 'recgate:' },
      'user-id': { type: 'string', default: '2850' },
      connections: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '20' },
      'flush-at': { type: 'string', default: '4' },
      'poll-ms': { type: 'string', default: '10' },
    },
  }),
);
const fail: (message: string) => never = (message) => usageError('bench:reseed', message);
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const flushAt = Number(values['flush-at']);
const pollMs = Number(values['poll-ms']);
if (values['redis-url'] === undefined) fail('--redis-url is required (the Redis that is flushed)');
if (!(Number.isInteger(connections) && connections >= 1 && connections <= 1000))
  fail(`--connections: expected an integer in 1..1000, received ${values.connections}`);
if (!(seconds > 0 && seconds <= 3600)) fail(`--seconds: expected 0 < n ≤ 3600, received ${values.seconds}`);
if (!(flushAt >= 0 && flushAt < seconds))
  fail(`--flush-at: expected 0 ≤ n < --seconds, received ${values['flush-at']}`);
if (!(pollMs >= 1 && pollMs <= 10_000)) fail(`--poll-ms: expected 1..10000, received ${values['poll-ms']}`);
let endpoint: URL;
try {
  endpoint = new URL(values.url);
} catch {
  fail(`--url: expected an http URL, received ${values.url}`);
}
const healthUrl = new URL('/healthz', endpoint).href;
try {
  await fetch(healthUrl, { signal: AbortSignal.timeout(5000) });
} catch (err) {
  fail(`no gateway answers at ${healthUrl} (${(err as Error).message}); start one first`);
}
const redis = new Redis(values['redis-url']!, { lazyConnect: true, maxRetriesPerRequest: 1 });
try {
  await redis.connect();
} catch (err) {
  fail(`--redis-url: cannot connect to ${values['redis-url']} (${(err as Error).message})`);
}
const markKey = `${values.prefix}{meta}:seeded`;
if ((await redis.get(markKey)) === null)
  fail(`${values['redis-url']} holds no ${markKey}: is it the gateway's feature store, seeded?`);

const quantile = nearestRankQuantile;
const summary = (list: number[]): string => {
  list.sort((a, b) => a - b);
  return `${list.length} polls, p50 ${quantile(list, 0.5)} / p99 ${quantile(list, 0.99)} / max ${quantile(list, 1)} ms`;
};

const t0 = performance.now();
/** [start, latency] of each /healthz poll, ms since t0. */
const health: [number, number][] = [];
let running = true;
const polling = pollHealth(healthUrl, pollMs, (t, ms) => health.push([t - t0, ms]));
let flushedAt = NaN;
let markedAt = NaN;
const flushing = (async () => {
  await new Promise((r) => setTimeout(r, flushAt * 1000));
  await redis.flushall();
  flushedAt = performance.now() - t0;
  while (running) {
    if ((await redis.get(markKey)) !== null) {
      markedAt = performance.now() - t0;
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
})();
/** Completion time (ms since t0) of each 2xx recommendations answer. */
const answered: number[] = [];
process.stdout.write(
  `${connections} connections for ${seconds} s against ${endpoint.href}, FLUSHALL of ${values['redis-url']} at ${flushAt} s…\n`,
);
const result = await recommendationsLoad({
  endpoint,
  userId: values['user-id'],
  connections,
  seconds,
  onResponse: (status) => {
    if (status >= 200 && status < 300) answered.push(performance.now() - t0);
  },
});
running = false;
await Promise.all([polling.stop(), flushing]);
await redis.quit();

const end = Number.isNaN(markedAt) ? performance.now() - t0 : markedAt;
const inWindow = (t: number): boolean => t >= flushedAt && t <= end;
const windowS = (end - flushedAt) / 1000;
process.stdout.write(
  Number.isNaN(markedAt)
    ? `re-seed window: not over by the end of the run (${windowS.toFixed(2)} s after the flush)\n`
    : `re-seed window (flush → seed mark): ${windowS.toFixed(2)} s\n`,
);
process.stdout.write(
  `/healthz in the window: ${summary(health.filter(([t]) => inWindow(t)).map(([, ms]) => ms))}\n`,
);
process.stdout.write(
  `/healthz outside it:    ${summary(health.filter(([t]) => !inWindow(t)).map(([, ms]) => ms))}\n`,
);
const before = answered.filter((t) => t < flushedAt).length / (flushedAt / 1000);
const during = answered.filter(inWindow).length / windowS;
process.stdout.write(
  `recommendations: ${before.toFixed(1)} req/s before the flush, ${during.toFixed(1)} req/s in the window; ` +
    `client time-outs ${result.timeouts}, errors ${result.errors}, non-2xx ${result.non2xx}\n`,
);
