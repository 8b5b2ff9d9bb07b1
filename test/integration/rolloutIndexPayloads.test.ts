import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import { TEST_MODEL_NAME } from '../support/trainedRegistry.js';
import { twoVersionGateway } from '../support/twoVersionRegistry.js';

/**
 * A hot reload builds the new model's vector index from the registry's
 * catalog; items changed through `upsertItems` before it (memory store) must
 * keep their current categories and availability in that index too, or a
 * filter applied inside the index misses them (found by a fault-injection
 * check: a category set through the API stopped matching after a reload).
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-rollout-payloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps categories and availability set through upsertItems in the vector index after a hot reload', async () => {
  const { gateway, modelDir } = await twoVersionGateway(dir);
  try {
    const items = JSON.parse(readFileSync(path.join(modelDir, 'v1', 'items.json'), 'utf8')) as string[];
    const seed = items[0]!;
    const similar = (filter: { categoriesAny?: string[] } | null): Promise<string[]> =>
      gateway
        .similarItems({ itemId: seed, userId: null, first: 10, filter }, gateway.createRequestScope())
        .then((r) => r.items.map((i) => i.itemId));
    const all = await similar(null);
    const [recategorised, hidden] = [all[2]!, all[3]!];
    await gateway.upsertItems([
      { id: recategorised, categories: ['Set through the API'] },
      { id: hidden, available: false },
    ]);
    const filter = { categoriesAny: ['Set through the API'] };
    expect(await similar(filter)).toEqual([recategorised]);
    expect(await similar(null)).not.toContain(hidden);

    setCurrentVersion(dir, TEST_MODEL_NAME, 'v2');
    await gateway.checkModel();
    expect(gateway.modelInfo().rankerVersion).toBe('v2');
    expect(await similar(filter)).toEqual([recategorised]);
    expect(await similar(null)).not.toContain(hidden);
  } finally {
    await gateway.close();
  }
}, 240_000);
