import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collectStartupGarbage } from '../../../src/services/collectStartupGarbage.js';

describe('collectStartupGarbage', () => {
  it('runs a full collection that frees garbage left on the heap, without --expose-gc', () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    // ~64 MB of objects that are garbage as soon as this block ends (old-generation sized).
    (() => {
      const chunks: number[][] = [];
      for (let i = 0; i < 64; i++) chunks.push(Array.from({ length: 131_072 }, (_, j) => j + 0.5));
      return chunks.length;
    })();
    const done = collectStartupGarbage(0);
    expect(done).not.toBeNull();
    expect(done!.ms).toBeGreaterThanOrEqual(0);
    expect(done!.heapUsedBefore - done!.heapUsedAfter).toBeGreaterThan(32 * 2 ** 20);
    // gc stays a module detail: nothing is added to the global object, later vm contexts or workers.
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  it('compacts: pages that each keep a few live objects are given back (a sweep alone would keep them all)', () => {
    // ~64 MB of small arrays in the old generation, of which every 32nd stays alive: every page keeps
    // live objects, so only a compacting collection can free pages.
    const kept: number[][] = [];
    (() => {
      const all: number[][] = [];
      for (let i = 0; i < 400_000; i++)
        all.push([i, i + 0.5, i + 0.25, i + 0.125, i + 1.5, i + 2.5, i + 3.5]);
      collectStartupGarbage(0); // promote them all to the old generation first
      for (let i = 0; i < all.length; i += 32) kept.push(all[i]!);
    })();
    const done = collectStartupGarbage(0)!;
    expect(done.heapTotalBefore - done.heapTotalAfter).toBeGreaterThan(16 * 2 ** 20);
    expect(kept.length).toBe(12_500);
    expect(kept[100]![1]).toBe(3200.5); // the survivors moved, intact
  });

  it('does nothing below the heap threshold', () => {
    expect(collectStartupGarbage(Number.MAX_SAFE_INTEGER)).toBeNull();
  });
});
