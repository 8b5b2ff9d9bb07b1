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

  it('does nothing below the heap threshold', () => {
    expect(collectStartupGarbage(Number.MAX_SAFE_INTEGER)).toBeNull();
  });
});
