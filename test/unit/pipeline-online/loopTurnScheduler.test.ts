import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KeyedBatchLoader } from '../../../src/loaders/keyedBatchLoader.js';
import { LoopTurnScheduler } from '../../../src/pipeline/loopTurnScheduler.js';

/** A fake clock: continuations "spend" time by advancing it. */
function fakeClock() {
  let t = 0;
  return { now: () => t, spend: (ms: number) => void (t += ms) };
}

/** Resolves once every callback queued so far (timers, immediates, I/O) and many turns have run. */
async function settle(scheduler: LoopTurnScheduler, done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(done()).toBe(true);
  expect(scheduler.turns).toBeGreaterThan(0);
}

describe('LoopTurnScheduler', () => {
  it('resumes continuations in order, all in one turn while the budget lasts', async () => {
    const clock = fakeClock();
    const s = new LoopTurnScheduler(4, clock.now);
    const ran: [number, number][] = [];
    const runs = [0, 1, 2].map((k) =>
      s.yield().then(() => {
        ran.push([k, s.turns]);
        clock.spend(1);
      }),
    );
    await Promise.all(runs);
    expect(ran).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  it('defers what is past the budget to the next loop turn, running at least one continuation per turn', async () => {
    const clock = fakeClock();
    const s = new LoopTurnScheduler(4, clock.now);
    const ran: [number, number][] = [];
    // Each continuation costs 3 ms: 0 starts at 0, 1 at 3 (≤ 4), 2 would start at 6 > 4.
    // A 10 ms continuation alone in a turn still runs (the queue must drain).
    const costs = [3, 3, 3, 10, 10];
    await Promise.all(
      costs.map((ms, k) =>
        s.yield().then(() => {
          ran.push([k, s.turns]);
          clock.spend(ms);
        }),
      ),
    );
    expect(ran).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 3],
    ]);
  });

  it('lets I/O callbacks run between turns when the budget is spent', async () => {
    const clock = fakeClock();
    const s = new LoopTurnScheduler(4, clock.now);
    const events: string[] = [];
    // A file read completes in the poll phase: with every continuation over budget it
    // must be handled before the last of them, not after all of them.
    const read = readFile(new URL(import.meta.url)).then(() => events.push('io'));
    const all = Array.from({ length: 200 }, (_, k) =>
      s.yield().then(() => {
        events.push(`c${k}`);
        clock.spend(5);
      }),
    );
    await Promise.all([read, ...all]);
    expect(events.indexOf('io')).toBeLessThan(events.indexOf('c199'));
    expect(s.turns).toBe(200);
  });

  it('dispatches a batch only after the continuations queued before it, even across turns', async () => {
    const clock = fakeClock();
    const s = new LoopTurnScheduler(4, clock.now);
    const batches: string[][] = [];
    const loader = new KeyedBatchLoader<number>(
      'n',
      async (keys) => {
        batches.push(keys.slice());
        return keys.map((k) => k.length);
      },
      (dispatch) => s.afterPending(dispatch),
    );
    // Five continuations resumed together, each costing 3 ms, each loading one key after
    // it resumes: the budget spreads them over three turns, and the first load's
    // dispatch must still wait for the other four.
    const values = await Promise.all(
      ['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((key) =>
        s.yield().then(() => {
          clock.spend(3);
          return loader.load(key);
        }),
      ),
    );
    expect(values).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([['a', 'bb', 'ccc', 'dddd', 'eeeee']]);
    expect(s.turns).toBeGreaterThanOrEqual(3);
  });

  it('keeps first-in first-out order across turns, so the loads of a later phase still share one batch', async () => {
    const clock = fakeClock();
    const s = new LoopTurnScheduler(4, clock.now);
    const batches: string[][] = [];
    const loader = new KeyedBatchLoader<number>(
      'n',
      async (keys) => {
        batches.push(keys.slice());
        return keys.map((k) => k.length);
      },
      (dispatch) => s.afterPending(dispatch),
    );
    const order: string[] = [];
    // Two phases per run, 3 ms each: the budget cuts phase 1 after two runs. Runs whose
    // phase 1 was deferred must still reach phase 2 before the first phase-2 load is sent.
    const values = await Promise.all(
      ['a', 'bb', 'ccc', 'dddd', 'eeeee'].map(async (key) => {
        await s.yield();
        order.push(`1${key[0]}`);
        clock.spend(3);
        await s.yield();
        order.push(`2${key[0]}`);
        clock.spend(3);
        return loader.load(key);
      }),
    );
    expect(values).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([['a', 'bb', 'ccc', 'dddd', 'eeeee']]);
    expect(order).toEqual(['1a', '1b', '1c', '1d', '1e', '2a', '2b', '2c', '2d', '2e']);
  });

  it('dispatches at once when no continuation is waiting', async () => {
    const s = new LoopTurnScheduler();
    let dispatched = false;
    s.afterPending(() => (dispatched = true));
    await settle(s, () => dispatched);
  });

  it('refuses a budget that is not a positive finite number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new LoopTurnScheduler(bad)).toThrow(/budgetMs must be a positive finite number/);
    }
  });
});
