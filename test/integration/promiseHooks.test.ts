import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Node turns its promise hooks on for the rest of the process the first time
 * an `AsyncLocalStorage` context is entered, and from then on every promise
 * pays for them. The gateway enters one only to collect a request's degraded
 * parts, which only stores that can serve from a fallback report (issue #6:
 * the live ranking's refresh entered it on the in-process memory store too,
 * so every request of `npm run bench` paid for the hooks).
 *
 * Each case runs in a fresh child process: a gateway, a few requests of every
 * kind, then a probe. Without promise hooks `executionAsyncId()` after an
 * `await` is 0; with them it is the promise's own id. The probe itself is
 * checked against an `AsyncLocalStorage` entered on purpose.
 */

const execFileAsync = promisify(execFile);

let registry: string;
let tmp: string;

beforeAll(async () => {
  registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-hooks-'));
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Child-process script: prints `{ "afterRequests": bool, "afterEnteringAls": bool }` (hooks on?). */
function script(givenAdapter: boolean, eventLogFile: string): string {
  const src = (rel: string): string => JSON.stringify(new URL(`../../src/${rel}`, import.meta.url).href);
  return `
    import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
    import { createGateway } from ${src('services/createGateway.ts')};
    import { MemoryFeatureStore } from ${src('stores/memory/memoryFeatureStore.ts')};
    async function hooksOn() { await null; return executionAsyncId() !== 0; }
    if (await hooksOn()) throw new Error('promise hooks were on before the gateway started');
    const gateway = await createGateway({
      registryDir: ${JSON.stringify(registry)},
      eventLogFile: ${JSON.stringify(eventLogFile)},
      eventLogFsync: 'never',
      servedLogFlushMs: 0,
      awaitSideEffects: true,
      ${givenAdapter ? 'adapters: { featureStore: new MemoryFeatureStore() },' : ''}
    });
    const base = { sessionItemIds: [], first: 20, after: null, filter: null, context: null };
    const home = await gateway.recommendations(
      { ...base, userId: null, surface: 'home' }, gateway.createRequestScope());
    const itemId = home.items[0].itemId;
    await gateway.recommendations({ ...base, userId: 'u-hooks', surface: 'home' }, gateway.createRequestScope());
    await gateway.similarItems({ itemId, userId: 'u-hooks', first: 10, filter: null }, gateway.createRequestScope());
    await gateway.recordFeedback(
      [{ userId: 'u-hooks', itemId, type: 'CLICK', value: null, requestId: null, timestamp: null, context: null }],
      gateway.createRequestScope());
    await gateway.items([itemId], gateway.createRequestScope());
    const afterRequests = await hooksOn();
    await gateway.close();
    new AsyncLocalStorage().run(0, () => {});
    process.stdout.write(JSON.stringify({ afterRequests, afterEnteringAls: await hooksOn() }));
  `;
}

async function runCase(
  givenAdapter: boolean,
): Promise<{ afterRequests: boolean; afterEnteringAls: boolean }> {
  const eventLogFile = path.join(tmp, `events-${givenAdapter ? 'adapter' : 'memory'}.jsonl`);
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script(givenAdapter, eventLogFile)],
    { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(stdout) as { afterRequests: boolean; afterEnteringAls: boolean };
}

describe('promise hooks', () => {
  it('stay off on the in-process memory store through recommendations, similar items, feedback and item reads', async () => {
    const seen = await runCase(false);
    expect(seen.afterEnteringAls).toBe(true); // the probe sees hooks when they are on
    expect(seen.afterRequests).toBe(false);
  }, 90_000);

  it('are on when the feature store is an adapter given by the caller, which may report degraded parts', async () => {
    const seen = await runCase(true);
    expect(seen.afterEnteringAls).toBe(true);
    expect(seen.afterRequests).toBe(true);
  }, 90_000);
});
