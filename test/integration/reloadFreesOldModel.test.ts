import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CatalogTable } from '../../models/registry/catalogTable.js';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import { TEST_MODEL_NAME } from '../support/trainedRegistry.js';
import { twoVersionGateway } from '../support/twoVersionRegistry.js';

/**
 * A hot reload must let the replaced model go once it is retired, and the
 * gateway must then collect it itself (an idle gateway runs no major GC on its
 * own). Before: `ModelRollout` kept its constructor options (the initial model
 * and its backends) and `openBackends` kept the initial model as the seed to
 * restore even without Redis, so the first model (at 1M items hundreds of MB)
 * stayed for the process's life (attack report, session 24); then each loaded
 * bundle had a hidden class of its own that held it (its `trainCounts` getter),
 * which V8 keeps for a few full collections after optimized code used it, and
 * nothing collected after the retirement. Each catalog table the loader builds
 * is tracked with a WeakRef; a moment after the retire delay only v2's may be
 * alive, without a collection from the test.
 */

// Every catalog table the registry loader builds, weakly.
const built: WeakRef<CatalogTable>[] = [];
const original = CatalogTable.build.bind(CatalogTable);
CatalogTable.build = ((items, known, from) => {
  const t = original(items, known, from);
  built.push(new WeakRef(t));
  return t;
}) as typeof CatalogTable.build;

const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-reload-frees-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('drops and collects the first model (its catalog) once a reload retired it', async () => {
  const { gateway } = await twoVersionGateway(dir);
  try {
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v2');
    await gateway.checkModel();
    expect(gateway.modelInfo().rankerVersion).toBe('v2');
    // modelRollout retires (closes) a replaced model 30 s after the swap (RETIRE_AFTER_MS), then runs
    // one full collection.
    await new Promise((r) => setTimeout(r, 31_500));
    // Read once (a deref keeps its target alive until the job ends).
    const alive = built.map((w) => w.deref() !== undefined);
    expect(alive).toEqual([false, true]);
  } finally {
    await gateway.close();
  }
}, 240_000);
