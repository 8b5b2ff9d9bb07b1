import { rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import { loadVersionBundle } from '../../../models/registry/loadVersionBundle.js';
import { tempRegistryWithTinyVersion } from './registryFixtures.js';

/**
 * A loaded bundle must go with ONE full collection once nothing holds it, even
 * after optimized code read it (the served model's bundle is read by every
 * request): V8 keeps a map that optimized code used alive for a few full
 * collections after its objects died ("retained maps"), and a `trainCounts`
 * getter made per bundle gave each bundle a map of its own that held, through
 * the getter's scope, the bundle itself. A replaced model (hundreds of MB at
 * 1M items) then outlived the one collection the gateway runs after retiring it.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');
// For %OptimizeFunctionOnNextCall: V8 reads the flag when it parses the functions below.
setFlagsFromString('--allow-natives-syntax');
const optimize = new Function(
  'f',
  'arg',
  '%PrepareFunctionForOptimization(f); f(arg); f(arg); %OptimizeFunctionOnNextCall(f); return f(arg);',
) as (f: (b: ModelBundle) => number, arg: ModelBundle) => number;
setFlagsFromString('--no-allow-natives-syntax');

let registry = '';
beforeAll(() => {
  registry = tempRegistryWithTinyVersion();
});
afterAll(() => {
  if (registry) rmSync(registry, { recursive: true, force: true });
});

it('a loaded bundle and its catalog go with one full collection, after optimized code read them', async () => {
  // Reads the bundle as the serving path does; optimized for the loaded bundles' map, and kept.
  const read = (b: ModelBundle): number => b.itemIds.length + b.dimension + b.popularity.length;
  const refs = (() => {
    const { bundle, catalog } = loadVersionBundle(registry, 'default', 'v1');
    expect(optimize(read, bundle)).toBeGreaterThan(0);
    expect(bundle.trainCounts.length).toBe(bundle.itemIds.length); // the lazy getter, used once
    return [new WeakRef(bundle), new WeakRef(catalog)];
  })();
  // A WeakRef made (or read) in this job keeps its target until the job ends.
  await new Promise((r) => setTimeout(r, 0));
  gc();
  expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true]);
  expect(read.length).toBe(1); // `read` (its optimized code) is alive until here
});

it('bundles keep their own counts (the getter is shared, its state is per bundle)', () => {
  const a = loadVersionBundle(registry, 'default', 'v1').bundle;
  const b = loadVersionBundle(registry, 'default', 'v1').bundle;
  expect(a.trainCounts).toBe(a.trainCounts);
  expect(a.trainCounts).not.toBe(b.trainCounts);
  expect(Array.from(a.trainCounts)).toEqual(Array.from(b.trainCounts));
  expect(Object.keys(a)).toContain('trainCounts');
  expect({ ...a }.trainCounts).toBe(a.trainCounts);
});
