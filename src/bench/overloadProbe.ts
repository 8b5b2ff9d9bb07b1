/**
 * `npm run bench:overload`: a running gateway under more concurrent clients
 * than it can answer (docs/api.md, "Load shedding"). Sends
 * `recommendations(userId, first: 20)` from `--connections` autocannon
 * connections for `--seconds`; each connection sends its next request the
 * moment it gets an answer, a 503 included (the worst case for load
 * shedding: clients that ignore `Retry-After`). Meanwhile it polls `/healthz`
 * every 100 ms. Prints, per HTTP status, the number of answers and their
 * latency p50 / p99 / max (ms), and the `/healthz` latency quantiles.
 *
 * Start the server first, e.g. `PORT=4796 RECGATE_MAX_IN_FLIGHT=64 npm start`,
 * then `npm run bench:overload -- --url http://127.0.0.1:4796/graphql`.
 * Options: `--url` (default http://127.0.0.1:4000/graphql), `--user-id`
 * (default 2850, a user of the bundled model), `--connections` (default 200),
 * `--seconds` (default 20).
 */
import { parseArgs } from 'node:util';
import { helpOrContinue, parseOrExit, usageError } from './benchCli.js';
import { nearestRankQuantile, pollHealth, recommendationsLoad } from './recommendationsLoad.js';

const USAGE = `npm run bench:overload -- [options]   a running gateway under many concurrent clients
  --url url            its GraphQL endpoint (default http://127.0.0.1:4000/graphql)
  --user-id id         the user asked for (default 2850, a user of the bundled model)
  --connections n      concurrent connections, each retrying at once (default 200)
  --seconds n          length of the run (default 20)
  --help               this text`;
helpOrContinue(USAGE);
const { values } = parseOrExit('bench:overload', () =>
  parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:4000/graphql' },
      'user-id': { type: 'string', default: '2850' },
      connections: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
    },
  }),
);
const connections = Number(values.connections);
const seconds = Number(values.seconds);
if (!(Number.isInteger(connections) && connections >= 1 && connections <= 5000))
  usageError(
    'bench:overload',
    `--connections: expected an integer in 1..5000, received ${values.connections}`,
  );
if (!(seconds > 0 && seconds <= 3600))
  usageError('bench:overload', `--seconds: expected 0 < n ≤ 3600, received ${values.seconds}`);
let endpoint: URL;
try {
  endpoint = new URL(values.url);
} catch {
  usageError('bench:overload', `--url: expected an http URL, received ${values.url}`);
}
const healthUrl = new URL('/healthz', endpoint).href;
try {
  await fetch(healthUrl, { signal: AbortSignal.timeout(5000) });
} catch (err) {
  usageError(
    'bench:overload',
    `no gateway answers at ${healthUrl} (${(err as Error).message}); start one first`,
  );
}

const quantile = nearestRankQuantile;

const health: number[] = [];
const polling = pollHealth(healthUrl, 100, (_t, ms) => health.push(ms));
const times = new Map<number, number[]>();
process.stdout.write(`${connections} connections for ${seconds} s against ${endpoint.href}…\n`);
const result = await recommendationsLoad({
  endpoint,
  userId: values['user-id'],
  connections,
  seconds,
  onResponse: (status, ms) => {
    let list = times.get(status);
    if (list === undefined) times.set(status, (list = []));
    list.push(ms);
  },
});
await polling.stop();
for (const [status, list] of [...times].sort((a, b) => a[0] - b[0])) {
  list.sort((a, b) => a - b);
  process.stdout.write(
    `HTTP ${status}: ${list.length} answers, latency p50 ${quantile(list, 0.5)} / p99 ${quantile(list, 0.99)} / max ${quantile(list, 1)} ms\n`,
  );
}
health.sort((a, b) => a - b);
process.stdout.write(
  `/healthz: ${health.length} polls, p50 ${quantile(health, 0.5)} / p99 ${quantile(health, 0.99)} / max ${quantile(health, 1)} ms; ` +
    `client time-outs ${result.timeouts}, errors ${result.errors}\n`,
);
