import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { countersAt } from '../../../src/stores/decayCounter.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { featureStoreContract } from '../../contracts/featureStoreContract.js';

featureStoreContract('memory', async (clock) => new MemoryFeatureStore({ now: clock.now }));

describe('MemoryFeatureStore', () => {
  it('counts every port method call by name, and resets the counts', async () => {
    const store = new MemoryFeatureStore();
    await store.getUsers(['a', 'b']);
    await store.getItems(['a']);
    await store.getItems(['b']);
    expect(store.calls).toEqual({ getUsers: 1, getItems: 2 });
    store.resetCalls();
    expect(store.calls).toEqual({});
  });

  it('honours its options: history size and half-lives', async () => {
    const t = { now: Date.UTC(2024, 0, 1) };
    const store = new MemoryFeatureStore({
      historySize: 2,
      popularityHalfLifeDays: 1,
      trendingHalfLifeDays: 2,
      now: () => t.now,
    });
    for (const id of ['a', 'b', 'c']) {
      await store.applyInteraction(
        'u',
        { itemId: id, type: 'CLICK', value: null, timestamp: t.now },
        {
          categories: [],
          weight: 1,
        },
      );
    }
    expect((await store.getUsers(['u']))[0]!.recent.map((e) => e.itemId)).toEqual(['c', 'b']);
    await store.incrementItemCounters('i', 8, t.now);
    t.now += 2 * 86_400_000;
    expect(await store.getItemCounters(['i'])).toEqual([{ popularity: 2, trend: 4, updatedAt: t.now }]);
  });

  it('getItemCounters equals countersAt for every item, bit for bit, whatever mix of stamps', async () => {
    const now = Date.UTC(2024, 0, 10);
    const store = new MemoryFeatureStore({ now: () => now });
    const random = createRandom(17);
    const stamps = [now - 86_400_000, now - 3_600_000, now, now + 60_000, NaN];
    const entries = Array.from({ length: 60 }, (_, i) => ({
      itemId: `i${i}`,
      counters: {
        popularity: random.next() * 100,
        trend: random.next() * 10,
        // Runs of equal stamps (seeded), and changes between them.
        updatedAt: stamps[Math.floor(i / 7) % stamps.length]!,
      },
    }));
    await store.putItemCounters(entries);
    const ids = [...entries.map((e) => e.itemId), 'none', ...entries.map((e) => e.itemId).reverse()];
    const byId = new Map(entries.map((e) => [e.itemId, e.counters]));
    const expected = ids.map((id) => {
      const c = byId.get(id);
      return c === undefined ? null : countersAt(c, now, 90 * 86_400_000, 7 * 86_400_000);
    });
    expect(await store.getItemCounters(ids)).toEqual(expected);
  });

  it('rejects a non-positive half-life or history size', () => {
    expect(() => new MemoryFeatureStore({ popularityHalfLifeDays: 0 })).toThrow(RangeError);
    expect(() => new MemoryFeatureStore({ historySize: 0 })).toThrow(RangeError);
  });
});
