/**
 * Measures one request's feature reads on each feature store, in one run
 * (issue #4 acceptance 5): the user (`getUsers`, 1 id), then the catalog
 * entries and the live counters of 500 candidates (`getItems` and
 * `getItemCounters`, each one MGET on Redis), as the ranking stage's
 * DataLoaders issue them. Stores: `MemoryFeatureStore` and
 * `RedisFeatureStore` on `REDIS_URL` (default redis://127.0.0.1:6379, keys
 * under a random prefix, deleted afterwards), both holding the same
 * synthetic catalog (seeded, `--items` items with 3 categories each).
 *
 * Run: `npm run bench:store -- [--items 10000] [--candidates 500] [--requests 2000]`.
 * Prints, per store, p50 / p90 / p99 / mean latency in ms of the three reads
 * (user, items, counters; issued concurrently, as the pipeline does) and of
 * the MGET of the 500 items' counters alone, as a Markdown table.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRandom } from '../domain/random.js';
import type { CatalogItem } from '../domain/interaction.js';
import type { FeatureStore } from '../stores/featureStore.js';
import { MemoryFeatureStore } from '../stores/memory/memoryFeatureStore.js';
import { deleteKeysByPrefix } from '../stores/redis/deleteKeysByPrefix.js';
import { RedisFeatureStore } from '../stores/redis/redisFeatureStore.js';

/** Latency percentiles, ms. */
export interface ReadLatency {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function stats(samples: number[]): ReadLatency {
  const s = [...samples].sort((x, y) => x - y);
  return {
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** Fills `store` with `n` items (counters and catalog entries) and one user with 50 history entries. */
async function fill(store: FeatureStore, n: number, at: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
  const items: CatalogItem[] = ids.map((id, i) => ({
    id,
    title: `Item ${i}`,
    categories: [`c${i % 17}`, `c${i % 5}`, `c${i % 3}`],
    attributes: { price: i % 100 },
    createdAt: at,
    available: true,
  }));
  for (let k = 0; k < n; k += 5000) await store.upsertItems(items.slice(k, k + 5000));
  const random = createRandom(7);
  await store.putItemCounters!(
    ids.map((itemId) => ({
      itemId,
      counters: { popularity: random.next() * 100, trend: random.next() * 10, updatedAt: at },
    })),
  );
  for (let k = 0; k < 50; k++) {
    await store.applyInteraction(
      'bench-user',
      { itemId: ids[k]!, type: 'CLICK', value: null, timestamp: at - k * 1000 },
      { categories: ['c1'], weight: 1, vector: new Float32Array(33).fill(0.1) },
    );
  }
  return ids;
}

/**
 * Times `requests` rounds of one request's feature reads on `store`, each
 * round over a fresh random set of `candidates` item ids (seeded).
 * @returns latency of the whole round and of the counters MGET alone.
 */
export async function measureStore(
  store: FeatureStore,
  ids: readonly string[],
  candidates: number,
  requests: number,
): Promise<{ request: ReadLatency; counters: ReadLatency }> {
  const random = createRandom(11);
  const pick = () => Array.from({ length: candidates }, () => ids[Math.floor(random.next() * ids.length)]!);
  for (let w = 0; w < Math.min(200, requests); w++) {
    const c = pick();
    await Promise.all([store.getUsers(['bench-user']), store.getItems(c), store.getItemCounters(c)]);
  }
  const whole: number[] = [];
  const counters: number[] = [];
  for (let r = 0; r < requests; r++) {
    const c = pick();
    const t0 = performance.now();
    await Promise.all([store.getUsers(['bench-user']), store.getItems(c), store.getItemCounters(c)]);
    const t1 = performance.now();
    await store.getItemCounters(c);
    counters.push(performance.now() - t1);
    whole.push(t1 - t0);
  }
  return { request: stats(whole), counters: stats(counters) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '10000' },
      candidates: { type: 'string', default: '500' },
      requests: { type: 'string', default: '2000' },
    },
  });
  const n = Number(values.items);
  const candidates = Number(values.candidates);
  const requests = Number(values.requests);
  for (const [name, v] of [
    ['--items', n],
    ['--candidates', candidates],
    ['--requests', requests],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`${name}: expected a positive integer, received ${v}`);
  }
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `recgate-bench:${randomBytes(6).toString('hex')}:`;
  const at = Date.now();
  const memory = new MemoryFeatureStore({ now: () => at });
  const redis = await RedisFeatureStore.connect({ url, prefix, now: () => at });
  try {
    const rows: string[] = [];
    for (const [name, store] of [
      ['memory', memory],
      [`redis (${url})`, redis],
    ] as const) {
      process.stderr.write(`filling ${name} with ${n} items…\n`);
      const ids = await fill(store, n, at);
      process.stderr.write(`measuring ${name}: ${requests} requests of ${candidates} candidates…\n`);
      const r = await measureStore(store, ids, candidates, requests);
      const f = (x: number) => x.toFixed(3);
      rows.push(
        `| ${name} | ${f(r.request.p50)} | ${f(r.request.p90)} | ${f(r.request.p99)} | ${f(r.request.mean)} | ${f(r.counters.p50)} | ${f(r.counters.p99)} |`,
      );
    }
    console.log(
      `One request's feature reads: 1 user + ${candidates} candidates' items and counters (${n}-item catalog, ${requests} requests), ms\n`,
    );
    console.log('| store | request p50 | p90 | p99 | mean | counters MGET p50 | p99 |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await deleteKeysByPrefix(redis.redis, prefix);
    await redis.close();
    await memory.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(`bench:store: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
