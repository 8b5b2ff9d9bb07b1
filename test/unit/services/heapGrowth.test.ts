import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configFromEnv, resolveGatewayConfig } from '../../../src/config.js';
import {
  LARGE_MODEL_HEAP_GROWING_PERCENT,
  applyHeapGrowth,
  heapGrowingFlagGiven,
  heapGrowingPercentFor,
} from '../../../src/services/heapGrowth.js';

/** The module under test, as the child processes import it. */
const MODULE = JSON.stringify(new URL('../../../src/services/heapGrowth.ts', import.meta.url).href);

/**
 * Child-process code that makes `rounds` rounds of garbage surviving scavenges (old generation),
 * keeping `live` alive, and prints the largest heap in use it saw, MiB.
 */
const garbageLoop = (rounds: number): string => `
      let max = 0;
      let keep = [];
      for (let round = 0; round < ${rounds}; round++) {
        keep.push(Array.from({ length: 16384 }, (_, i) => ({ i })));
        if (keep.length > 40) keep = [];
        max = Math.max(max, getHeapStatistics().used_heap_size);
      }
      process.stdout.write(String(Math.round(max / 2 ** 20) + live.length * 0));
`;

/** Runs `script` (an ES module) in a child Node with `flags` and `arg` last; its stdout, trimmed. */
function runChild(
  flags: string[],
  script: string,
  arg: string[],
  options: { timeout: number; env?: NodeJS.ProcessEnv },
): string {
  return execFileSync(
    process.execPath,
    [...flags, '--import', 'tsx', '--input-type=module', '-e', script, ...arg],
    {
      encoding: 'utf8',
      ...options,
    },
  ).trim();
}

describe('RECGATE_HEAP_GROWING_PERCENT', () => {
  it('defaults to auto, reads "auto" or an integer in 0..1000, and names the variable when it is bad', () => {
    expect(resolveGatewayConfig({}).heapGrowingPercent).toBe('auto');
    expect(configFromEnv({ RECGATE_HEAP_GROWING_PERCENT: 'auto' }).heapGrowingPercent).toBe('auto');
    expect(configFromEnv({ RECGATE_HEAP_GROWING_PERCENT: '50' }).heapGrowingPercent).toBe(50);
    expect(configFromEnv({ RECGATE_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    for (const bad of ['-1', '1001', '2.5', 'AUTO', 'off', '0x10', '1e400']) {
      expect(() => configFromEnv({ RECGATE_HEAP_GROWING_PERCENT: bad })).toThrow(
        /^RECGATE_HEAP_GROWING_PERCENT: expected "auto" or an integer in 0\.\.1000/,
      );
    }
    expect(() => resolveGatewayConfig({ heapGrowingPercent: 1.5 })).toThrow(/heapGrowingPercent/);
  });

  it('picks 30 % for a model of 200,000 items or more under auto, the number itself otherwise', () => {
    expect(LARGE_MODEL_HEAP_GROWING_PERCENT).toBe(30);
    expect(heapGrowingPercentFor('auto', 200_000, 200_000)).toBe(30);
    expect(heapGrowingPercentFor('auto', 199_999, 200_000)).toBeNull(); // left to V8
    expect(heapGrowingPercentFor(0, 1_000_000, 200_000)).toBe(0);
    expect(heapGrowingPercentFor(35, 10, 200_000)).toBe(35);
  });

  it("leaves the operator's --heap-growing-percent alone, from the command line or NODE_OPTIONS", () => {
    expect(heapGrowingFlagGiven(['--heap-growing-percent=30'], undefined)).toBe(true);
    expect(heapGrowingFlagGiven(['--heap_growing_percent', '30'], undefined)).toBe(true);
    expect(heapGrowingFlagGiven([], '--max-semi-space-size=16  --heap-growing-percent=30')).toBe(true);
    expect(heapGrowingFlagGiven(['--heap-growing-percentage=3'], '--max-old-space-size=100')).toBe(false);
    const given = { execArgv: ['--heap-growing-percent=30'], nodeOptions: undefined };
    expect(applyHeapGrowth('auto', 1_000_000, 200_000, given)).toEqual({
      applied: false,
      reason: 'flag-given',
    });
    expect(applyHeapGrowth('auto', 10, 200_000, given)).toEqual({ applied: false, reason: 'small-model' });
  });

  it('takes effect in a running process: the heap a steady live set grows to follows the factor set', () => {
    // A child keeps ~40 MB live and makes garbage that survives scavenges (old generation), after
    // applyHeapGrowth set the factor; it prints the largest heap in use it saw. V8 lets the old
    // generation grow to (1 + N/100) times the live heap before a major GC, so 10 % and 1000 % differ
    // several times over; without the setting taking effect at run time they would be the same.
    const script = `
      import { applyHeapGrowth } from ${MODULE};
      import { getHeapStatistics } from 'node:v8';
      const r = applyHeapGrowth(Number(process.argv.at(-1)), 1, 1, { execArgv: [], nodeOptions: undefined });
      if (!r.applied) throw new Error('not applied');
      const live = Array.from({ length: 40 }, () => Array.from({ length: 131072 }, (_, i) => i + 0.5));
      ${garbageLoop(1200)}
    `;
    const peak = (percent: number): number =>
      Number(runChild([], script, [String(percent)], { timeout: 60_000 }));
    const tight = peak(10);
    const loose = peak(1000);
    expect(tight).toBeGreaterThan(40);
    expect(loose).toBeGreaterThan(3 * tight); // 99 against 568 MB when written
  }, 120_000);

  it('collects at once, so the factor bounds the heap before the next major GC (the Redis seeding peak)', () => {
    // As at a 1M-item gateway's start: the model load's last major GC (here a forced one, with 100 MB
    // live) set the old generation's limit with V8's own factor (up to 4x), then most of that is
    // garbage, then applyHeapGrowth sets 80 % and the seeding makes garbage that survives scavenges.
    // Without a collection in applyHeapGrowth the heap grew to the old limit (528 against 148 MB
    // with 120 MB loaded, when written): the start-up peak of the first start on Redis (BENCHMARKS.md).
    const script = `
      import { applyHeapGrowth } from ${MODULE};
      import { getHeapStatistics } from 'node:v8';
      const collect = process.argv.at(-1) === 'collect';
      let load = Array.from({ length: 100 }, () => Array.from({ length: 131072 }, (_, i) => i + 0.5));
      globalThis.gc();
      load = null;
      const live = Array.from({ length: 30 }, () => Array.from({ length: 131072 }, (_, i) => i + 0.5));
      let collections = 0;
      const r = applyHeapGrowth(80, 1, 1, { execArgv: [], nodeOptions: undefined }, collect ? undefined : () => collections++);
      if (!r.applied || (!collect && collections !== 1)) throw new Error('not applied');
      ${garbageLoop(1500)}
    `;
    const peak = (mode: 'collect' | 'skip'): number =>
      Number(runChild(['--expose-gc'], script, [mode], { timeout: 90_000 }));
    const collected = peak('collect');
    const skipped = peak('skip');
    expect(collected).toBeGreaterThan(30);
    expect(skipped).toBeGreaterThan(2 * collected);
  }, 200_000);

  it("leaves the operator's flag alone when it is given with one dash, which V8 applies as well", () => {
    expect(heapGrowingFlagGiven(['-heap-growing-percent=10'], undefined)).toBe(true);
    expect(heapGrowingFlagGiven(['-heap_growing_percent=10'], undefined)).toBe(true);
    expect(heapGrowingFlagGiven(['-heap-growing-percentage=10'], undefined)).toBe(false);
    // The process as an operator starts it: `node -heap-growing-percent=10 …` (V8 applies 10 %).
    const script = `
      import { applyHeapGrowth } from ${MODULE};
      process.stdout.write(JSON.stringify(applyHeapGrowth('auto', 1_000_000, 200_000)));
    `;
    const out = runChild(['-heap-growing-percent=10'], script, [], {
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(out)).toEqual({ applied: false, reason: 'flag-given' });
  }, 60_000);
});
