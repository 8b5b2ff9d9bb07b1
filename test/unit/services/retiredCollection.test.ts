import { afterEach, expect, it, vi } from 'vitest';
import type { ModelRolloutOptions } from '../../../src/services/modelRollout.js';
import { ModelRollout } from '../../../src/services/modelRollout.js';
import { noopTelemetry } from '../../../src/telemetry/telemetry.js';

/** A rollout over stand-ins (nothing is loaded): only its retirement of a replaced model is used. */
function rollout(collectGarbage: ModelRolloutOptions['collectGarbage']): ModelRollout {
  return new ModelRollout({
    registry: {} as ModelRolloutOptions['registry'],
    backends: {} as ModelRolloutOptions['backends'],
    initial: {
      model: { version: 'v1' } as ModelRolloutOptions['initial']['model'],
      parts: { store: {}, index: {} } as unknown as ModelRolloutOptions['initial']['parts'],
    },
    telemetry: noopTelemetry,
    now: () => 0,
    collectGarbage,
  });
}

/** Retires a stand-in model `version` as a swap does, and waits past the retire delay (30 s) and the collection. */
async function retire(r: ModelRollout, version: string): Promise<void> {
  const model = { version, close: async () => undefined };
  (r as unknown as { retireModel(m: unknown): void }).retireModel(model);
  await vi.advanceTimersByTimeAsync(30_000);
  await new Promise((resolve) => setImmediate(resolve));
  await vi.advanceTimersByTimeAsync(1_000);
}

afterEach(() => {
  vi.useRealTimers();
});

it('runs the collection once a replaced model is closed', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const collect = vi.fn(() => 1);
  await retire(rollout(collect), 'v0');
  expect(collect).toHaveBeenCalledTimes(1);
});

it('a collection that throws is logged, not an uncaught exception that ends the gateway', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => void uncaught.push(err);
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    const collect = vi.fn((): number => {
      throw new Error('gc unavailable');
    });
    await retire(rollout(collect), 'v0');
    expect(collect).toHaveBeenCalledTimes(1);
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  }
  expect(uncaught).toEqual([]);
});

it('collectGarbage: null runs none', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const r = rollout(null);
  const model = { version: 'v0', close: vi.fn(async () => undefined) };
  (r as unknown as { retireModel(m: unknown): void }).retireModel(model);
  await vi.advanceTimersByTimeAsync(30_000);
  await new Promise((resolve) => setImmediate(resolve));
  expect(model.close).toHaveBeenCalledTimes(1); // closed, and nothing else ran (no collection to call)
});
