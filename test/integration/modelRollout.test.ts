import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCurrentVersion } from '../../models/registry/publishVersion.js';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';
import { writeShadowSetting } from '../../models/registry/shadowPointer.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { TEST_MODEL_NAME, TEST_TRAIN_ARGS, trainedRegistry } from '../support/trainedRegistry.js';
import { itemViews } from '../support/itemViews.js';

/**
 * Issue #5 §3, safe model rollout, on the real engine: a registry with the
 * shared test model (v1), a copy published as another version (v2), a
 * version with a corrupt ONNX file, and a differently trained version (the
 * shadow). The gateway polls nothing (`modelPollMs: 0`); the test calls
 * `checkModel()` after changing CURRENT or SHADOW, as the poll would.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-rollout-'));
const modelDir = path.join(dir, TEST_MODEL_NAME);
let gateway: Gateway;
const reloads: string[] = [];
const shadows: { version: string; spearman: number; overlap: number }[] = [];
const versions: string[] = [];
const telemetry: Telemetry = {
  ...noopTelemetry,
  recordModelReload: (outcome) => void reloads.push(outcome),
  recordShadowComparison: (version, spearman, overlap) => void shadows.push({ version, spearman, overlap }),
  setModelVersion: (version) => void versions.push(version),
};

/**
 * Copies `from`'s current version into the test registry as `version`
 * (manifest rewritten: the version, plus `created` and
 * `training.eventsReceivedThrough` when given).
 */
function publishCopy(
  fromRegistry: string,
  version: string,
  over: { created?: string; eventsReceivedThrough?: string | null } = {},
): void {
  const source = readCurrentVersion(fromRegistry, TEST_MODEL_NAME)!;
  const target = path.join(modelDir, version);
  cpSync(path.join(fromRegistry, TEST_MODEL_NAME, source), target, { recursive: true });
  const manifestFile = path.join(target, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown> & {
    training: Record<string, unknown>;
  };
  const training =
    over.eventsReceivedThrough === undefined
      ? manifest.training
      : { ...manifest.training, eventsReceivedThrough: over.eventsReceivedThrough };
  writeFileSync(
    manifestFile,
    JSON.stringify(
      { ...manifest, version, ...(over.created ? { created: over.created } : {}), training },
      null,
      2,
    ),
  );
}
let baseRegistry: string;

const scope = () => gateway.createRequestScope();
const list = async (userId: string, first = 20) =>
  gateway.recommendations(
    { userId, sessionItemIds: [], surface: 'home', first, after: null, filter: null, context: null },
    scope(),
  );

/** Records a DISMISS of `itemId` by `userId` and checks that it was accepted. */
const dismiss = async (userId: string, itemId: string): Promise<void> => {
  const [fb] = await gateway.recordFeedback(
    [{ userId, itemId, type: 'DISMISS', value: null, requestId: null, timestamp: null, context: null }],
    scope(),
  );
  expect(fb!.accepted).toBe(true);
};

beforeAll(async () => {
  const base = await trainedRegistry();
  baseRegistry = base;
  // A second, differently trained model for the shadow (other epochs: other ranker scores).
  const otherArgs = TEST_TRAIN_ARGS.map((a, k, all) => (all[k - 1] === '--epochs' ? '2' : a));
  const other = await trainedRegistry(otherArgs);
  publishCopy(base, 'v1');
  publishCopy(base, 'v2');
  publishCopy(base, 'v3-corrupt');
  writeFileSync(path.join(modelDir, 'v3-corrupt', 'model.onnx'), 'not an ONNX model');
  publishCopy(other, 'v4-shadow');
  setCurrentVersion(dir, TEST_MODEL_NAME, 'v1');
  gateway = await createGateway({
    registryDir: dir,
    modelName: TEST_MODEL_NAME,
    eventLogFile: path.join(dir, 'events.jsonl'),
    eventLogFsync: 'never',
    modelPollMs: 0,
    awaitSideEffects: true,
    telemetry,
    // These tests compare lists across reloads; a source cut off by the 50 ms default budget on a loaded
    // host drops candidates from one list and not the next (one failed run in session 22, under a bench).
    sourceBudgetMs: 5000,
  });
}, 240_000);

afterAll(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hot reload', () => {
  it('loads a new CURRENT in the background and swaps; feedback and promotions carry over', async () => {
    expect(gateway.modelInfo().rankerVersion).toBe('v1');
    const before = await list('rollout-user');
    const dismissed = before.items[0]!.itemId;
    await dismiss('rollout-user', dismissed);
    const promoted = before.items[10]!.itemId;
    await gateway.upsertPromotion({
      id: 'rollout-promo',
      itemIds: [promoted],
      positions: [1],
      boost: null,
      surfaces: null,
      startsAt: null,
      endsAt: null,
    });

    // An admin hides an item the model knows: the rollout must not bring it back.
    const hidden = before.items[5]!.itemId;
    const upsert = await gateway.upsertItems([{ id: hidden, title: 'Hidden by an admin', available: false }]);
    expect(upsert).toEqual({ upserted: 1, errors: [] });

    setCurrentVersion(dir, TEST_MODEL_NAME, 'v2');
    const reload = gateway.checkModel();
    // Feedback arriving while the new store is built is applied to it after the swap.
    const during = before.items[1]!.itemId;
    await dismiss('rollout-user', during);
    await reload;

    expect(gateway.modelInfo().rankerVersion).toBe('v2');
    expect(reloads).toEqual(['loaded']);
    expect(versions.at(-1)).toBe('v2');
    const after = await list('rollout-user');
    expect(after.modelVersion).toBe('v2');
    const ids = after.items.map((x) => x.itemId);
    expect(ids).not.toContain(dismissed);
    expect(ids).not.toContain(during);
    expect(ids).not.toContain(hidden);
    const [view] = await itemViews(gateway, [hidden], scope());
    expect(view?.title).toBe('Hidden by an admin');
    expect(ids[0]).toBe(promoted);
    expect(after.items[0]!.promotion?.id).toBe('rollout-promo');
    await gateway.deletePromotion('rollout-promo');
  });

  it('rejects a corrupt version with a reason and a metric; the old version keeps serving', async () => {
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v3-corrupt');
    await gateway.checkModel();
    expect(gateway.modelInfo().rankerVersion).toBe('v2');
    expect(reloads).toEqual(['loaded', 'rejected']);
    const served = await list('rollout-user-2');
    expect(served.modelVersion).toBe('v2');
    expect(served.items).toHaveLength(20);
    // Not retried while CURRENT still names it.
    await gateway.checkModel();
    expect(reloads).toEqual(['loaded', 'rejected']);
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v2');
    await gateway.checkModel();
    expect(reloads).toEqual(['loaded', 'rejected']);
  });
});

describe('shadow scoring', () => {
  it('scores the same candidates with the shadow version on sampled requests and never changes the response', async () => {
    writeShadowSetting(dir, TEST_MODEL_NAME, { version: 'v4-shadow', sampleRate: 1 });
    await gateway.checkModel();
    const served = await list('shadow-user');
    await new Promise((r) => setTimeout(r, 200)); // the comparison is not awaited by the request
    expect(served.modelVersion).toBe('v2');
    expect(shadows.length).toBeGreaterThanOrEqual(1);
    const c = shadows.at(-1)!;
    expect(c.version).toBe('v4-shadow');
    expect(c.spearman).toBeGreaterThanOrEqual(-1);
    expect(c.spearman).toBeLessThanOrEqual(1);
    expect(c.spearman).toBeLessThan(1); // a differently trained ranker orders differently
    expect(c.overlap).toBeGreaterThanOrEqual(0);
    expect(c.overlap).toBeLessThanOrEqual(1);
  });

  it('a shadow of the same ranker agrees exactly (ρ = 1, overlap 1); --off stops it', async () => {
    writeShadowSetting(dir, TEST_MODEL_NAME, { version: 'v1', sampleRate: 1 });
    await gateway.checkModel();
    const n = shadows.length;
    await list('shadow-user-2');
    await new Promise((r) => setTimeout(r, 200));
    expect(shadows.length).toBe(n + 1);
    expect(shadows.at(-1)).toEqual({ version: 'v1', spearman: expect.closeTo(1, 9), overlap: 1 });
    writeShadowSetting(dir, TEST_MODEL_NAME, null);
    await gateway.checkModel();
    await list('shadow-user-3');
    await new Promise((r) => setTimeout(r, 200));
    expect(shadows.length).toBe(n + 1);
  });
});

describe('replay after a reload', () => {
  it('replays feedback received before the new version was published unless that version was trained on it', async () => {
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v1');
    await gateway.checkModel();
    const user = 'rollout-late-user';
    // Not an exploration slot's item: 1 request in 20 has a slot at rank 1, filled with an under-exposed item
    // from anywhere in the list, which another request's list need not show in its top 20 (the flake of
    // session 37, 1 run in ~20).
    const first = (await list(user)).items.find((x) => !x.sources.includes('EXPLORATION'))!;
    expect(first.rank).toBeLessThanOrEqual(2);
    const dismissed = first.itemId;
    await dismiss(user, dismissed);
    expect((await list(user)).items.map((x) => x.itemId)).not.toContain(dismissed);
    const later = new Date(Date.now() + 60_000).toISOString();
    // Published after the feedback, trained on no live feedback: the feedback must be replayed onto it.
    publishCopy(baseRegistry, 'v5-later', { created: later, eventsReceivedThrough: null });
    // Published after the feedback and trained on the event log through a later time: the feedback
    // is in its training data, so it is not replayed (this copy does not really hold it: it shows).
    publishCopy(baseRegistry, 'v6-trained-on-it', { created: later, eventsReceivedThrough: later });
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v5-later');
    await gateway.checkModel();
    expect(gateway.modelInfo().rankerVersion).toBe('v5-later');
    expect((await list(user)).items.map((x) => x.itemId)).not.toContain(dismissed);
    setCurrentVersion(dir, TEST_MODEL_NAME, 'v6-trained-on-it');
    await gateway.checkModel();
    expect(gateway.modelInfo().rankerVersion).toBe('v6-trained-on-it');
    expect((await list(user)).items.map((x) => x.itemId)).toContain(dismissed);
  });
});
