import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { CatalogTable } from '../../models/registry/catalogTable.js';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import { TEST_MODEL_NAME } from '../support/trainedRegistry.js';
import { twoVersionGateway } from '../support/twoVersionRegistry.js';

/**
 * A hot reload must let the replaced model go once it is retired: before the
 * fix, `ModelRollout` kept its constructor options (the initial model and its
 * backends) and `openBackends` kept the initial model as the seed to restore
 * even without Redis, so the first model (at 1M items hundreds of MB) stayed
 * for the process's life (attack report, session 24). Each catalog table the
 * loader builds is tracked with a WeakRef; after the retire delay and forced
 * collections only v2's may be alive.
 */

// Every catalog table the registry loader builds, weakly.
const built: WeakRef<CatalogTable>[] = [];
const original = CatalogTable.build.bind(CatalogTable);
CatalogTable.build = ((items, known, from) => {
  const t = original(items, known, from);
  built.push(new WeakRef(t));
  return t;
}) as typeof CatalogTable.build;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-reload-frees-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('drops the first model (its catalog) once a reload retired it', async () => {
  const { gateway } = await twoVersionGateway(dir);
  try {
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v2');
    await gateway.checkModel();
    expect(gateway.modelInfo().rankerVersion).toBe('v2');
    // modelRollout retires (closes) a replaced model 30 s after the swap (RETIRE_AFTER_MS).
    await new Promise((r) => setTimeout(r, 31_500));
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    // Read once, after the collections (a deref keeps its target alive until the job ends).
    const alive = built.map((w) => w.deref() !== undefined);
    expect(alive).toEqual([false, true]);
  } finally {
    await gateway.close();
  }
}, 240_000);
