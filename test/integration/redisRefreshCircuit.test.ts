import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCounterRanking } from '../../src/components/sources/liveCounterRanking.js';
import type { FeatureStore } from '../../src/stores/featureStore.js';
import { CircuitBreaker } from '../../src/stores/fallback/circuitBreaker.js';
import { FallbackFeatureStore } from '../../src/stores/fallback/fallbackFeatureStore.js';
import { MemoryFeatureStore } from '../../src/stores/memory/memoryFeatureStore.js';
import { RedisFeatureStore } from '../../src/stores/redis/redisFeatureStore.js';
import { plainItem } from '../support/catalogItems.js';
import { startRedis } from '../support/redisServers.js';
import type { RedisProcess } from '../support/redisServers.js';

/**
 * The popular/trending refresh of a catalog larger than one slice reads its
 * counters through FallbackFeatureStore as bulk reads (outside the request
 * path's circuit). Full slices of 16,384 and a remainder gave a last read of a
 * few hundred ids (1M items: 576), which FallbackFeatureStore took for a
 * request's read: a Redis stall of more than the 150 ms budget during it
 * opened the circuit, and every request of the replica was served from the
 * snapshot (degraded) for RECGATE_BACKEND_RETRY_MS.
 */
let server: RedisProcess;
beforeAll(async () => {
  server = await startRedis(); // private: DEBUG SLEEP blocks every client
});
afterAll(async () => server?.stop());

describe('the ranking refresh through FallbackFeatureStore on Redis', () => {
  it('does not open the request circuit when Redis stalls while it reads a catalog of 16,384 + 600 items', async () => {
    const n = 16_384 + 600;
    const redis = await RedisFeatureStore.connect({ url: server.url, prefix: 'circuit:' });
    try {
      const items = Array.from({ length: n }, (_, i) => plainItem(`i${i}`));
      await redis.upsertItems(items);
      const fallback = new MemoryFeatureStore();
      await fallback.upsertItems(items);
      const breaker = new CircuitBreaker('redis', { budgetMs: 150, retryAfterMs: 5000 });
      let stalls = 0;
      // The Redis store as it is; Redis itself stalls (DEBUG SLEEP 0.3 s) as the refresh's last read starts.
      const primary = new Proxy(redis, {
        get(target, prop, receiver) {
          if (prop === 'getItemCounters') {
            return async (ids: readonly string[]) => {
              stalls++;
              await server.sleep(0.3);
              return target.getItemCounters(ids);
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }) as FeatureStore;
      const store = new FallbackFeatureStore({ primary, fallback, breaker });
      await new LiveCounterRanking({ store, knownToModel: () => true }).snapshot();
      expect(stalls).toBe(2);
      expect(breaker.isOpen).toBe(false);
    } finally {
      await redis.close();
    }
  }, 60_000);
});
