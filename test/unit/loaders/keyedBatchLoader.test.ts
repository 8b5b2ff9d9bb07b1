import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import { KeyedBatchLoader } from '../../../src/loaders/keyedBatchLoader.js';
import { dispatchOnNextLoopTurn } from '../../../src/loaders/loopTurnBatching.js';
import { collectDegradedParts, reportDegraded } from '../../../src/stores/fallback/degradedParts.js';

/** A store read over `data` that records every batch of keys it was called with. */
function recordingRead(data: Record<string, number>) {
  const batches: string[][] = [];
  const read = async (keys: readonly string[]): Promise<(number | null)[]> => {
    batches.push(keys.slice());
    return keys.map((k) => data[k] ?? null);
  };
  return { batches, read };
}

const DATA = { a: 1, b: 2, c: 3 };

describe('KeyedBatchLoader', () => {
  it('returns values in key order, null for missing keys, and reads each key once per batch', async () => {
    const { batches, read } = recordingRead(DATA);
    const loader = new KeyedBatchLoader('n', read);
    expect(await loader.loadMany(['b', 'zz', 'a', 'b'])).toEqual([2, null, 1, 2]);
    expect(batches).toEqual([['b', 'zz', 'a']]);
    expect(await loader.loadMany([])).toEqual([]);
  });

  it('batches every load made before the dispatch turn into one read', async () => {
    const { batches, read } = recordingRead(DATA);
    const loader = new KeyedBatchLoader('n', read);
    // Two tasks of one check phase (as the 20 similar pipelines resume): the first opens the batch,
    // whose dispatch goes to the next turn, so the second joins it.
    const [x, z] = await Promise.all([
      nextLoopTurn().then(() => Promise.all([loader.loadMany(['a', 'b']), loader.load('c')])),
      nextLoopTurn().then(() => loader.loadMany(['b', 'zz'])),
    ]);
    expect([x, z]).toEqual([
      [[1, 2], 3],
      [2, null],
    ]);
    expect(batches).toEqual([['a', 'b', 'c', 'zz']]);
  });

  it('caches loaded keys (values and nulls): a later call reads only new keys', async () => {
    const { batches, read } = recordingRead(DATA);
    const loader = new KeyedBatchLoader('n', read);
    await loader.loadMany(['a', 'zz']);
    expect(await loader.loadMany(['zz', 'a', 'c'])).toEqual([null, 1, 3]);
    expect(await loader.load('zz')).toBeNull();
    expect(await loader.loadMany(['a', 'c'])).toEqual([1, 3]);
    expect(batches).toEqual([['a', 'zz'], ['c']]);
  });

  it('a key whose batch is in flight waits for it instead of being read again', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const loader = new KeyedBatchLoader<number>('n', async (keys) => {
      batches.push(keys.slice());
      await gate;
      return keys.map((k) => DATA[k as keyof typeof DATA] ?? null);
    });
    const first = loader.loadMany(['a', 'b']);
    await nextLoopTurn(); // the first batch is now in flight
    await nextLoopTurn();
    const second = loader.loadMany(['b', 'c']); // b waits for batch 1, c opens batch 2
    await nextLoopTurn();
    await nextLoopTurn();
    release();
    expect(await first).toEqual([1, 2]);
    expect(await second).toEqual([2, 3]);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('prefetch queues keys without waiting; a later load shares that read', async () => {
    const { batches, read } = recordingRead(DATA);
    const loader = new KeyedBatchLoader('n', read);
    loader.prefetch(['a', 'b']);
    await nextLoopTurn();
    await nextLoopTurn();
    expect(batches).toEqual([['a', 'b']]);
    expect(await loader.loadMany(['b', 'a'])).toEqual([2, 1]);
    expect(batches).toHaveLength(1);
  });

  it('a failed read puts its error in place for every key of the batch, and a later load reads them again', async () => {
    let fail = true;
    const calls: string[][] = [];
    const loader = new KeyedBatchLoader<number>('n', async (keys) => {
      calls.push(keys.slice());
      if (fail) throw new Error('store down');
      return keys.map(() => 7);
    });
    const [many, one] = await Promise.all([
      loader.loadMany(['a', 'b']),
      loader.load('b').catch((e: unknown) => e),
    ]);
    expect(many.map((v) => (v instanceof Error ? v.message : v))).toEqual(['store down', 'store down']);
    expect((one as Error).message).toBe('store down');
    fail = false;
    expect(await loader.loadMany(['a', 'b'])).toEqual([7, 7]);
    expect(calls).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('a read returning the wrong number of values fails the batch, naming the loader', async () => {
    const loader = new KeyedBatchLoader<number>('items', async () => [1]);
    const [v] = await loader.loadMany(['a', 'b']);
    expect((v as Error).message).toBe('items: the store returned 1 values for 2 keys');
    const empty = new KeyedBatchLoader<number>('items', async () => []);
    await expect(empty.load('c')).rejects.toThrow('items: the store returned 0 values for 1 keys');
  });

  it('a read that throws synchronously or rejects with a non-Error fails the batch with an Error', async () => {
    const sync = new KeyedBatchLoader<number>('n', () => {
      throw new Error('sync');
    });
    await expect(sync.load('a')).rejects.toThrow('sync');
    const odd = new KeyedBatchLoader<number>('n', () => Promise.reject('nope' as unknown as Error));
    const [v] = await odd.loadMany(['a']);
    expect(v).toBeInstanceOf(Error);
    expect((v as Error).message).toBe('nope');
  });

  it('only the failed batch errs: keys loaded by another batch keep their values', async () => {
    let n = 0;
    const loader = new KeyedBatchLoader<number>('n', async (keys) => {
      if (++n === 2) throw new Error('second read fails');
      return keys.map(() => n);
    });
    await loader.loadMany(['a']);
    const out = await loader.loadMany(['a', 'b']);
    expect(out[0]).toBe(1);
    expect((out[1] as Error).message).toBe('second read fails');
  });

  it('peek returns only loaded keys (values and nulls), never starts a read, and misses keys in flight or failed', async () => {
    const { batches, read } = recordingRead(DATA);
    const loader = new KeyedBatchLoader('n', read);
    expect(loader.peek('a')).toBeUndefined();
    const pending = loader.loadMany(['a', 'zz']);
    // In flight: not loaded yet.
    expect(loader.peek('a')).toBeUndefined();
    await pending;
    expect(loader.peek('a')).toBe(1);
    expect(loader.peek('zz')).toBeNull();
    expect(loader.peek('c')).toBeUndefined();
    await nextLoopTurn();
    expect(batches).toEqual([['a', 'zz']]);
    let fail = true;
    const flaky = new KeyedBatchLoader<number>('f', async (keys) => {
      if (fail) throw new Error('down');
      return keys.map(() => 7);
    });
    await flaky.loadMany(['x']);
    expect(flaky.peek('x')).toBeUndefined();
    fail = false;
    expect(await flaky.load('x')).toBe(7);
    expect(flaky.peek('x')).toBe(7);
  });

  it('gives the same results and store batches as the DataLoader it replaces', async () => {
    const data: Record<string, number> = { a: 1, b: 2, c: 3, d: 4 };
    const plan = [['a', 'b', 'x'], ['b', 'c'], ['x', 'd'], ['a']];
    const run = async (loadMany: (keys: string[]) => Promise<unknown[]>) => {
      const results: unknown[] = [];
      // Two calls in one turn, one in the next turn, one after everything settled.
      const p = [loadMany(plan[0]!), loadMany(plan[1]!)];
      await nextLoopTurn();
      p.push(loadMany(plan[2]!));
      results.push(...(await Promise.all(p)));
      results.push(await loadMany(plan[3]!));
      return results;
    };
    const mine = recordingRead(data);
    const keyed = new KeyedBatchLoader('n', mine.read);
    const theirs = recordingRead(data);
    const dl = new DataLoader<string, number | null>((keys) => theirs.read(keys), {
      batchScheduleFn: dispatchOnNextLoopTurn,
    });
    expect(await run((k) => keyed.loadMany(k))).toEqual(await run((k) => dl.loadMany(k)));
    expect(mine.batches).toEqual(theirs.batches);
  });
});

describe('KeyedBatchLoader degraded parts (trackDegraded)', () => {
  /** A read that reports `featureStore.users` as served from a fallback when it reads key `z`. */
  const fallbackRead = async (keys: readonly string[]): Promise<(number | null)[]> => {
    if (keys.includes('z')) reportDegraded('featureStore.users');
    return keys.map((k) => k.length);
  };
  const partsOf = async (fn: () => Promise<unknown>): Promise<string[]> =>
    (await collectDegradedParts(fn)).parts;

  it('reports a fallback read to every caller of its keys: in the same batch, and later from the cache', async () => {
    const loader = new KeyedBatchLoader('users', fallbackRead, dispatchOnNextLoopTurn, true);
    const [first, second] = await Promise.all([
      partsOf(() => loader.load('z')),
      partsOf(() => loader.loadMany(['a', 'z'])),
    ]);
    expect(first).toEqual(['featureStore.users']);
    expect(second).toEqual(['featureStore.users']);
    // Cached now: each later caller still hears of it, through load and loadMany.
    expect(await partsOf(() => loader.load('z'))).toEqual(['featureStore.users']);
    expect(await partsOf(() => loader.loadMany(['a']))).toEqual(['featureStore.users']);
    // A key of another batch, read normally, reports nothing.
    expect(await partsOf(() => loader.load('b'))).toEqual([]);
    expect(await loader.loadMany(['z', 'b'])).toEqual([1, 1]);
  });

  it('peek reports the parts of a fallback read, like load', async () => {
    const loader = new KeyedBatchLoader('users', fallbackRead, dispatchOnNextLoopTurn, true);
    await loader.loadMany(['z', 'b']);
    expect(await partsOf(async () => expect(loader.peek('z')).toBe(1))).toEqual(['featureStore.users']);
    expect(await partsOf(async () => expect(loader.peek('b')).toBe(1))).toEqual(['featureStore.users']);
    const other = new KeyedBatchLoader('users', fallbackRead, dispatchOnNextLoopTurn, true);
    await other.load('b');
    expect(await partsOf(async () => expect(other.peek('b')).toBe(1))).toEqual([]);
  });

  it('without tracking only the caller whose load dispatched the read hears of it', async () => {
    const loader = new KeyedBatchLoader('users', fallbackRead);
    const [first, second] = await Promise.all([
      partsOf(() => loader.load('z')),
      partsOf(() => loader.load('z')),
    ]);
    expect(first).toEqual(['featureStore.users']);
    expect(second).toEqual([]);
    expect(await partsOf(() => loader.load('z'))).toEqual([]);
  });
});
