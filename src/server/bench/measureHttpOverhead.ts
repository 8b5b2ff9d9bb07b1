/**
 * Measures what the HTTP framework adds to a trivial GraphQL request
 * (`{ __typename }`, no resolver work), to choose the framework (issue #3 §1):
 * N sequential POSTs with `fetch` over keep-alive, after a warm-up, against
 * (a) Apollo Server 5's standalone server (node:http, no framework) and
 * (b) Apollo Server 5 on express 5 via `@as-integrations/express5`, set up
 * like recgate's server (JSON body parser, CSRF prevention on).
 * The fastify integration (`@as-integrations/fastify`) is not installed, so
 * it is not measured. Run: `npx tsx src/server/bench/measureHttpOverhead.ts [N]`.
 * Prints mean, p50 and p99 latency in ms per variant as a Markdown table.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

const typeDefs = 'type Query { hello: String }';

/** Latency statistics in ms. */
export interface LatencyStats {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
}

/** Sends `n` sequential `{ __typename }` POSTs to `url` after `warmup` unmeasured ones. */
export async function measureLatency(url: string, n: number, warmup = 200): Promise<LatencyStats> {
  const once = async (): Promise<number> => {
    const t = performance.now();
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    await r.text();
    return performance.now() - t;
  };
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { mean: samples.reduce((s, x) => s + x, 0) / samples.length, p50: at(0.5), p99: at(0.99) };
}

async function standalone(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new ApolloServer({ typeDefs });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

async function onExpress(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new ApolloServer({ typeDefs });
  await server.start();
  const app = express();
  app.use('/graphql', express.json({ limit: '5mb' }), expressMiddleware(server));
  const http: Server = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      await server.stop();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Runs both variants `rounds` times, alternating, and returns the median of each statistic. */
export async function measureHttpOverhead(n: number, rounds = 3): Promise<Record<string, LatencyStats>> {
  const variants = { 'Apollo standalone (node:http)': standalone, 'Apollo on express 5': onExpress };
  const runs: Record<string, LatencyStats[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, start] of Object.entries(variants)) {
      const { url, stop } = await start();
      (runs[name] ??= []).push(await measureLatency(url, n));
      await stop();
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries(
    Object.entries(runs).map(([name, stats]) => [
      name,
      {
        mean: median(stats.map((s) => s.mean)),
        p50: median(stats.map((s) => s.p50)),
        p99: median(stats.map((s) => s.p99)),
      },
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 2000);
  const results = await measureHttpOverhead(n);
  process.stdout.write(`${n} sequential requests × 3 rounds (median), Node ${process.version}\n\n`);
  process.stdout.write('| server | mean ms | p50 ms | p99 ms |\n| --- | --- | --- | --- |\n');
  for (const [name, s] of Object.entries(results)) {
    process.stdout.write(`| ${name} | ${s.mean.toFixed(3)} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} |\n`);
  }
}
