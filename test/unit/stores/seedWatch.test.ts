import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SeedWatch } from '../../../src/stores/redis/seedWatch.js';

/** A seed watch over an event emitter standing for the Redis connection, with a settable mark and clock. */
function setup(options: { reseedSetsMark?: boolean } = {}) {
  const client = new EventEmitter();
  const clock = { t: 1_000_000 };
  const mark = { value: 'v1' as string | null };
  let reseeds = 0;
  let reads = 0;
  const watch = new SeedWatch({
    client,
    seededVersion: async () => {
      reads++;
      return mark.value;
    },
    reseed: async () => {
      reseeds++;
      if (options.reseedSetsMark ?? true) mark.value = 'v1';
    },
    checkEveryMs: 1000,
    now: () => clock.t,
  });
  return { client, clock, mark, watch, counts: () => ({ reads, reseeds }) };
}

/** Lets the background re-seed and the check after it run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SeedWatch', () => {
  it('answers from its last check, without a read, while that check is recent', () => {
    const { watch, counts } = setup();
    expect(watch.trusted()).toBe(true);
    expect(counts().reads).toBe(0);
  });

  it('reads the mark once checkEveryMs passed; a missing mark is untrusted until the re-seed it starts has set it', async () => {
    const { watch, clock, mark, counts } = setup();
    mark.value = null; // Redis lost its data
    expect(watch.trusted()).toBe(true); // not due yet
    clock.t += 1000;
    expect(await watch.trusted()).toBe(false);
    expect(counts().reseeds).toBe(1);
    await settle();
    expect(watch.trusted()).toBe(true); // the check after the re-seed found the mark
    expect(counts()).toEqual({ reads: 2, reseeds: 1 });
  });

  it('distrusts at once on a lost connection and checks at once on the reconnect', async () => {
    const { watch, client, mark, counts } = setup();
    client.emit('close');
    mark.value = null;
    expect(watch.trusted()).not.toBe(true); // a check is due at once
    client.emit('ready');
    await settle();
    expect(counts().reseeds).toBe(1);
    expect(watch.trusted()).toBe(true);
  });

  it('answers with the state as last known when a due check does not answer within budgetMs', async () => {
    const clock = { t: 0 };
    const watch = new SeedWatch({
      client: new EventEmitter(),
      seededVersion: () => new Promise<string | null>(() => undefined), // Redis paused: never answers
      reseed: async () => undefined,
      budgetMs: 1,
      now: () => clock.t,
    });
    clock.t += 1000;
    expect(await watch.trusted()).toBe(true); // trusted before; the circuit breaker handles the slow Redis
    expect(watch.trusted()).toBe(true); // the check is still pending: no second read, no wait
  });

  it('retries a failed re-seed at most every checkEveryMs, and stops listening on close', async () => {
    const { watch, clock, mark, client, counts } = setup({ reseedSetsMark: false });
    mark.value = null;
    clock.t += 1000;
    expect(await watch.trusted()).toBe(false);
    await settle();
    expect(watch.trusted()).toBe(false); // still missing: not due again yet
    expect(counts().reseeds).toBe(1);
    clock.t += 1000;
    expect(await watch.trusted()).toBe(false);
    expect(counts().reseeds).toBe(2);
    watch.close();
    expect(client.listenerCount('close') + client.listenerCount('ready')).toBe(0);
  });
});
