import { describe, expect, it } from 'vitest';
import { generateSyntheticCatalog } from '../../../src/bench/syntheticCatalog.js';

describe('Synthetic catalog generator', () => {
  const a = generateSyntheticCatalog({ items: 400, dimension: 8, users: 50 });

  it('is reproducible: the same options give the same vectors, ids and histories; another seed does not', () => {
    const b = generateSyntheticCatalog({ items: 400, dimension: 8, users: 50 });
    expect(Array.from(b.bundle.itemVectors)).toEqual(Array.from(a.bundle.itemVectors));
    expect([...b.users.get('u7')!.seen]).toEqual([...a.users.get('u7')!.seen]);
    const c = generateSyntheticCatalog({ items: 400, dimension: 8, users: 50, seed: 43 });
    expect(Array.from(c.bundle.itemVectors)).not.toEqual(Array.from(a.bundle.itemVectors));
  });

  it('has the registry shapes: n×(d+1) unit item vectors, n×d factors, m×d user factors', () => {
    const { bundle } = a;
    expect(bundle.itemIds.length).toBe(400);
    expect(bundle.itemVectors.length).toBe(400 * 9);
    expect(bundle.itemFactors).toMatchObject({ dimension: 8, stride: 8, scale: 1, count: 400 });
    expect(bundle.itemFactors.values.length).toBe(400 * 8);
    expect(bundle.userVectors.length).toBe(50 * 8);
    for (let i = 0; i < 400; i++) {
      let s = 0;
      for (let p = 0; p < 9; p++) s += bundle.itemVectors[i * 9 + p]! ** 2;
      expect(s).toBeCloseTo(1, 5);
    }
    expect(a.settings).toMatchObject({ items: 400, dimension: 8, users: 50, topics: 20, neighbours: 10 });
  });

  it('follows the recipe: neighbours come from the item’s own topic, best first; histories from the user’s topics', () => {
    const { bundle, itemTopic } = a;
    for (let i = 0; i < 400; i += 37) {
      const nb = bundle.neighbours[i]!;
      expect(nb.items.length).toBeGreaterThan(0);
      expect(nb.items.length).toBeLessThanOrEqual(10);
      for (const j of nb.items) expect(itemTopic[j]).toBe(itemTopic[i]);
      for (let q = 1; q < nb.scores.length; q++)
        expect(nb.scores[q - 1]!).toBeGreaterThanOrEqual(nb.scores[q]!);
      expect(Array.from(nb.items)).not.toContain(i);
    }
    for (let u = 0; u < 50; u += 7) {
      const state = a.users.get(`u${u}`)!;
      const topics = new Set(a.userTopics[u]);
      expect(state.interactionCount).toBeGreaterThanOrEqual(10);
      for (const item of state.seen) expect(topics.has(itemTopic[item]!)).toBe(true);
      expect(state.recentItems.length).toBeLessThanOrEqual(20);
    }
  });

  it('gives each item its topic’s two genres (plus at most one more) and marks about 2 % unavailable', () => {
    const items = [...a.catalog.values()];
    for (const item of items) {
      expect(item.categories.length).toBeGreaterThanOrEqual(2);
      expect(item.categories.length).toBeLessThanOrEqual(3);
    }
    const unavailable = items.filter((i) => !i.available).length;
    expect(unavailable).toBeLessThan(30);
  });

  it('refuses fewer than 100 items or a dimension below 2', () => {
    expect(() => generateSyntheticCatalog({ items: 99 })).toThrow(RangeError);
    expect(() => generateSyntheticCatalog({ items: 100, dimension: 1 })).toThrow(RangeError);
  });
});
