import { describe, expect, it } from 'vitest';
import { RequestAbortedError } from '../../../src/pipeline/requestAbortedError.js';
import { pipelineQueue } from '../../../src/services/pipelineQueue.js';

/** A promise and its resolve, to hold a run open until the test lets it finish. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets queued microtasks (p-limit's hand-overs) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('pipelineQueue: admission of requests to the pipelines', () => {
  it('runs at most `concurrency` requests at once and starts the others in arrival order', async () => {
    const queue = pipelineQueue(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3, 4].map(() => deferred());
    let running = 0;
    let most = 0;
    const runs = gates.map((g, i) =>
      queue.run({}, undefined, async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await g.promise;
        running--;
        return i * 10;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(queue.active).toBe(2);
    expect(queue.waiting).toBe(3);
    gates[1]!.resolve(); // the second finishes first: the third (not a later one) takes its slot
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs)).toEqual([0, 10, 20, 30, 40]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(queue.active).toBe(0);
    expect(queue.waiting).toBe(0);
  });

  it('the runs of one request share its slot and start together; a later run asks again', async () => {
    const queue = pipelineQueue(1);
    const a = {};
    const b = {};
    const gateA = deferred();
    const started: string[] = [];
    const run = (request: object, name: string, gate: Promise<void>): Promise<void> =>
      queue.run(request, undefined, async () => {
        started.push(name);
        await gate;
      });
    const a1 = run(a, 'a1', gateA.promise);
    const b1 = run(b, 'b1', Promise.resolve());
    const a2 = run(a, 'a2', gateA.promise); // joins a's slot, ahead of b, which waits for it
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    expect(queue.active).toBe(1);
    expect(queue.waiting).toBe(1);
    gateA.resolve();
    await Promise.all([a1, a2, b1]);
    expect(started).toEqual(['a1', 'a2', 'b1']);
    // a's slot was given back with its last run: a new run of a waits behind a holder like anyone else
    const gateB = deferred();
    const b2 = run(b, 'b2', gateB.promise);
    const a3 = run(a, 'a3', Promise.resolve());
    await settle();
    expect(started.slice(3)).toEqual(['b2']);
    gateB.resolve();
    await Promise.all([b2, a3]);
    expect(started.slice(3)).toEqual(['b2', 'a3']);
    expect(queue.active).toBe(0);
  });

  it('frees the slot of a run that throws, and passes its error on', async () => {
    const queue = pipelineQueue(1);
    const failing = queue.run({}, undefined, () => Promise.reject(new Error('stage failed')));
    const next = queue.run({}, undefined, () => Promise.resolve('after'));
    await expect(failing).rejects.toThrow('stage failed');
    await expect(next).resolves.toBe('after');
  });

  it('a request whose client went away while it waited leaves the queue at once and never runs', async () => {
    const queue = pipelineQueue(1);
    const gate = deferred();
    const first = queue.run({}, undefined, () => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = queue.run({}, controller.signal, () => {
      ran = true;
      return Promise.resolve();
    });
    await settle();
    expect(queue.waiting).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(RequestAbortedError);
    expect(queue.waiting).toBe(0); // gone before the slot frees, not counted as demand
    expect(queue.active).toBe(1);
    gate.resolve();
    await first;
    await settle();
    expect(ran).toBe(false);
    expect(queue.active).toBe(0);
  });

  it('a request admitted before asks again ahead of requests not admitted yet (nested lists)', async () => {
    const queue = pipelineQueue(1);
    const a = {};
    const started: string[] = [];
    const run = (request: object, name: string, gate: Promise<void>): Promise<void> =>
      queue.run(request, undefined, async () => {
        started.push(name);
        await gate;
      });
    const gateB = deferred();
    await run(a, 'a-page', Promise.resolve()); // a is admitted once, then gives its slot back
    const b = run({}, 'b', gateB.promise); // holds the slot
    const c = run({}, 'c', Promise.resolve()); // waits
    await settle();
    const aSimilar = run(a, 'a-similar', Promise.resolve()); // waits too, but goes before c
    await settle();
    expect(queue.waiting).toBe(2);
    gateB.resolve();
    await Promise.all([b, c, aSimilar]);
    expect(started).toEqual(['a-page', 'b', 'a-similar', 'c']);
  });

  it('refuses an already aborted request at once, without queueing it', async () => {
    const queue = pipelineQueue(1);
    const controller = new AbortController();
    controller.abort();
    await expect(queue.run({}, controller.signal, () => Promise.resolve(1))).rejects.toBeInstanceOf(
      RequestAbortedError,
    );
    expect(queue.waiting).toBe(0);
    expect(queue.active).toBe(0);
  });

  it('0 = no limit: every run starts at once', async () => {
    const queue = pipelineQueue(0);
    const gates = Array.from({ length: 50 }, () => deferred());
    let started = 0;
    const runs = gates.map((g) =>
      queue.run({}, undefined, async () => {
        started++;
        await g.promise;
      }),
    );
    await settle();
    expect(started).toBe(50);
    expect(queue.waiting).toBe(0);
    for (const g of gates) g.resolve();
    await Promise.all(runs);
  });

  it('throws a RangeError for a concurrency that is not an integer ≥ 0', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pipelineQueue(bad)).toThrow(RangeError);
    }
  });
});
