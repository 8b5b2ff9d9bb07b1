import { describe, expect, it } from 'vitest';
import { measureStore } from '../../../src/bench/featureStoreLatency.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';

describe('bench:store measureStore', () => {
  it('times the given number of rounds of one request’s reads and counts every call', async () => {
    const store = new MemoryFeatureStore();
    await store.upsertItems([
      { id: 'a', title: null, categories: [], attributes: {}, createdAt: null, available: true },
    ]);
    const r = await measureStore(store, ['a'], 5, 7);
    for (const s of [r.request, r.counters]) {
      expect(s.p50).toBeGreaterThanOrEqual(0);
      expect(s.p50).toBeLessThanOrEqual(s.p99);
      expect(Number.isFinite(s.mean)).toBe(true);
    }
    // 7 warm-up rounds (min(200, 7)) + 7 timed rounds, each reading counters twice when timed.
    expect(store.calls.getUsers).toBe(14);
    expect(store.calls.getItemCounters).toBe(7 + 14);
  });
});
